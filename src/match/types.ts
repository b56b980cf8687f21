/** Types shared by the claim matcher's parts (no imports: the core of the module). */

/**
 * A knowledge-base entry: a debunked claim. Only `id` and `claim` are needed for matching; the rest is carried
 * along for the desk (verdict, explanation, sources…) and never read by the matcher.
 */
export interface KbEntry {
  id: string;
  claim: string;
  verdict?: 'hoaks' | 'disinformasi' | 'misinformasi' | 'fitnah' | 'klarifikasi' | 'benar';
  explanation?: string;
  sources?: string[];
  publisher?: string;
  url?: string;
  published_at?: string;
  topics?: string[];
  regions?: string[];
  institutions?: string[];
}

/** One ranked knowledge-base candidate for a narrative. */
export interface MatchCandidate {
  id: string;
  claim: string;
  /** 1-based rank after reranking. */
  rank: number;
  /** Calibrated probability that this entry debunks the narrative's claim (see the model card). */
  probability: number;
  /** The reranker's raw score (a logit), for ordering and debugging. */
  score: number;
  /** The lexical retrieval score (BM25 over words + char n-grams). */
  lexicalScore: number;
}
