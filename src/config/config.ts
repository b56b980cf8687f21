/**
 * Run-time configuration: the pipeline file plus the environment (where the clusters are, secrets, ports).
 * Parsed once at start-up; every message names the variable to fix.
 *
 * No KAFKA_BROKERS / ELASTICSEARCH_URL means "local development": the CLI starts the local services
 * (`npm run services`). Set both to point at existing clusters, as production does, and nothing local starts.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { PantauError } from '../core/errors.ts';
import { registerSecret } from '../core/redact.ts';
import { DEFAULT_PIPELINE_FILE, loadPipelineFile, type PipelineDefinition } from './pipeline.ts';

const envSchema = z.object({
  KAFKA_BROKERS: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((b) => b.trim()).filter(Boolean) : undefined))
    .pipe(z.array(z.string().regex(/^[^:\s]+:\d{1,5}$/, 'each broker must be host:port')).min(1).optional()),
  KAFKA_SASL_MECHANISM: z
    .string()
    .optional()
    .transform((v) => v?.toLowerCase())
    .pipe(z.enum(['plain', 'scram-sha-256', 'scram-sha-512'], 'plain, scram-sha-256 or scram-sha-512').optional()),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  KAFKA_SSL: z.enum(['true', 'false'], 'true or false').optional(),
  KAFKA_SSL_CA: z.string().min(1).optional(),
  // One node, or several separated by commas: the client then fails over between them.
  ELASTICSEARCH_URL: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((u) => u.trim()).filter(Boolean) : undefined))
    .pipe(z.array(z.url('each URL must be a full http(s):// URL')).min(1).optional()),
  ELASTICSEARCH_CA_FILE: z.string().min(1).optional(),
  ELASTICSEARCH_CA_FINGERPRINT: z
    .string()
    .regex(/^([0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$/, 'the SHA-256 fingerprint of the CA certificate: 64 hex digits, colons allowed')
    .optional(),
  ELASTICSEARCH_API_KEY: z.string().min(1).optional(),
  ELASTICSEARCH_DASHBOARD_API_KEY: z.string().min(1).optional(),
  ELASTICSEARCH_DASHBOARD_USERNAME: z.string().min(1).optional(),
  ELASTICSEARCH_DASHBOARD_PASSWORD: z.string().min(1).optional(),
  ELASTICSEARCH_USERNAME: z.string().min(1).optional(),
  ELASTICSEARCH_PASSWORD: z.string().min(1).optional(),
  PANTAU_PIPELINE: z.string().min(1).optional(),
  PANTAU_INDEX_PREFIX: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/).optional(),
  PANTAU_WEBHOOK_URL: z.url().optional(),
  PANTAU_MODEL_DIR: z.string().min(1).optional(),
  PANTAU_HTTP_HOST: z.string().min(1).optional(),
  PANTAU_HTTP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  PANTAU_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  PANTAU_AUTHOR_KEY: z.string().min(16, 'use at least 16 characters of secret').optional(),
  PANTAU_AUTHOR_PSEUDONYMS: z.enum(['on', 'off'], 'on or off').optional(),
  PANTAU_STATE_DIR: z.string().min(1).optional(),
  PANTAU_DESK_LINK_SECRET: z.string().min(32, 'use at least 32 characters of secret (e.g. openssl rand -hex 32)').optional(),
  PANTAU_DESK_API_KEY: z
    .undefined({ message: 'is no longer used: the desk API now takes API tokens; create one with `npm run pantau -- users token create --name NAME --role humas --unit UNIT` and unset PANTAU_DESK_API_KEY' })
    .optional(),
  PANTAU_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
});

/** How to reach Elasticsearch besides its URL: credentials and the CA to trust. */
/** Every variable loadConfig reads (others, like LOG_LEVEL or channel secrets, are read where they are used). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export interface ElasticsearchAuth {
  apiKey?: string;
  username?: string;
  password?: string;
  /** PEM of the CA that signed the nodes' certificates (ELASTICSEARCH_CA_FILE). */
  ca?: string;
  /** SHA-256 fingerprint of that CA, as Elasticsearch prints it on first start (ELASTICSEARCH_CA_FINGERPRINT). */
  caFingerprint?: string;
}

/** Transport security towards Kafka: TLS (with an own CA or the system's) and SASL. Empty: plaintext. */
export interface KafkaSecurity {
  ssl?: { ca?: string[] };
  sasl?: KafkaSasl;
}

type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';
/** One object type per mechanism, as KafkaJS types it. */
export type KafkaSasl = { [M in SaslMechanism]: { mechanism: M; username: string; password: string } }[SaslMechanism];

export interface AppConfig {
  pipeline: PipelineDefinition;
  /** Folder of the pipeline file: template paths are relative to it. */
  pipelineDir: string;
  /** Undefined when not configured: the CLI then starts local services. */
  kafkaBrokers: string[] | undefined;
  kafkaSecurity: KafkaSecurity;
  /** One URL, or several joined by commas (see createElasticsearchClient). */
  elasticsearchUrl: string | undefined;
  elasticsearchAuth: ElasticsearchAuth;
  /**
   * Read-only credentials for the dashboard routes of `pantau serve` (ELASTICSEARCH_DASHBOARD_API_KEY, or
   * ELASTICSEARCH_DASHBOARD_USERNAME + _PASSWORD); undefined: the server's own. Same URL and CA.
   */
  elasticsearchDashboardAuth: ElasticsearchAuth | undefined;
  webhookUrl: string | undefined;
  modelDir: string | undefined;
  /**
   * Key for pseudonymising authors: PANTAU_AUTHOR_KEY here; the CLI then resolves the key in use
   * (privacy/author-key.ts: generated file, off, demo) and sets it. Unset keeps handles as they are.
   */
  authorKey: string | undefined;
  /** PANTAU_AUTHOR_PSEUDONYMS: `off` turns pseudonyms off explicitly; default on. */
  authorPseudonyms: 'on' | 'off';
  /** PANTAU_STATE_DIR: sources' state and the generated author key; undefined: `.state/` in the project. */
  stateDir: string | undefined;
  /** Signs the lifecycle links in desk alerts; unset: a random one per process (links die with it). */
  deskLinkSecret: string | undefined;
}

/** The password of a URL's userinfo, decoded, or undefined. */
function safePassword(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

function configError(message: string): PantauError {
  return new PantauError(message, { stage: 'config', code: 'env_invalid', retriable: false });
}

/** A PEM file named by an environment variable, read now so a wrong path fails at start-up. */
function readPem(variable: string, path: string): string {
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch (cause) {
    throw configError(`${variable}: cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw configError(`${variable}: ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return text;
}

type Env = z.infer<typeof envSchema>;

function kafkaSecurityFrom(e: Env): KafkaSecurity {
  const security: KafkaSecurity = {};
  if (e.KAFKA_SSL_CA) security.ssl = { ca: [readPem('KAFKA_SSL_CA', e.KAFKA_SSL_CA)] };
  else if (e.KAFKA_SSL === 'true') security.ssl = {};
  if (e.KAFKA_SSL === 'false' && e.KAFKA_SSL_CA) throw configError('KAFKA_SSL=false contradicts KAFKA_SSL_CA (a CA is only used with TLS); unset one of them');
  const saslSet = [e.KAFKA_SASL_MECHANISM, e.KAFKA_SASL_USERNAME, e.KAFKA_SASL_PASSWORD].filter((v) => v !== undefined).length;
  if (saslSet > 0 && saslSet < 3) throw configError('set KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD together, or none of them');
  if (e.KAFKA_SASL_MECHANISM && e.KAFKA_SASL_USERNAME && e.KAFKA_SASL_PASSWORD) {
    // PLAIN sends the password as it is: only over TLS.
    if (e.KAFKA_SASL_MECHANISM === 'plain' && !security.ssl) throw configError('KAFKA_SASL_MECHANISM=plain sends the password in clear text: set KAFKA_SSL=true or KAFKA_SSL_CA too');
    security.sasl = { mechanism: e.KAFKA_SASL_MECHANISM, username: e.KAFKA_SASL_USERNAME, password: e.KAFKA_SASL_PASSWORD };
  }
  if ((security.ssl || security.sasl) && !e.KAFKA_BROKERS) throw configError('KAFKA_SSL / KAFKA_SSL_CA / KAFKA_SASL_* describe a configured cluster: set KAFKA_BROKERS too');
  return security;
}

function elasticsearchTlsFrom(e: Env): Pick<ElasticsearchAuth, 'ca' | 'caFingerprint'> {
  if (!e.ELASTICSEARCH_CA_FILE && !e.ELASTICSEARCH_CA_FINGERPRINT) return {};
  if (!e.ELASTICSEARCH_URL?.every((url) => url.startsWith('https:'))) {
    throw configError('ELASTICSEARCH_CA_FILE / ELASTICSEARCH_CA_FINGERPRINT need ELASTICSEARCH_URL with https:// (a CA only matters for TLS)');
  }
  return {
    ...(e.ELASTICSEARCH_CA_FILE ? { ca: readPem('ELASTICSEARCH_CA_FILE', e.ELASTICSEARCH_CA_FILE) } : {}),
    // The client wants it upper-case with colons, as Elasticsearch prints it.
    ...(e.ELASTICSEARCH_CA_FINGERPRINT
      ? { caFingerprint: (e.ELASTICSEARCH_CA_FINGERPRINT.replaceAll(':', '').toUpperCase().match(/../g) ?? []).join(':') }
      : {}),
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new PantauError(`invalid environment: ${detail}`, { stage: 'config', code: 'env_invalid', retriable: false });
  }
  const e = parsed.data;
  if ((e.ELASTICSEARCH_USERNAME === undefined) !== (e.ELASTICSEARCH_PASSWORD === undefined)) {
    throw configError('set both ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD, or neither');
  }
  if ((e.ELASTICSEARCH_DASHBOARD_USERNAME === undefined) !== (e.ELASTICSEARCH_DASHBOARD_PASSWORD === undefined)) {
    throw configError('set both ELASTICSEARCH_DASHBOARD_USERNAME and ELASTICSEARCH_DASHBOARD_PASSWORD, or neither');
  }
  const kafkaSecurity = kafkaSecurityFrom(e);
  const esTls = elasticsearchTlsFrom(e);
  // From here on, these values are removed from every log line, stored error and answer (core/redact.ts).
  for (const secret of [
    e.ELASTICSEARCH_PASSWORD,
    e.ELASTICSEARCH_API_KEY,
    e.ELASTICSEARCH_DASHBOARD_API_KEY,
    e.ELASTICSEARCH_DASHBOARD_PASSWORD,
    e.KAFKA_SASL_PASSWORD,
    e.PANTAU_WEBHOOK_URL,
    e.PANTAU_AUTHOR_KEY,
    e.PANTAU_DESK_LINK_SECRET,
  ])
    registerSecret(secret);
  for (const url of e.ELASTICSEARCH_URL ?? []) registerSecret(safePassword(url));
  const pipelineFile = e.PANTAU_PIPELINE ? resolve(e.PANTAU_PIPELINE) : DEFAULT_PIPELINE_FILE;
  const pipeline = loadPipelineFile(pipelineFile);
  if (e.PANTAU_INDEX_PREFIX) pipeline.elasticsearch.indexPrefix = e.PANTAU_INDEX_PREFIX;
  if (e.PANTAU_HTTP_HOST) pipeline.http.host = e.PANTAU_HTTP_HOST;
  if (e.PANTAU_HTTP_PORT !== undefined) pipeline.http.port = e.PANTAU_HTTP_PORT;
  if (e.PANTAU_METRICS_PORT !== undefined) pipeline.metrics.port = e.PANTAU_METRICS_PORT;
  if (e.PANTAU_PUBLIC_URL) pipeline.desk.publicBaseUrl = e.PANTAU_PUBLIC_URL;
  return {
    pipeline,
    pipelineDir: dirname(pipelineFile),
    kafkaBrokers: e.KAFKA_BROKERS,
    kafkaSecurity,
    elasticsearchUrl: e.ELASTICSEARCH_URL?.join(','),
    elasticsearchAuth: {
      ...(e.ELASTICSEARCH_API_KEY ? { apiKey: e.ELASTICSEARCH_API_KEY } : {}),
      ...(e.ELASTICSEARCH_USERNAME ? { username: e.ELASTICSEARCH_USERNAME, password: e.ELASTICSEARCH_PASSWORD } : {}),
      ...esTls,
    },
    elasticsearchDashboardAuth:
      e.ELASTICSEARCH_DASHBOARD_API_KEY || e.ELASTICSEARCH_DASHBOARD_USERNAME
        ? {
            ...esTls,
            ...(e.ELASTICSEARCH_DASHBOARD_API_KEY ? { apiKey: e.ELASTICSEARCH_DASHBOARD_API_KEY } : {}),
            ...(e.ELASTICSEARCH_DASHBOARD_USERNAME ? { username: e.ELASTICSEARCH_DASHBOARD_USERNAME, password: e.ELASTICSEARCH_DASHBOARD_PASSWORD } : {}),
          }
        : undefined,
    webhookUrl: e.PANTAU_WEBHOOK_URL,
    modelDir: e.PANTAU_MODEL_DIR,
    authorKey: e.PANTAU_AUTHOR_KEY,
    authorPseudonyms: e.PANTAU_AUTHOR_PSEUDONYMS ?? 'on',
    stateDir: e.PANTAU_STATE_DIR,
    deskLinkSecret: e.PANTAU_DESK_LINK_SECRET,
  };
}
