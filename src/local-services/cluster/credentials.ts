/**
 * The cluster's passwords, generated once into .services/cluster/credentials.json (mode 0600). Kafka bakes
 * its SCRAM credentials into the storage when it is formatted, so this file must outlive the brokers' data:
 * losing it means wiping .services/cluster (see missingCredentialsError).
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PantauError } from '../../core/errors.ts';
import { credentialsPath } from './settings.ts';

export interface Account {
  username: string;
  password: string;
}

export interface ClusterCredentials {
  /** Kafka inter-broker user (SCRAM-SHA-512). */
  kafkaAdmin: Account;
  /** Kafka user for pantau and the tests. */
  kafkaApp: Account;
  /** Elasticsearch file-realm superuser for pantau's setup and the tests. */
  elasticsearch: Account;
}

/** base64url: no character that a SCRAM `[name=…,password=…]` argument, a JAAS string or a URL would need escaped. */
const newPassword = (): string => randomBytes(24).toString('base64url');

export function generateCredentials(): ClusterCredentials {
  return {
    kafkaAdmin: { username: 'admin', password: newPassword() },
    kafkaApp: { username: 'pantau', password: newPassword() },
    elasticsearch: { username: 'pantau', password: newPassword() },
  };
}

function isAccount(value: unknown): value is Account {
  const a = value as Partial<Account> | undefined;
  return typeof a?.username === 'string' && typeof a.password === 'string' && a.username.length > 0 && a.password.length > 0;
}

export async function readCredentials(path = credentialsPath()): Promise<ClusterCredentials | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = JSON.parse(text) as Partial<ClusterCredentials>;
  if (!isAccount(parsed.kafkaAdmin) || !isAccount(parsed.kafkaApp) || !isAccount(parsed.elasticsearch)) {
    throw new PantauError(`${path} is not a credentials file written by "npm run services -- up --cluster"; remove .services/cluster and run up --cluster again`, {
      stage: 'services',
      code: 'cluster_credentials_invalid',
      retriable: false,
    });
  }
  return parsed as ClusterCredentials;
}

/** The stored credentials, created when there are none yet. */
export async function ensureCredentials(path = credentialsPath()): Promise<ClusterCredentials> {
  const existing = await readCredentials(path);
  if (existing) return existing;
  const fresh = generateCredentials();
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(path, 0o600);
  return fresh;
}

/** For callers that need the credentials of a cluster that should already exist. */
export async function requireCredentials(path = credentialsPath()): Promise<ClusterCredentials> {
  const existing = await readCredentials(path);
  if (existing) return existing;
  throw new PantauError(`${path} is missing: start the cluster first with "npm run services -- up --cluster"`, {
    stage: 'services',
    code: 'cluster_not_set_up',
    retriable: false,
  });
}

export function missingCredentialsError(dataDir: string): PantauError {
  return new PantauError(
    `Kafka storage in ${dataDir} was formatted with passwords from a credentials file that is gone; ` +
      'run "npm run services -- down --cluster", remove .services/cluster/kafka and run up --cluster again',
    { stage: 'services', code: 'cluster_credentials_lost', retriable: false },
  );
}
