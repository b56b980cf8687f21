/**
 * What a source remembers across restarts (seen item ids, an API cursor, a file's progress): one small JSON
 * file per source under the state directory (default `.state/` in the project root).
 *
 * Writes are atomic: the new state goes to a temporary file in the same folder, is flushed to disk, then
 * renamed over the old one, so a crash leaves either the old or the new state, never half of one.
 * A state file that cannot be read back (corrupt, or written by an incompatible version) is moved aside as
 * `<file>.corrupt-<time>` and the source starts afresh: that may publish items again, which downstream
 * idempotence absorbs, whereas refusing to start would stop ingestion until someone intervenes.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { PROJECT_ROOT } from '../core/paths.ts';
import { PantauError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { formatIssues } from '../core/post.ts';

/** Where sources keep their state unless the deployment says otherwise. */
export const DEFAULT_STATE_DIR = resolve(PROJECT_ROOT, '.state');

export interface StateStore<T> {
  readonly file: string;
  /** The saved state, or `initial` when there is none (or it was unreadable and moved aside). */
  load(): Promise<T>;
  /** Resolves once the state is durably on disk. Throws a retriable PantauError `state_write`. */
  save(state: T): Promise<void>;
}

export interface StateStoreOptions<T> {
  dir: string;
  /** File name without extension; callers use `<type>-<source name>` so two kinds of source never share one. */
  key: string;
  schema: z.ZodType<T>;
  initial: () => T;
  logger: Logger;
}

export function openStateStore<T>(options: StateStoreOptions<T>): StateStore<T> {
  const file = join(options.dir, `${options.key}.json`);
  // Saves are chained so two saves of one source can never interleave their renames.
  let last: Promise<void> = Promise.resolve();

  const moveAside = async (why: string) => {
    const aside = `${file}.corrupt-${Date.now()}`;
    options.logger.error('source state unreadable; moved aside, starting afresh', { file, aside, why });
    await rename(file, aside).catch(() => {});
  };

  const load = async (): Promise<T> => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return options.initial();
      throw new PantauError(`cannot read source state ${file}: ${(cause as Error).message}`, {
        stage: 'receiving',
        code: 'state_read',
        retriable: true,
        cause,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      await moveAside((error as Error).message);
      return options.initial();
    }
    const parsed = options.schema.safeParse(json);
    if (!parsed.success) {
      await moveAside(formatIssues(parsed.error));
      return options.initial();
    }
    return parsed.data;
  };

  const write = async (state: T) => {
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(options.dir, { recursive: true });
      const handle = await open(tmp, 'w');
      try {
        await handle.writeFile(JSON.stringify(state) + '\n');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, file);
    } catch (cause) {
      await rm(tmp, { force: true }).catch(() => {});
      throw new PantauError(`cannot write source state ${file}: ${(cause as Error).message}`, {
        stage: 'receiving',
        code: 'state_write',
        retriable: true,
        cause,
      });
    }
  };

  return {
    file,
    load,
    save: (state) => {
      const next = last.then(() => write(state));
      last = next.catch(() => {});
      return next;
    },
  };
}
