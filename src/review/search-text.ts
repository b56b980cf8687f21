/**
 * Indonesian full-text search without an Indonesian analyzer: this Elasticsearch distribution ships only the
 * `standard` analyzer (no analysis-common), so stemming happens here. The posts sink stores `search_text`
 * (the text's words normalised and stemmed) beside `text`, and the queue stems a query the same way: a query
 * for "penyebaran" finds a post that says "menyebarkan" (both stem to "sebar").
 *
 * Normalisation is the classifier's (classifier/normalize.ts, without a lexicon: stable across model
 * versions): lower case, letter runs squeezed, leetspeak undone, `kata2` reduplication split. Feature tokens
 * (`_url`, `_emoji`…) are dropped. Stems come from natural's Indonesian stemmer (Nazief–Adriani with a
 * dictionary); stop words are kept so a query and a text are treated alike.
 */
import { createRequire } from 'node:module';
import { isFeatureToken, normalizeTokens } from '../classifier/normalize.ts';

interface IndonesianStemmer {
  stem(word: string): string;
}

// Only the submodule: natural's main entry loads storage backends and reads .env (~2 s).
const stemmer = createRequire(import.meta.url)('natural/lib/natural/stemmers/indonesian/stemmer_id') as IndonesianStemmer;

/** Stems of frequent words: posts repeat a small vocabulary, and a stem costs ~15 µs. */
const cache = new Map<string, string>();
const CACHE_MAX = 50_000;

function stemWord(word: string): string {
  let stem = cache.get(word);
  if (stem === undefined) {
    // The stemmer expects letters only; words with digits (covid19, g20) stay as they are.
    stem = /^\p{L}+$/u.test(word) ? stemmer.stem(word) || word : word;
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(word, stem);
  }
  return stem;
}

/** The stemmed words of `text`, joined by spaces: what `search_text` holds and what a query is matched as. */
export function searchText(text: string): string {
  return normalizeTokens(text)
    .filter((t) => !isFeatureToken(t))
    .map(stemWord)
    .join(' ');
}
