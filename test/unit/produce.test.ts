import { describe, expect, it } from 'vitest';
import { chunkTopicMessages } from '../../src/bus/produce.ts';

const msgs = (n: number, bytes: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: 'x'.repeat(bytes) }));

describe('chunkTopicMessages', () => {
  it('keeps every message, in order, and each request under the byte budget', () => {
    const input = [
      { topic: 'posts.scored', messages: msgs(3000, 900) },
      { topic: 'alerts', messages: msgs(500, 1500) },
    ];
    const requests = chunkTopicMessages(input, 512 * 1024);
    expect(requests.length).toBeGreaterThan(5);
    for (const r of requests) {
      const bytes = r.flatMap((t) => t.messages).reduce((s, m) => s + String(m.key).length + String(m.value).length + 64, 0);
      expect(bytes).toBeLessThanOrEqual(512 * 1024);
    }
    for (const topic of ['posts.scored', 'alerts']) {
      const out = requests.flat().filter((t) => t.topic === topic).flatMap((t) => t.messages);
      expect(out).toEqual(input.find((t) => t.topic === topic)!.messages);
    }
  });

  it('sends a single message larger than the budget on its own rather than dropping it', () => {
    const requests = chunkTopicMessages([{ topic: 't', messages: [...msgs(1, 10), { key: 'big', value: 'y'.repeat(2000) }, ...msgs(1, 10)] }], 1000);
    expect(requests.map((r) => r[0]!.messages.length)).toEqual([1, 1, 1]);
  });

  it('makes no request for no messages', () => {
    expect(chunkTopicMessages([{ topic: 't', messages: [] }])).toEqual([]);
  });
});
