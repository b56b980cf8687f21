import { describe, expect, it } from 'vitest';
import { decisionTargets, feedbackExamples, isHeldOut, toTrainingExample, FEEDBACK_SOURCE } from '../../src/review/feedback.ts';
import { auditEntry, decidedPost } from '../helpers/audit-entries.ts';

describe('feedback examples from label decisions', () => {
  it('confirm and dismiss speak only about labels_before; relabel decides every label', () => {
    expect(decisionTargets({ action: 'confirm', labels_before: ['hate_speech', 'abusive'], labels_after: ['hate_speech', 'abusive'] })).toEqual({ hate_speech: 1, abusive: 1 });
    expect(decisionTargets({ action: 'dismiss', labels_before: ['hoax'], labels_after: [] })).toEqual({ hoax: 0 });
    expect(decisionTargets({ action: 'relabel', labels_before: ['hate_speech'], labels_after: ['abusive'] })).toEqual({ hate_speech: 0, abusive: 1, sara: 0, hoax: 0 });
    expect(decisionTargets({ action: 'relabel', labels_before: ['hoax'], labels_after: [] })).toEqual({ hate_speech: 0, abusive: 0, sara: 0, hoax: 0 });
    // Unknown labels (another model's) are ignored rather than trained on.
    expect(decisionTargets({ action: 'confirm', labels_before: ['spam', 'sara'], labels_after: ['spam', 'sara'] })).toEqual({ sara: 1 });
    expect(decisionTargets({ action: 'escalate', labels_before: ['hoax'], labels_after: ['hoax'] })).toEqual({});
  });

  it('the latest decision about a post wins, whatever order the entries come in', () => {
    const first = auditEntry({ action: 'confirm', at: '2026-11-30T23:59:59.000Z', posts: [decidedPost('a', 'dasar kadal gurun', ['hate_speech']), decidedPost('b', 'teks b', ['hate_speech'])] });
    const later = auditEntry({ action: 'dismiss', at: '2026-12-01T00:00:00.000Z', posts: [decidedPost('a', 'dasar kadal gurun', ['hate_speech'])] });
    const escalate = auditEntry({ action: 'escalate', at: '2026-12-02T00:00:00.000Z', posts: [decidedPost('b', 'teks b', ['hate_speech'])], unit: 'kominfo' });
    const examples = feedbackExamples([later, escalate, first]);
    const byId = Object.fromEntries(examples.map((e) => [e.post_id, e]));
    expect(byId.a!.labels).toEqual({ hate_speech: 0 });
    expect(byId.a!.action).toBe('dismiss');
    // An escalation says nothing about labels: the confirm stays.
    expect(byId.b!.labels).toEqual({ hate_speech: 1 });
    expect(examples).toHaveLength(2);
  });

  it('ties on time are broken by entry id, so two readers agree', () => {
    const at = '2026-12-01T10:00:00.000Z';
    const x = auditEntry({ id: 'x-1', action: 'confirm', at, posts: [decidedPost('p', 'teks', ['abusive'])] });
    const y = auditEntry({ id: 'x-2', action: 'dismiss', at, posts: [decidedPost('p', 'teks', ['abusive'])] });
    expect(feedbackExamples([y, x])[0]!.labels).toEqual({ abusive: 0 });
    expect(feedbackExamples([x, y])[0]!.labels).toEqual({ abusive: 0 });
  });

  it('leaves out posts whose decision names no label, and empty texts', () => {
    const noLabels = auditEntry({ action: 'confirm', at: '2026-12-01T00:00:00Z', reason_in_queue: 'uncertain', posts: [decidedPost('u', 'teks ragu', [], { review_flags: ['hoax'] })] });
    const noText = auditEntry({ action: 'dismiss', at: '2026-12-01T00:00:00Z', posts: [decidedPost('e', '   ', ['hoax'])] });
    expect(feedbackExamples([noLabels, noText])).toEqual([]);
  });

  it('holds out whole narratives, deterministically, near the asked share', () => {
    // Texts without digits (numbers normalise to one token, and copies are kept once).
    const word = (i: number) => String.fromCharCode(97 + (i % 26), 97 + (Math.floor(i / 26) % 26));
    const entries = Array.from({ length: 400 }, (_, i) =>
      auditEntry({ action: 'confirm', at: '2026-12-01T00:00:00Z', narrative_id: `n${i}`, posts: [decidedPost(`p${i}a`, `teks ${word(i)} satu`, ['abusive']), decidedPost(`p${i}b`, `teks ${word(i)} dua`, ['abusive'])] }),
    );
    const examples = feedbackExamples(entries, { holdoutShare: 0.25 });
    expect(examples).toHaveLength(800);
    const heldNarratives = new Set(examples.filter((e) => e.holdout).map((e) => e.group));
    for (const e of examples) expect(e.holdout).toBe(heldNarratives.has(e.group));
    expect(heldNarratives.size / 400).toBeGreaterThan(0.18);
    expect(heldNarratives.size / 400).toBeLessThan(0.32);
    expect(isHeldOut('n7', 0.25)).toBe(isHeldOut('n7', 0.25));
    expect(feedbackExamples(entries, { holdoutShare: 0 }).some((e) => e.holdout)).toBe(false);
  });

  it('keeps distinct texts and at most a few posts of a narrative decided in bulk', () => {
    const copies = Array.from({ length: 40 }, (_, i) => decidedPost(`c${String(i).padStart(2, '0')}`, i < 30 ? 'Dasar KADAL gurun!!' : `dasar kadal gurun versi ${'abcdefghij'[i - 30]}`, ['hate_speech']));
    const examples = feedbackExamples([auditEntry({ action: 'confirm', at: '2026-12-01T00:00:00Z', narrative_id: 'big', posts: copies })], { maxPerNarrative: 5 });
    // The 30 exact copies (after normalisation) are one text; 5 kept in all, the first by post id.
    expect(examples.map((e) => e.post_id)).toEqual(['c00', 'c30', 'c31', 'c32', 'c33']);
    const single = feedbackExamples([auditEntry({ action: 'confirm', at: '2026-12-01T00:00:00Z', posts: [decidedPost('x1', 'Dasar KADAL gurun!!', ['hate_speech'])] })]);
    expect(single).toHaveLength(1);
  });

  it('becomes a masked, weighted training row pinned to train', () => {
    const [f] = feedbackExamples([auditEntry({ action: 'dismiss', at: '2026-12-01T00:00:00Z', posts: [decidedPost('p1', 'presiden hebat', ['hate_speech'])] })]);
    expect(toTrainingExample(f!, 4)).toEqual({ text: 'presiden hebat', labels: { hate_speech: 0 }, source: FEEDBACK_SOURCE, split: 'train', weight: 4, id: 'p1' });
  });
});
