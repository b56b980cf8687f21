/**
 * Elasticsearch refuses to run as root. When we are root it runs as the system user `pantau-es` (created on
 * first use), and its files must be reachable by that user.
 *
 * Why the install may live outside .services/: CI clones the repo into a `mktemp -d` folder, which is mode
 * 0700 and owned by root, so `pantau-es` cannot traverse into the project at all. When that is the case the
 * Elasticsearch install, data and logs go to /var/tmp/pantau-services-<hash of the .services path>/
 * elasticsearch instead (a root-owned 0755 folder, with only the `elasticsearch` folder inside it owned by
 * `pantau-es`). The chosen folder is recorded in .services/run/elasticsearch.json, so `status` and `down`
 * find it again.
 */
import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PantauError } from '../core/errors.ts';
import { servicesDir } from './paths.ts';
import { run } from './process.ts';
import { ELASTICSEARCH_USER } from './settings.ts';

export interface RunAs {
  user: string;
  uid: number;
  gid: number;
}

function userError(message: string, cause?: unknown): PantauError {
  return new PantauError(message, { stage: 'services', code: 'elasticsearch_user', retriable: false, cause });
}

async function lookUp(user: string): Promise<RunAs | undefined> {
  const uid = await run('id', ['-u', user]);
  const gid = await run('id', ['-g', user]);
  if (uid.code !== 0 || gid.code !== 0) return undefined;
  return { user, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** The user to run Elasticsearch as: undefined when we are not root (then it runs as us). */
export async function elasticsearchRunAs(log: (line: string) => void): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const existing = await lookUp(ELASTICSEARCH_USER);
  if (existing) return existing;
  log(`creating system user ${ELASTICSEARCH_USER} to run Elasticsearch (it refuses to run as root)…`);
  const created = await run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', ELASTICSEARCH_USER]).catch(
    (error: unknown) => {
      throw userError(`cannot create user ${ELASTICSEARCH_USER}: useradd is not available`, error);
    },
  );
  // Exit code 9 = the user appeared meanwhile (a concurrent `up`), which is fine.
  const user = await lookUp(ELASTICSEARCH_USER);
  if (!user) throw userError(`cannot create user ${ELASTICSEARCH_USER} (useradd exit code ${created.code}): ${created.stderr.trim()}`);
  return user;
}

/** `command args` wrapped to run as `runAs` (setpriv execs in place, so the pid stays the command's own). */
export function asUser(runAs: RunAs | undefined, command: string, args: string[]): [string, string[]] {
  if (!runAs) return [command, args];
  return ['setpriv', [`--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--clear-groups', '--', command, ...args]];
}

/** The root-owned folder used when the Elasticsearch user cannot reach .services/ (one per .services path). */
export function fallbackElasticsearchBase(): string {
  return `/var/tmp/pantau-services-${createHash('sha256').update(servicesDir()).digest('hex').slice(0, 12)}`;
}

/**
 * The folder for Elasticsearch's install, data and logs: .services/<relative> when the user can reach it,
 * else <fallback base>/<fallbackName>. The local cluster passes its own pair ('cluster/elasticsearch').
 */
export async function chooseElasticsearchRoot(runAs: RunAs | undefined, relative = 'elasticsearch', fallbackName = 'elasticsearch'): Promise<string> {
  const preferred = join(servicesDir(), relative);
  if (!runAs) return preferred;
  await mkdir(servicesDir(), { recursive: true });
  const [command, args] = asUser(runAs, 'test', ['-x', servicesDir()]);
  const probe = await run(command, args).catch((error: unknown) => {
    throw userError('setpriv (util-linux) is needed to run Elasticsearch as an unprivileged user', error);
  });
  if (probe.code === 0) return preferred;

  const base = fallbackElasticsearchBase();
  await mkdir(base, { recursive: true, mode: 0o755 });
  // /var/tmp is world-writable: only trust a real directory that root owns (not a planted symlink).
  const info = await lstat(base);
  if (!info.isDirectory() || info.uid !== 0) throw userError(`${base} exists but is not a root-owned directory; remove it and run again`);
  await chmod(base, 0o755);
  return join(base, fallbackName);
}
