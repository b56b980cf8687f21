/**
 * The shipped model (models/pantau-id-v2), loaded the way the app loads it. Needs no network; the wasm and
 * cpu backends come with the dependencies, tfjs-node is optional.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PantauError } from '../../src/core/errors.ts';
import { isNodeBackendAvailable } from '../../src/classifier/backend.ts';
import { DEFAULT_MODEL_DIR, FLAG_LABELS, loadClassifier, loadClassifierWithBag, type Classifier } from '../../src/classifier/index.ts';

const INSULT = 'Dasar anjing lo, goblok banget!';
const KPU_ANNOUNCEMENT = 'KPU mengumumkan jadwal pemungutan suara Pemilu 2024 pada 14 Februari di seluruh TPS.';
const POSTS = [
  INSULT,
  KPU_ANNOUNCEMENT,
  'Makanannya enak banget, pelayanannya ramah, pasti balik lagi',
  'dasar kafir, usir saja mereka dari negeri ini',
  'VIRAL!!! Surat suara sudah dicoblos sebelum hari pemilu, sebarkan sebelum dihapus!',
  '',
  '@budi https://t.co/abc #pemilu2024 😡😡',
];

const nodeBackend = await isNodeBackendAvailable();
let wasm: Classifier;

beforeAll(async () => {
  wasm = await loadClassifier({ backend: 'wasm' });
});
afterAll(() => wasm.dispose());

function maxDifference(a: Awaited<ReturnType<Classifier['classify']>>, b: typeof a): number {
  let max = 0;
  a.forEach((r, i) => {
    for (const label of FLAG_LABELS) max = Math.max(max, Math.abs(r.scores[label] - b[i]!.scores[label]));
    if (r.sentiment !== null) {
      for (const [s, v] of Object.entries(r.sentiment)) max = Math.max(max, Math.abs(v - b[i]!.sentiment![s as keyof typeof r.sentiment]));
    }
  });
  return max;
}

describe('shipped model', () => {
  it('loads from DEFAULT_MODEL_DIR with a version, backend and thresholds for every label', () => {
    expect(DEFAULT_MODEL_DIR).toMatch(/models[\\/]pantau-id-v2$/);
    expect(wasm.modelVersion).toBe('pantau-id-v2');
    expect(wasm.backend).toBe('wasm');
    for (const label of FLAG_LABELS) {
      expect(wasm.thresholds[label]).toBeGreaterThan(0);
      expect(wasm.thresholds[label]).toBeLessThan(1);
    }
  });

  it('returns probabilities and a sentiment distribution per post, in order', async () => {
    const results = await wasm.classify(POSTS);
    expect(results).toHaveLength(POSTS.length);
    for (const r of results) {
      for (const label of FLAG_LABELS) {
        expect(r.scores[label]).toBeGreaterThanOrEqual(0);
        expect(r.scores[label]).toBeLessThanOrEqual(1);
      }
      expect(r.sentiment).not.toBeNull();
      const total = Object.values(r.sentiment!).reduce((a, b) => a + b, 0);
      expect(total).toBeCloseTo(1, 5);
    }
    expect(await wasm.classify([])).toEqual([]);
  });

  it('never scores SARA above hate speech (SARA is P(hate speech) · P(SARA | hate speech))', async () => {
    for (const r of await wasm.classify(POSTS)) expect(r.scores.sara).toBeLessThanOrEqual(r.scores.hate_speech + 1e-7);
  });

  it('flags a plain insult as abusive', async () => {
    const [r] = await wasm.classify([INSULT]);
    expect(r!.scores.abusive).toBeGreaterThanOrEqual(wasm.thresholds.abusive);
    expect(r!.sentiment!.negative).toBeGreaterThan(r!.sentiment!.positive);
  });

  it('scores a neutral KPU announcement below the hate speech, abusive and SARA thresholds', async () => {
    const [r] = await wasm.classify([KPU_ANNOUNCEMENT]);
    for (const label of ['hate_speech', 'abusive', 'sara'] as const) expect(r!.scores[label]).toBeLessThan(wasm.thresholds[label]);
  });

  // v1 scored this real announcement as hoax-like (in the fact-check data 95% of KPU-related claims are hoaxes);
  // v2, with near-duplicate claims grouped and everyday election posts in training, does not.
  it('scores a neutral KPU announcement below the hoax threshold', async () => {
    const [r] = await wasm.classify([KPU_ANNOUNCEMENT]);
    expect(r!.scores.hoax).toBeLessThan(wasm.thresholds.hoax);
  });

  it('scores a post the same alone and inside a batch', async () => {
    const batch = await wasm.classify(POSTS);
    for (let i = 0; i < POSTS.length; i++) {
      const [alone] = await wasm.classify([POSTS[i]!]);
      expect(maxDifference([alone!], [batch[i]!])).toBeLessThan(1e-6);
    }
  });

  it('gives the same scores on the wasm and cpu backends', async () => {
    const cpu = await loadClassifier({ backend: 'cpu' });
    try {
      expect(cpu.backend).toBe('cpu');
      const [a, b] = [await wasm.classify(POSTS), await cpu.classify(POSTS)];
      expect(maxDifference(a, b)).toBeLessThan(1e-4);
    } finally {
      cpu.dispose();
    }
  });

  it('gives the same scores with the TF.js gather embedding bag as with the JS bag', async () => {
    const gather = await loadClassifierWithBag({ backend: 'wasm' }, 'gather');
    try {
      expect(maxDifference(await wasm.classify(POSTS), await gather.classify(POSTS))).toBeLessThan(1e-4);
    } finally {
      gather.dispose();
    }
  });

  it.runIf(nodeBackend)('gives the same scores on the tensorflow (tfjs-node) backend', async () => {
    const native = await loadClassifier({ backend: 'tensorflow' });
    try {
      expect(native.backend).toBe('tensorflow');
      expect(maxDifference(await wasm.classify(POSTS), await native.classify(POSTS))).toBeLessThan(1e-4);
    } finally {
      native.dispose();
    }
  });

  it('refuses to classify after dispose', async () => {
    const c = await loadClassifier({ backend: 'wasm' });
    c.dispose();
    await expect(c.classify(['x'])).rejects.toMatchObject({ stage: 'classifying', code: 'classifier_disposed' });
  });
});

describe('loading errors', () => {
  it('says which folder is missing and how to make one', async () => {
    const missing = join(tmpdir(), 'pantau-no-such-model');
    const error = await loadClassifier({ modelDir: missing, backend: 'wasm' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PantauError);
    expect(error).toMatchObject({ stage: 'classifying', code: 'model_missing', retriable: false });
    expect((error as Error).message).toContain(missing);
    expect((error as Error).message).toContain('npm run train');
  });

  it('rejects a model.json that is not a pantau model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pantau-bad-model-'));
    try {
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'something-else' }));
      await expect(loadClassifier({ modelDir: dir, backend: 'wasm' })).rejects.toMatchObject({ stage: 'classifying', code: 'model_invalid' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names a word list that model.json refers to but the folder lacks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pantau-no-words-'));
    try {
      for (const file of readdirSync(DEFAULT_MODEL_DIR)) copyFileSync(join(DEFAULT_MODEL_DIR, file), join(dir, file));
      rmSync(join(dir, 'abusive-words.txt'));
      const error = await loadClassifier({ modelDir: dir, backend: 'wasm' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ stage: 'classifying', code: 'model_missing', retriable: false });
      expect((error as Error).message).toContain('abusive-words.txt');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects the tensorflow backend when tfjs-node is not installed', async () => {
    if (nodeBackend) return;
    await expect(loadClassifier({ backend: 'tensorflow' })).rejects.toMatchObject({ stage: 'classifying', code: 'backend_unavailable' });
  });
});

/** A copy of the shipped model folder with model.json edited: for loader tests. */
function modelCopy(edit: (json: Record<string, unknown>) => void, extraFiles: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'pantau-model-copy-'));
  for (const file of readdirSync(DEFAULT_MODEL_DIR)) copyFileSync(join(DEFAULT_MODEL_DIR, file), join(dir, file));
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
  edit(json);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  for (const [name, text] of Object.entries(extraFiles)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('names are not evidence (entity masking)', () => {
  const withEntities = () =>
    modelCopy(
      (json) => {
        (json.normalizer as Record<string, unknown>).entities = 'political-entities.txt';
        (json.normalizer as Record<string, unknown>).splitHashtags = true;
      },
      { 'political-entities.txt': '# politicians\nPrabowo\nPrabowo Subianto\nGanjar Pranowo\nGanjar\nAnies Baswedan\nAnies\nGibran\n' },
    );

  it('gives a post the same scores whichever listed name it carries, and the contest names from election.json are masked too', async () => {
    const dir = withEntities();
    const classifier = await loadClassifier({ modelDir: dir, backend: 'wasm', extraEntities: ['Hendra Wijaya', 'Darmawan Siregar'] });
    try {
      const [a, b, c, d, e] = await classifier.classify([
        'respect sama perjuangan pak Prabowo Subianto',
        'respect sama perjuangan pak Ganjar Pranowo',
        'respect sama perjuangan pak Anies',
        'dukung Hendra Wijaya #HendraWijayaMenang',
        'dukung Darmawan Siregar #DarmawanSiregarMenang',
      ]);
      expect(b!.scores).toEqual(a!.scores);
      expect(c!.scores).toEqual(a!.scores);
      expect(e!.scores).toEqual(d!.scores);
    } finally {
      classifier.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves a model trained without masking as it was (names are not masked, the extra names ignored)', async () => {
    const dir = modelCopy((json) => ((json.normalizer as Record<string, unknown>).entities = null));
    const plain = await loadClassifier({ modelDir: dir, backend: 'wasm', extraEntities: ['Prabowo', 'Ganjar'] });
    const plainAgain = await loadClassifier({ modelDir: dir, backend: 'wasm' });
    try {
      const [a, b] = await plain.classify(['respect sama perjuangan pak prabowo', 'respect sama perjuangan pak ganjar']);
      expect(a!.scores).not.toEqual(b!.scores);
      const [again] = await plainAgain.classify(['respect sama perjuangan pak prabowo']);
      expect(again!.scores).toEqual(a!.scores);
    } finally {
      plain.dispose();
      plainAgain.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the shipped model masks the 2024 candidates: swapping one for another leaves the scores as they were', async () => {
    const posts = [
      'respect sama Perjuangan pak prabowo',
      'Prabowo-Gibran: Hukum, HAM, pemerintahan, anti-korupsi di puncak',
      'anies itu pembohong besar, jangan pilih dia',
      'Debat semalam Ganjar Pranowo jawabannya ngawur semua',
    ];
    const swapped = posts.map((p) => p.replace(/prabowo-gibran/i, 'Anies-Muhaimin').replace(/prabowo/i, 'Ganjar').replace(/anies/i, 'Prabowo').replace(/Ganjar Pranowo/, 'Gibran Rakabuming'));
    const before = await wasm.classify(posts);
    const after = await wasm.classify(swapped);
    expect(maxDifference(before, after)).toBe(0);
    // The examples (v1: 0.64 and 0.96). Praise is not even queued for review; the slogan is not flagged,
    // though its words (hukum, HAM, anti-korupsi) still put it in the analysts' queue (0.27 against review 0.065).
    expect(before[0]!.scores.hate_speech).toBeLessThan(wasm.operatingPoints.hate_speech.review);
    expect(before[1]!.scores.hate_speech).toBeLessThan(wasm.operatingPoints.hate_speech.alert);
  });

  it('names an entity list that model.json refers to but the folder lacks', async () => {
    const dir = modelCopy((json) => ((json.normalizer as Record<string, unknown>).entities = 'political-entities.txt'));
    rmSync(join(dir, 'political-entities.txt'), { force: true });
    try {
      const error = await loadClassifier({ modelDir: dir, backend: 'wasm' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ stage: 'classifying', code: 'model_missing' });
      expect((error as Error).message).toContain('political-entities.txt');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('operating points', () => {
  const points = (json: Record<string, unknown>, alertShift = 0) => {
    const thresholds = json.thresholds as Record<string, number>;
    json.operatingPoints = Object.fromEntries(
      Object.entries(thresholds).map(([label, t]) => [
        label,
        { alert: t + alertShift, review: t / 2, alertPrecision: 0.8, alertRecall: 0.4, reviewPrecision: 0.5, reviewRecall: 0.8, chosenOn: 'test' },
      ]),
    );
  };

  it('a model without them has review = alert = its thresholds', async () => {
    const dir = modelCopy((json) => delete json.operatingPoints);
    const old = await loadClassifier({ modelDir: dir, backend: 'wasm' });
    try {
      for (const label of FLAG_LABELS) {
        expect(old.operatingPoints[label]).toEqual({ alert: old.thresholds[label], review: old.thresholds[label], alertPrecision: null, reviewRecall: null });
      }
    } finally {
      old.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the shipped model alerts on hate speech and abusive posts at an estimated precision of at least 0.8, and reviews below', () => {
    for (const label of ['hate_speech', 'abusive'] as const) {
      const p = wasm.operatingPoints[label];
      expect(p.alertPrecision).toBeGreaterThanOrEqual(0.8);
      expect(p.reviewRecall).toBeGreaterThanOrEqual(0.8);
      expect(p.review).toBeLessThan(p.alert);
    }
  });

  it('a model with them reports both points per label', async () => {
    const dir = modelCopy((json) => points(json));
    const classifier = await loadClassifier({ modelDir: dir, backend: 'wasm' });
    try {
      for (const label of FLAG_LABELS) {
        expect(classifier.operatingPoints[label]).toEqual({ alert: classifier.thresholds[label], review: classifier.thresholds[label] / 2, alertPrecision: 0.8, reviewRecall: 0.8 });
      }
    } finally {
      classifier.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a model whose alert point is not its threshold', async () => {
    const dir = modelCopy((json) => points(json, 0.01));
    try {
      await expect(loadClassifier({ modelDir: dir, backend: 'wasm' })).rejects.toMatchObject({ code: 'model_invalid' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
