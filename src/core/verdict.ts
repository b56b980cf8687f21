/** What a source says of a claim (Indonesian terms, as fact-checkers and humas units write them). */
export const VERDICTS = ['hoaks', 'disinformasi', 'misinformasi', 'fitnah', 'klarifikasi', 'benar'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Verdicts that mark the claim itself as false: a post supporting such a claim is a hoax. */
export const FALSE_VERDICTS: ReadonlySet<Verdict> = new Set(['hoaks', 'disinformasi', 'misinformasi', 'fitnah']);
