/**
 * Which key pseudonymises authors, decided once per process. On by default:
 *
 *   PANTAU_AUTHOR_KEY set           that key (`env`); every machine of a deployment must set the same one
 *   PANTAU_AUTHOR_PSEUDONYMS=off    no key: handles kept as the sources give them (`off`, logged as a warning)
 *   the demo (`pantau demo`)        no key unless PANTAU_AUTHOR_KEY is set: its readers must see the sample (`demo`)
 *   otherwise                       a random key made once in `<state dir>/author-key` (mode 0600) and reused (`file`)
 *
 * A generated key is per machine: two machines with their own files give one author two pseudonyms, so a
 * deployment on several machines sets PANTAU_AUTHOR_KEY everywhere (copy the file's content into it).
 * The key itself is never logged: it is registered for redaction (core/redact.ts) as soon as it is known.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PantauError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { registerSecret } from '../core/redact.ts';

export const AUTHOR_KEY_FILE = 'author-key';

export type AuthorKeySource = 'env' | 'file' | 'off' | 'demo';

export interface AuthorKeyResolution {
  /** Undefined when authors are kept as they are (`off`, `demo`). */
  key: string | undefined;
  source: AuthorKeySource;
  /** The key file, for `file`. */
  file?: string;
  /** True when this call generated the file. */
  created?: boolean;
}

export interface ResolveAuthorKeyOptions {
  /** PANTAU_AUTHOR_KEY and PANTAU_AUTHOR_PSEUDONYMS are read from here (already validated by loadConfig). */
  env: { PANTAU_AUTHOR_KEY?: string | undefined; PANTAU_AUTHOR_PSEUDONYMS?: string | undefined };
  stateDir: string;
  /** `demo` keeps handles unless a key is set explicitly. */
  mode: 'run' | 'demo';
  /**
   * False for commands that only look up (export, retention): a key made now would match nothing stored,
   * so a missing file is refused instead of created.
   */
  create?: boolean;
  logger?: Logger;
}

const configError = (message: string, code: string) => new PantauError(message, { stage: 'config', code, retriable: false });

/** Describes a resolution without the key: what `pantau validate` and the start-up log print. */
export function describeAuthorKey(r: AuthorKeyResolution): string {
  switch (r.source) {
    case 'env':
      return 'on, key from PANTAU_AUTHOR_KEY';
    case 'file':
      return `on, key generated in ${r.file}${r.created ? ' (just created)' : ''}; set PANTAU_AUTHOR_KEY to share it between machines`;
    case 'off':
      return 'off (PANTAU_AUTHOR_PSEUDONYMS=off): authors are stored as the sources give them';
    case 'demo':
      return 'off for the demo: the sample keeps its handles (set PANTAU_AUTHOR_KEY to pseudonymise)';
  }
}

function readKeyFile(file: string, logger: Logger | undefined): string {
  const key = readFileSync(file, 'utf8').trim();
  if (key.length < 32) throw configError(`the author key file ${file} holds no usable key (under 32 characters); remove it to have a new one made, or set PANTAU_AUTHOR_KEY`, 'author_key_invalid');
  // A key others can read is a key others can use to test guesses: tighten it rather than refuse.
  if ((statSync(file).mode & 0o077) !== 0) {
    chmodSync(file, 0o600);
    logger?.warn('author key file was readable by others; its mode is now 0600', { file });
  }
  return key;
}

/**
 * Creates the key file atomically: the key is written to a private temporary file, then hard-linked to its
 * name, which fails if another process got there first; that process's key is then used.
 */
function createKeyFile(file: string): boolean {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(tmp);
  }
}

export function resolveAuthorKey(options: ResolveAuthorKeyOptions): AuthorKeyResolution {
  const { env, logger } = options;
  const switchValue = env.PANTAU_AUTHOR_PSEUDONYMS?.trim().toLowerCase();
  if (switchValue !== undefined && switchValue !== '' && switchValue !== 'on' && switchValue !== 'off') {
    throw configError(`PANTAU_AUTHOR_PSEUDONYMS takes on or off, got "${env.PANTAU_AUTHOR_PSEUDONYMS}"`, 'env_invalid');
  }
  const explicitKey = env.PANTAU_AUTHOR_KEY;
  if (switchValue === 'off') {
    if (explicitKey) throw configError('PANTAU_AUTHOR_PSEUDONYMS=off and PANTAU_AUTHOR_KEY are both set: unset one of them', 'env_invalid');
    logger?.warn('author pseudonymisation is off (PANTAU_AUTHOR_PSEUDONYMS=off): handles are stored and alerted as the sources give them');
    return { key: undefined, source: 'off' };
  }
  if (explicitKey) {
    registerSecret(explicitKey);
    return { key: explicitKey, source: 'env' };
  }
  if (options.mode === 'demo') return { key: undefined, source: 'demo' };
  const file = join(options.stateDir, AUTHOR_KEY_FILE);
  let created = false;
  try {
    statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw configError(`cannot read the author key file ${file}: ${(error as Error).message}`, 'author_key_unreadable');
    if (options.create === false) {
      throw configError(`no author key here: PANTAU_AUTHOR_KEY is not set and ${file} does not exist. Set PANTAU_AUTHOR_KEY to the key the sources use, run where that file is, or set PANTAU_AUTHOR_PSEUDONYMS=off if authors were never pseudonymised`, 'author_key_missing');
    }
    mkdirSync(options.stateDir, { recursive: true });
    created = createKeyFile(file);
  }
  const key = readKeyFile(file, logger);
  registerSecret(key);
  if (created) logger?.info('author key generated for pseudonyms; set PANTAU_AUTHOR_KEY to share it with other machines', { file });
  return { key, source: 'file', file, created };
}

/** The state directory: PANTAU_STATE_DIR, else `.state/` in the project (where the sources keep theirs). */
export function stateDirOf(config: { stateDir: string | undefined }, fallback: string): string {
  return config.stateDir ?? fallback;
}

/**
 * Resolves the key for a loaded config and puts it in `config.authorKey`, where the sources, `pantau ingest`
 * and the classify stage's trusted-publisher matcher read it. Call once per process, before anything starts.
 */
export function applyAuthorKey(
  config: { authorKey: string | undefined; authorPseudonyms: 'on' | 'off'; stateDir: string | undefined },
  options: { mode: 'run' | 'demo'; defaultStateDir: string; create?: boolean; logger?: Logger },
): AuthorKeyResolution {
  const resolution = resolveAuthorKey({
    env: { PANTAU_AUTHOR_KEY: config.authorKey, PANTAU_AUTHOR_PSEUDONYMS: config.authorPseudonyms },
    stateDir: stateDirOf(config, options.defaultStateDir),
    mode: options.mode,
    ...(options.create === undefined ? {} : { create: options.create }),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  config.authorKey = resolution.key;
  return resolution;
}
