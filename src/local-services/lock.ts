/**
 * Serialises `up` and `down` across processes (the app, a test run and a terminal may all call `up` at once):
 * an exclusive-create lock file holding the owner's pid. A lock whose owner died is taken over.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PantauError } from '../core/errors.ts';
import { runDir } from './paths.ts';
import { isAlive, sleep } from './process.ts';

const LOCK_WAIT_MS = 10 * 60_000;

/** `dir` holds the lock file: .services/run for the single-node services, the cluster has its own. */
export async function withLock<T>(log: (line: string) => void, action: () => Promise<T>, dir = runDir()): Promise<T> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'lock');
  const deadline = Date.now() + LOCK_WAIT_MS;
  let announced = false;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    // An empty file means the owner is between create and write: give it a moment rather than stealing.
    if (owner > 0 && owner !== process.pid && !(await isAlive(owner))) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new PantauError(`another "services" command (pid ${owner}) has held ${path} for too long; remove it if that process is stuck`, {
        stage: 'services',
        code: 'services_locked',
        retriable: true,
      });
    }
    if (!announced) log(`waiting for another "services" command (pid ${owner || '?'}) to finish…`);
    announced = true;
    await sleep(250);
  }
  try {
    return await action();
  } finally {
    await rm(path, { force: true });
  }
}
