import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../../src/core/log.ts';
import { SeenSet } from '../../src/sources/seen-set.ts';
import { openStateStore } from '../../src/sources/state-store.ts';

const schema = z.object({ cursor: z.string().nullable(), seen: z.array(z.string()) });
const open = (dir: string) => openStateStore({ dir, key: 'json_api-lapor', schema, initial: () => ({ cursor: null, seen: [] }), logger: silentLogger });

describe('state store', () => {
  it('starts from the initial state, saves atomically, and reads back what it saved', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'pantau-state-')), 'nested', '.state');
    const store = open(dir);
    expect(await store.load()).toEqual({ cursor: null, seen: [] });
    await store.save({ cursor: 'c1', seen: ['a'] });
    await Promise.all([store.save({ cursor: 'c2', seen: ['a', 'b'] }), store.save({ cursor: 'c3', seen: ['a', 'b', 'c'] })]);
    expect(await open(dir).load()).toEqual({ cursor: 'c3', seen: ['a', 'b', 'c'] });
    expect(readdirSync(dir)).toEqual(['json_api-lapor.json']); // no temporary files left behind
  });

  it('moves an unreadable or incompatible state aside and starts afresh', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pantau-state-'));
    writeFileSync(join(dir, 'json_api-lapor.json'), '{"cursor": "c9", "seen": [');
    expect(await open(dir).load()).toEqual({ cursor: null, seen: [] });
    const aside = readdirSync(dir).find((f) => f.startsWith('json_api-lapor.json.corrupt-'));
    expect(aside).toBeDefined();
    expect(readFileSync(join(dir, aside!), 'utf8')).toContain('"c9"');

    writeFileSync(join(dir, 'json_api-lapor.json'), JSON.stringify({ cursor: 5 }));
    expect(await open(dir).load()).toEqual({ cursor: null, seen: [] });
  });

  it('reports a state that cannot be written as a retriable error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pantau-state-'));
    writeFileSync(join(dir, 'file-not-dir'), 'x');
    const store = open(join(dir, 'file-not-dir'));
    await expect(store.save({ cursor: null, seen: [] })).rejects.toMatchObject({ code: 'state_write', retriable: true, stage: 'receiving' });
  });
});

describe('SeenSet', () => {
  it('forgets the oldest ids beyond its limit, and seeing an id again makes it young', () => {
    const seen = new SeenSet(3, ['a', 'b', 'c']);
    seen.add('a');
    seen.add('d');
    expect(seen.toArray()).toEqual(['c', 'a', 'd']);
    expect(seen.has('b')).toBe(false);
    expect(new SeenSet(2, ['x', 'y', 'z']).toArray()).toEqual(['y', 'z']);
  });
});
