/**
 * Analysts' decisions in the audit log (real Elasticsearch) → feedback examples → a quick training run on a small
 * base set plus the feedback → side-by-side comparison with the active (shipped) model → comparison.json, model
 * card section and a registered candidate. Small data so it runs in well under a minute.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DIR, loadClassifier } from '../../src/classifier/index.ts';
import { ModelRegistry, readModelVersion } from '../../src/classifier/registry.ts';
import type { Comparison } from '../../src/classifier/training/compare.ts';
import { trainWithFeedback } from '../../src/classifier/training/retrain.ts';
import { fixedClock } from '../../src/core/clock.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import { readLabelDecisions } from '../../src/review/feedback.ts';
import type { AuditEntry } from '../../src/review/decision.ts';
import { auditIndex } from '../../src/store/index-names.ts';
import { auditEntry, decidedPost } from '../helpers/audit-entries.ts';
import { cleanUp, isolatedConfig, openTestContext } from '../helpers/cluster.ts';

const insults = ['dasar kadal gurun', 'antek asing pengkhianat', 'cebong dungu', 'kampret tolol', 'kafir laknat', 'bani serbet'];
const praise = ['hebat kerjanya', 'terima kasih pak', 'semoga sukses', 'program bagus', 'luar biasa', 'mantap pelayanannya'];
const places = ['jakarta', 'bandung', 'surabaya', 'medan', 'makassar', 'semarang', 'padang', 'palembang', 'denpasar', 'manado'];

describe('training from analysts\' feedback', () => {
  let ctx: PipelineContext;
  let prefix: string;
  let work: string;

  beforeAll(async () => {
    const config = isolatedConfig('feedback');
    prefix = config.pipeline.elasticsearch.indexPrefix;
    ctx = await openTestContext(config);
    work = mkdtempSync(join(tmpdir(), 'pantau-feedback-'));
    const entries: AuditEntry[] = [];
    for (let i = 0; i < 60; i++) {
      // 60 distinct texts per kind (numbers would all read as one `_num` token).
      const place = places[Math.floor(i / 6) % places.length]!;
      // The model flagged both as hate speech; analysts confirmed the insults and dismissed the praise.
      entries.push(auditEntry({ action: 'confirm', at: `2026-12-0${1 + (i % 3)}T0${i % 10}:00:00.000Z`, narrative_id: `n-ins-${i}`, posts: [decidedPost(`tw-ins-${i}`, `${insults[i % 6]} ${place}`, ['hate_speech'])] }));
      entries.push(auditEntry({ action: 'dismiss', at: `2026-12-0${1 + (i % 3)}T1${i % 10}:00:00.000Z`, narrative_id: `n-pra-${i}`, posts: [decidedPost(`tw-pra-${i}`, `${praise[i % 6]} ${place}`, ['hate_speech'])] }));
    }
    // Before --since: would teach the opposite if read.
    for (let i = 0; i < 20; i++) entries.push(auditEntry({ action: 'confirm', at: '2026-11-30T16:59:59.000Z', posts: [decidedPost(`tw-old-${i}`, `${praise[i % 6]} lama ${i}`, ['hate_speech'])] }));
    // Says nothing about labels: not an example.
    entries.push(auditEntry({ action: 'link', at: '2026-12-02T00:00:00.000Z', posts: [decidedPost('tw-link', 'hoaks vaksin', ['hoax'])], clarification_id: 'kb-1' }));
    const body = entries.flatMap((e) => [{ create: { _index: auditIndex(prefix), _id: e.id } }, e]);
    const r = await ctx.es.bulk({ operations: body, refresh: true });
    expect(r.errors).toBe(false);
  });

  afterAll(async () => {
    if (ctx) {
      await cleanUp(ctx);
      await ctx.close();
    }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('reads the label decisions of the audit log, oldest first, from a date on', async () => {
    const all = await readLabelDecisions(ctx.es, prefix);
    expect(all).toHaveLength(140);
    expect(all.every((e, i) => i === 0 || Date.parse(all[i - 1]!.at) <= Date.parse(e.at))).toBe(true);
    expect(await readLabelDecisions(ctx.es, prefix, { since: '2026-12-01' })).toHaveLength(120);
    expect(await readLabelDecisions(ctx.es, `${prefix}-nothing`)).toEqual([]);
  });

  it('trains a candidate on base data + feedback, compares it with the active model and registers it', async () => {
    // A small base set that says nothing about hate speech: what the candidate knows of it comes from feedback.
    const lines: string[] = [];
    const rude = ['goblok', 'bangsat', 'bajingan', 'brengsek', 'sialan', 'keparat'];
    const polite = ['selamat pagi', 'apa kabar', 'sampai jumpa', 'selamat malam', 'salam kenal', 'selamat siang'];
    for (let i = 0; i < 60; i++) {
      const place = places[Math.floor(i / 6) % places.length]!;
      lines.push(JSON.stringify({ text: `${rude[i % 6]} lu ${place}`, labels: { abusive: 1 } }));
      lines.push(JSON.stringify({ text: `${polite[i % 6]} warga ${place}`, labels: { abusive: 0 } }));
    }
    const data = join(work, 'base.jsonl');
    writeFileSync(data, lines.join('\n'));
    const out = join(work, 'models', 'pantau-id-fb-test');
    const logged: string[] = [];
    const clock = fixedClock('2026-12-03T01:00:00Z');
    const started = performance.now();
    const result = await trainWithFeedback({
      pipeline: {
        dataFiles: [data],
        sharedData: null,
        lexiconCsv: null,
        abusiveWordsCsv: null,
        out,
        modelVersion: 'pantau-id-fb-test',
        featurizer: { buckets: 1 << 14, wordNgramMax: 2, charNgramMin: 2, charNgramMax: 4 },
        train: { epochs: 6, learningRate: 0.3, l2: Array(7).fill(1e-5), positiveWeight: [1, 1, 1, 1], seed: 3 },
        precision: 'uint8',
        weakHoaxNegativeWeight: 0,
        weakHateNegativeWeight: 0,
        conditionalHeads: [],
        nbInterpolation: 0,
        calibration: { kind: 'dev' },
        splitSeed: 0,
        exportSplits: null,
        annotationsFile: null,
        annotationWeight: 1,
        entitiesFile: null,
        splitHashtags: false,
        domainIntercepts: false,
        extraSources: [],
        selfTraining: null,
        quick: true,
        log: (line) => logged.push(line),
      },
      es: ctx.es,
      prefix,
      shippedDir: DEFAULT_MODEL_DIR,
      since: '2026-12-01',
      holdoutShare: 0.2,
      loadOptions: { backend: 'wasm' },
      clock,
      log: (line) => logged.push(line),
    });
    const seconds = (performance.now() - started) / 1000;

    expect(result.feedback.decided).toBe(120);
    expect(result.feedback.trained + result.feedback.heldOut).toBe(120);
    expect(result.feedback.heldOut).toBeGreaterThan(10);
    expect(logged.some((l) => l.startsWith('feedback: 120 label decisions since 2026-12-01'))).toBe(true);
    expect(logged.some((l) => l.startsWith('epoch 6/6'))).toBe(true);
    expect(logged).toContain('registered pantau-id-fb-test as a candidate');

    // The side by side: both models, the same rows, saved next to the candidate.
    const saved = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8')) as Comparison;
    expect(saved).toEqual(JSON.parse(JSON.stringify(result.comparison)));
    expect(saved.active).toBe(readModelVersion(DEFAULT_MODEL_DIR));
    expect(saved.candidate).toBe('pantau-id-fb-test');
    expect(saved.created_at).toBe('2026-12-03T01:00:00.000Z');
    expect(saved.sets.feedback_holdout!.rows).toBe(result.feedback.heldOut);
    const held = saved.sets.feedback_holdout!.labels.hate_speech!;
    expect(held.active.support).toBeGreaterThan(0);
    expect(held.delta.f1).toBeCloseTo(held.candidate.f1 - held.active.f1, 10);
    expect(saved.sets.dev!.rows).toBe(result.train.dev.length);
    expect(saved.sets.dev!.labels.abusive!.active.support).toBeGreaterThan(0);
    const card = readFileSync(join(out, 'MODEL_CARD.md'), 'utf8');
    expect(card).toContain('## Compared with the active model');
    expect(card).toContain('Held-out analyst feedback');

    // The candidate learned hate speech from the decisions alone, and it shows on posts it did not train on.
    const candidate = await loadClassifier({ modelDir: out, backend: 'wasm' });
    try {
      const [insult, kind] = await candidate.classify(['dasar kadal gurun bogor', 'hebat kerjanya bogor']);
      expect(insult!.scores.hate_speech).toBeGreaterThan(kind!.scores.hate_speech + 0.2);
    } finally {
      candidate.dispose();
    }
    expect(held.candidate.f1).toBeGreaterThan(0.8);

    // Registered as a candidate with its summary; the active model is unchanged.
    const registry = new ModelRegistry(ctx.es, prefix, { clock, shippedDir: DEFAULT_MODEL_DIR });
    const listed = await registry.list();
    const entry = listed.versions.find((v) => v.version === 'pantau-id-fb-test')!;
    expect(entry).toMatchObject({ status: 'candidate', path: out, created_at: '2026-12-03T01:00:00.000Z' });
    expect(entry.comparison!.against).toBe(saved.active);
    expect(entry.comparison!.sets.feedback_holdout!.labels.hate_speech!.f1Delta).toBeCloseTo(held.delta.f1, 3);
    expect(listed.active.version).toBe(saved.active);
    expect(existsSync(join(out, 'weights.bin'))).toBe(true);
    console.info(`feedback training (120 decided posts, 120 base rows, quick): ${seconds.toFixed(1)} s; held-out hate_speech F1 active ${held.active.f1.toFixed(3)} → candidate ${held.candidate.f1.toFixed(3)}`);
  }, 120_000);

  it('refuses to train on too little feedback', async () => {
    await expect(
      trainWithFeedback({
        pipeline: {} as never,
        es: ctx.es,
        prefix,
        shippedDir: DEFAULT_MODEL_DIR,
        since: '2026-12-04',
        clock: fixedClock('2026-12-03T01:00:00Z'),
        log: () => undefined,
      }),
    ).rejects.toMatchObject({ code: 'feedback_too_small' });
  });
});
