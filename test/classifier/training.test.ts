import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadClassifier } from '../../src/classifier/index.ts';
import { fitClassOffsets, fitPlatt, fitTemperature } from '../../src/classifier/training/calibrate.ts';
import { parseDelimited } from '../../src/classifier/training/csv.ts';
import { parseJsonl, repairCp1252Mojibake, repairEscapedBytes, toJsonl } from '../../src/classifier/training/datasets.ts';
import { quantizeUint8, roundTripWeights, toFloat16Bits } from '../../src/classifier/training/export.ts';
import { bestThreshold, binaryMetrics, multiclassMetrics } from '../../src/classifier/training/metrics.ts';
import { maskConditionalLabels, runTrainPipeline } from '../../src/classifier/training/pipeline.ts';
import { splitExamples, splitOf } from '../../src/classifier/training/split.ts';
import { foldOf, outOfFoldLogits } from '../../src/classifier/training/out-of-fold.ts';
import { nbFeatureScales, trainLinear, type EncodedExample } from '../../src/classifier/training/trainer.ts';
import { OUTPUT_COUNT } from '../../src/classifier/labels.ts';

const work = mkdtempSync(join(tmpdir(), 'pantau-train-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('data readers', () => {
  it('parses quoted CSV fields with delimiters, doubled quotes and newlines', () => {
    expect(parseDelimited('a,"b,c","say ""hi""\nthere"\r\n1,2,3\n')).toEqual([
      ['a', 'b,c', 'say "hi"\nthere'],
      ['1', '2', '3'],
    ]);
  });

  it('restores escaped UTF-8 bytes in the Ibrohim files', () => {
    expect(repairEscapedBytes(Buffer.from('lucu \\xf0\\x9f\\x98\\x84\\nok', 'latin1'))).toBe('lucu 😄 ok');
  });

  it('repairs cp1252 mojibake and leaves clean text alone', () => {
    expect(repairCp1252Mojibake('Berita ini ðŸ‘‡ pasti')).toBe('Berita ini 👇 pasti');
    expect(repairCp1252Mojibake('biasa saja')).toBe('biasa saja');
  });

  it('reads labelled JSONL, masking labels a line does not name, and round-trips it', () => {
    const examples = parseJsonl('{"text":"a","labels":{"abusive":1}}\n\n{"text":"b","labels":{"hoax":0,"sentiment":"neutral"}}\n', 'x.jsonl');
    expect(examples).toEqual([
      { text: 'a', labels: { abusive: 1 }, source: 'x.jsonl' },
      { text: 'b', labels: { hoax: 0 }, sentiment: 'neutral', source: 'x.jsonl' },
    ]);
    expect(parseJsonl(toJsonl(examples), 'y')).toEqual(examples);
  });

  it('names the file and line of a bad JSONL row', () => {
    expect(() => parseJsonl('{"text":"a","labels":{"abusive":1}}\n{"text":"b","labels":{"spam":1}}', 'bad.jsonl')).toThrow(/bad\.jsonl:2/);
    expect(() => parseJsonl('not json', 'bad.jsonl')).toThrow(/bad\.jsonl:1/);
  });
});

describe('split', () => {
  it('is deterministic and keeps duplicates (after normalisation) together', () => {
    expect(splitOf('sama saja')).toBe(splitOf('sama saja'));
    const examples = Array.from({ length: 300 }, (_, i) => ({ text: `Post nomor ${i % 100}!!`, labels: {}, source: 's' }));
    const splits = splitExamples(examples);
    const where = new Map<string, string>();
    for (const name of ['train', 'dev', 'test'] as const) {
      for (const e of splits[name]) {
        expect(where.get(e.text) ?? name).toBe(name);
        where.set(e.text, name);
      }
    }
    expect(splits.train.length).toBeGreaterThan(splits.test.length);
  });

  it('drops a row equal to an official test row, keeping the official test set as it is', () => {
    const splits = splitExamples([
      { text: 'Sama persis', labels: {}, source: 'a', split: 'test' },
      { text: 'sama persis', labels: {}, source: 'b' },
    ]);
    expect(splits.test.map((e) => e.source)).toEqual(['a']);
    expect(splits.train.length + splits.dev.length).toBe(0);
    expect(splits.dropped).toBe(1);
  });
});

describe('metrics and calibration', () => {
  it('computes precision, recall, F1 and two-class macro-F1', () => {
    const m = binaryMetrics([0.9, 0.8, 0.2, 0.1], [1, 0, 1, 0], 0.5);
    expect(m).toMatchObject({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2, macroF1: 0.5 });
  });

  it('finds the threshold with the best F1 between scores', () => {
    const best = bestThreshold([0.9, 0.7, 0.6, 0.2], [1, 1, 0, 0]);
    expect(best.value).toBe(1);
    expect(best.threshold).toBeGreaterThan(0.6);
    expect(best.threshold).toBeLessThan(0.7);
  });

  it('averages multi-class F1 over classes', () => {
    expect(multiclassMetrics([0, 1, 2, 2], [0, 1, 2, 1], 3).f1).toBeCloseTo((1 + 2 / 3 + 2 / 3) / 3, 6);
  });

  it('Platt scaling recovers the slope and offset that generated the labels', () => {
    // Labels drawn from p = sigmoid(0.5·z + 1) with a seeded generator.
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const logits: number[] = [];
    const targets: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const z = (random() - 0.5) * 16;
      logits.push(z);
      targets.push(random() < 1 / (1 + Math.exp(-(0.5 * z + 1))) ? 1 : 0);
    }
    const { a, b } = fitPlatt(logits, targets);
    expect(a).toBeCloseTo(0.5, 1);
    expect(b).toBeCloseTo(1, 1);
  });

  it('Platt scaling falls back to identity when dev has one class only', () => {
    expect(fitPlatt([1, 2, 3], [1, 1, 1])).toEqual({ a: 1, b: 0 });
  });

  it('temperature grows for over-confident softmax logits', () => {
    const logits = [10, 0, 0, 0, 10, 0, 10, 0, 0, 0, 0, 10];
    expect(fitTemperature(logits, 3, [0, 1, 1, 2])).toBeGreaterThan(1);
  });
});

describe('weight export', () => {
  it('uint8 quantisation keeps zero exact and errors within half a step', () => {
    const values = Float32Array.from([-1.5, 0, 0.25, 3]);
    const q = quantizeUint8(values);
    const back = Array.from(q.bytes, (b) => b * q.scale + q.min);
    expect(back[1]).toBeCloseTo(0, 12);
    back.forEach((v, i) => expect(Math.abs(v - values[i]!)).toBeLessThanOrEqual(q.scale / 2 + 1e-9));
  });

  it('float16 bits match IEEE half precision', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001);
  });

  it('round-tripped weights stay close to the trained ones', () => {
    const weights = trainLinear(
      [{ ids: Int32Array.from([1, 2]), scale: 0.7, targets: Float32Array.from([1, 0, 0, 1]), sentiment: 2, weight: 1 }],
      8,
      { epochs: 3, learningRate: 0.5, l2: Array(7).fill(0), positiveWeight: [1, 1, 1, 1], seed: 1 },
    );
    for (const precision of ['uint8', 'float16'] as const) {
      const back = roundTripWeights(weights, precision);
      weights.kernel.forEach((v, i) => expect(Math.abs(back.kernel[i]! - v)).toBeLessThan(0.02));
    }
  });
});

describe('training pipeline', () => {
  it.each([
    { name: 'out-of-fold calibration (the default)', calibration: { kind: 'out-of-fold', folds: 3 } as const, logged: 'fold 3/3' },
    { name: 'dev calibration', calibration: { kind: 'dev' } as const, logged: 'epoch 5/5' },
  ])('trains on JSONL, writes a loadable model folder and learns the labels: $name', async ({ calibration, logged: expectedLine }) => {
    const insults = ['dasar anjing', 'goblok lo', 'bangsat kau', 'anjing goblok', 'kampret bangsat', 'dasar bego'];
    const polite = ['selamat pagi', 'terima kasih', 'semoga sehat', 'apa kabar', 'sampai jumpa', 'selamat malam'];
    const topics = ['pemilu', 'jalan', 'pasar', 'kantor', 'sekolah', 'rumah', 'kampung', 'kota', 'desa', 'berita'];
    const lines: string[] = [];
    for (let i = 0; i < 60; i++) {
      // Distinct texts (the split key is the normalised text, so numbers alone would not differ).
      const topic = topics[Math.floor(i / 6) % topics.length]!;
      lines.push(JSON.stringify({ text: `${insults[i % 6]} ${topic}`, labels: { abusive: 1, sentiment: 'negative' } }));
      lines.push(JSON.stringify({ text: `${polite[i % 6]} ${topic}`, labels: { abusive: 0, sentiment: 'positive' } }));
    }
    const data = join(work, 'train.jsonl');
    writeFileSync(data, lines.join('\n'));
    const out = join(work, `tiny-model-${calibration.kind}`);
    const logged: string[] = [];
    const result = await runTrainPipeline({
      dataFiles: [data],
      sharedData: null,
      lexiconCsv: null,
      abusiveWordsCsv: null,
      out,
      modelVersion: 'tiny-test',
      featurizer: { buckets: 1 << 12, wordNgramMax: 2, charNgramMin: 2, charNgramMax: 4 },
      train: { epochs: 5, learningRate: 0.3, l2: Array(7).fill(1e-5), positiveWeight: [1, 1, 1, 1], seed: 3 },
      precision: 'uint8',
      weakHoaxNegativeWeight: 0,
      weakHateNegativeWeight: 0,
      conditionalHeads: [],
      nbInterpolation: 0,
      calibration,
      splitSeed: 0,
      exportSplits: null,
      annotationsFile: null,
      annotationWeight: 1,
      entitiesFile: null,
      splitHashtags: false,
      domainIntercepts: false,
      extraSources: [],
      selfTraining: null,
      log: (line) => logged.push(line),
    });
    expect(logged.some((l) => l.startsWith('epoch 5/5'))).toBe(true);
    expect(logged.some((l) => l.startsWith(expectedLine))).toBe(true);
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as { thresholdAims: Record<string, string> };
    expect(json.thresholdAims.abusive).toContain(calibration.kind === 'dev' ? 'on dev (' : 'on out-of-fold train + dev (');
    expect(readFileSync(join(out, 'MODEL_CARD.md'), 'utf8')).toContain('tiny-test');
    expect(result.test.labels.abusive?.f1).toBeGreaterThan(0.9);
    const classifier = await loadClassifier({ modelDir: out, backend: 'wasm' });
    try {
      expect(classifier.modelVersion).toBe('tiny-test');
      const [rude, kind] = await classifier.classify(['dasar goblok', 'selamat pagi, terima kasih']);
      expect(rude!.scores.abusive).toBeGreaterThan(kind!.scores.abusive);
      expect(rude!.sentiment!.negative).toBeGreaterThan(kind!.sentiment!.negative);
    } finally {
      classifier.dispose();
    }
  });
});

describe('out-of-fold scores', () => {
  it('score every row with a model that did not see its fold', () => {
    // Each "model" is tagged with the folds it was fitted on; the score reveals whether it saw the row.
    const rows: EncodedExample[] = Array.from({ length: 12 }, (_, i) => ({
      ids: Int32Array.of(i),
      scale: 1,
      targets: Float32Array.of(1, Number.NaN, Number.NaN, Number.NaN),
      sentiment: -1,
      weight: 1,
    }));
    const folds = rows.map((_, i) => i % 3);
    const seen: number[][] = [];
    const logits = outOfFoldLogits(rows, folds, rows, folds, 3, (fitted, fold) => {
      seen.push(fitted.map((r) => r.ids[0]!));
      // Kernel row i holds 1 when row i was in the fit: a leak shows as a non-zero score.
      const kernel = new Float32Array(12 * OUTPUT_COUNT);
      for (const r of fitted) kernel[r.ids[0]! * OUTPUT_COUNT] = 1;
      return { buckets: 12, kernel, bias: Float32Array.from({ length: OUTPUT_COUNT }, () => fold) };
    });
    expect(seen).toHaveLength(3);
    seen.forEach((ids, fold) => expect(ids.every((id) => id % 3 !== fold)).toBe(true));
    rows.forEach((_, i) => expect(logits[i * OUTPUT_COUNT]).toBe(i % 3));
  });

  it('put duplicate texts in one fold and spread the rest over all folds', () => {
    expect(foldOf('Dasar  BODOH!!', 4)).toBe(foldOf('dasar bodoh!', 4));
    const counts = [0, 0, 0, 0];
    // Letters, not digits: numbers normalise to one `_num` token.
    const word = (i: number): string => String.fromCharCode(97 + (i % 26)) + String.fromCharCode(97 + Math.floor(i / 26));
    for (let i = 0; i < 400; i++) counts[foldOf(`kalimat ${word(i)} tentang pemilu`, 4)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(60);
  });
});

describe('conditional heads', () => {
  it('masks a conditional label where its condition is negative', () => {
    const masked = maskConditionalLabels(
      [
        { text: 'a', labels: { hate_speech: 0, sara: 0 }, source: 's' },
        { text: 'b', labels: { hate_speech: 1, sara: 1 }, source: 's' },
        { text: 'c', labels: { sara: 0 }, source: 's' },
      ],
      [{ label: 'sara', given: 'hate_speech' }],
    );
    expect(masked.map((e) => e.labels)).toEqual([{ hate_speech: 0 }, { hate_speech: 1, sara: 1 }, { sara: 0 }]);
  });
});

describe('sentiment class offsets', () => {
  it('raise a rare class that plain argmax never predicts', () => {
    // Class 1 is always second-best by 0.5, yet it is the truth for a third of the rows.
    const logits: number[] = [];
    const actual: number[] = [];
    for (let i = 0; i < 30; i++) {
      const truth = i % 3;
      actual.push(truth);
      if (truth === 1) logits.push(1, 0.5, -1);
      else if (truth === 0) logits.push(1, 0, -1);
      else logits.push(-1, 0, 1);
    }
    const offsets = fitClassOffsets(logits, 3, actual);
    expect(offsets[0]).toBe(0);
    expect(offsets[1]).toBeGreaterThan(0.5);
    expect(offsets[1]).toBeLessThan(1);
  });
});

describe('NB feature scales', () => {
  it('weight buckets that separate the classes above buckets that do not', () => {
    const rows = [
      { ids: Int32Array.from([0, 1]), scale: 1, targets: Float32Array.from([1, NaN, NaN, NaN]), sentiment: -1, weight: 1 },
      { ids: Int32Array.from([0, 1]), scale: 1, targets: Float32Array.from([1, NaN, NaN, NaN]), sentiment: -1, weight: 1 },
      { ids: Int32Array.from([0, 2]), scale: 1, targets: Float32Array.from([0, NaN, NaN, NaN]), sentiment: -1, weight: 1 },
      { ids: Int32Array.from([0, 2]), scale: 1, targets: Float32Array.from([0, NaN, NaN, NaN]), sentiment: -1, weight: 1 },
    ];
    const scales = nbFeatureScales(rows, 4, 0, 1, 1);
    expect(scales[0]).toBeCloseTo(0, 6);
    expect(scales[1]).toBeGreaterThan(0.5);
    expect(scales[2]).toBeCloseTo(scales[1]!, 6);
  });
});
