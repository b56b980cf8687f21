import { describe, expect, it } from 'vitest';
import { createSlangLexicon, normalizeText, normalizeTokens, squeezeRuns, createEntityPhrases } from '../../src/classifier/normalize.ts';

// A small hand-written lexicon: the tests pin the normaliser's behaviour, not the shipped dictionary.
const lexicon = createSlangLexicon([
  ['gk', 'tidak'],
  ['ga', 'tidak'],
  ['yg', 'yang'],
  ['bgt', 'banget'],
  ['gpp', 'tidak apa apa'],
  ['lo', 'kamu'],
  ['maaf', 'maaf'],
  ['banget', 'banget'],
  ['mantap', 'mantap'],
]);

describe('normalizeTokens', () => {
  it('lower-cases and splits on punctuation', () => {
    expect(normalizeText('Halo, Dunia. Apa-kabar', lexicon)).toBe('halo dunia apa kabar');
  });

  it('turns URLs, mentions, hashtags, emoji and numbers into feature tokens instead of dropping them', () => {
    expect(normalizeTokens('cek https://t.co/AbC123 @budi_s #Pemilu2024 😡 2024', lexicon)).toEqual([
      'cek',
      '_url',
      '_user',
      '_hashtag',
      'pemilu2024',
      '_emoji',
      '_num',
    ]);
  });

  it('marks exclamation and question runs and emoticons', () => {
    expect(normalizeTokens('serius??? mantap!!! :) :(', lexicon)).toEqual(['serius', '_quest', 'mantap', '_excl', '_smile', '_frown']);
  });

  it('squeezes repeated letters, keeping a known double letter', () => {
    expect(normalizeText('bangettt mantaaap maaaaf', lexicon)).toBe('banget mantap maaf');
  });

  it('undoes leetspeak only when a digit sits between letters', () => {
    expect(normalizeText('4nj1ng k0nt0l b4b1', lexicon)).toBe('anjing kontol babi');
    // Digits at the edge of a word are not leetspeak: model numbers and years stay.
    expect(normalizeText('covid19 g20', lexicon)).toBe('covid19 g20');
  });

  it('expands written reduplication', () => {
    expect(normalizeText('kata2 anak2', lexicon)).toBe('kata kata anak anak');
  });

  it('maps slang to standard words, including multi-word expansions', () => {
    expect(normalizeText('gpp lo gk yg bgt', lexicon)).toBe('tidak apa apa kamu tidak yang banget');
  });

  it('flags posts written mostly in capitals', () => {
    expect(normalizeTokens('BANCI KALENG MALU GA BISA JAWAB', lexicon)[0]).toBe('_shout');
    expect(normalizeTokens('Banci kaleng malu ga bisa jawab', lexicon)).not.toContain('_shout');
  });

  it('keeps the feature-token namespace for itself', () => {
    // A user typing "_url" must not forge our URL token.
    expect(normalizeTokens('_url __x', lexicon)).toEqual(['_url', 'x']);
    expect(normalizeTokens('_nope', lexicon)).toEqual(['nope']);
  });

  it('appends one _abusive token per word of the abusive list, after slang mapping, leaving the words in place', () => {
    const withAbusive = { ...createSlangLexicon([['anjir', 'anjing']]), abusive: new Set(['anjing', 'bodoh']) };
    expect(normalizeTokens('dasar anjir, BODOH lu anjing', withAbusive)).toEqual(['dasar', 'anjing', 'bodoh', 'lu', 'anjing', '_abusive', '_abusive', '_abusive']);
    expect(normalizeTokens('selamat pagi', withAbusive)).toEqual(['selamat', 'pagi']);
    // Without a list (older models) nothing is added.
    expect(normalizeTokens('dasar anjing', lexicon)).toEqual(['dasar', 'anjing']);
  });

  it('is deterministic and handles empty input', () => {
    const text = 'RT @user: Dasar 4nj1ng!!! https://x.co bangettt';
    expect(normalizeTokens(text, lexicon)).toEqual(normalizeTokens(text, lexicon));
    expect(normalizeTokens('', lexicon)).toEqual([]);
    expect(normalizeTokens('   ...  ', lexicon)).toEqual([]);
  });
});

describe('squeezeRuns', () => {
  it('leaves words without long runs alone', () => {
    expect(squeezeRuns('saat', new Set())).toBe('saat');
    expect(squeezeRuns('tinggi', new Set())).toBe('tinggi');
  });
  it('prefers the single-letter form when neither form is known', () => {
    expect(squeezeRuns('wkwkkkk', new Set())).toBe('wkwk');
  });
});

describe('entity masking and hashtag splitting (models trained with them)', () => {
  const entities = createEntityPhrases(['Prabowo', 'Prabowo Subianto', 'Ganjar Pranowo', 'PDIP', 'cak imin']);
  const lexicon = { map: new Map<string, readonly string[]>(), vocabulary: new Set<string>(), entities, splitHashtags: true };

  it('replaces each listed name or phrase by one _tokoh, longest phrase first, a run of names by one', () => {
    expect(normalizeTokens('Prabowo Subianto dan Ganjar Pranowo', lexicon)).toEqual(['_tokoh', 'dan', '_tokoh']);
    expect(normalizeTokens('PDIP Prabowo cak imin', lexicon)).toEqual(['_tokoh']);
    expect(normalizeTokens('cak lontong', lexicon)).toEqual(['cak', 'lontong']);
    // A mention stays a mention: @prabowo is a user handle, not a name in the text.
    expect(normalizeTokens('@prabowo halo', lexicon)).toEqual(['_user', 'halo']);
  });

  it('splits camel-case hashtags into words, so names inside them are masked too', () => {
    expect(normalizeTokens('#PrabowoSubianto2024', lexicon)).toEqual(['_hashtag', '_tokoh', '_num']);
    expect(normalizeTokens('#pilkadadamai', lexicon)).toEqual(['_hashtag', 'pilkadadamai']);
    // Without the option (older models), a tag stays one word.
    expect(normalizeTokens('#PrabowoSubianto2024')).toEqual(['_hashtag', 'prabowosubianto2024']);
  });
});
