/**
 * Run-time configuration: the pipeline file plus the environment (where the clusters are, secrets, ports).
 * Parsed once at start-up; every message names the variable to fix.
 *
 * No KAFKA_BROKERS / ELASTICSEARCH_URL means "local development": the CLI starts the local services
 * (`npm run services`). Set both to point at existing clusters, as production does, and nothing local starts.
 */
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
  ELASTICSEARCH_URL: z.url().optional(),
  ELASTICSEARCH_API_KEY: z.string().min(1).optional(),
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

export interface ElasticsearchAuth {
  apiKey?: string;
  username?: string;
  password?: string;
}

export interface AppConfig {
  pipeline: PipelineDefinition;
  /** Folder of the pipeline file: template paths are relative to it. */
  pipelineDir: string;
  /** Undefined when not configured: the CLI then starts local services. */
  kafkaBrokers: string[] | undefined;
  elasticsearchUrl: string | undefined;
  elasticsearchAuth: ElasticsearchAuth;
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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new PantauError(`invalid environment: ${detail}`, { stage: 'config', code: 'env_invalid', retriable: false });
  }
  const e = parsed.data;
  if ((e.ELASTICSEARCH_USERNAME === undefined) !== (e.ELASTICSEARCH_PASSWORD === undefined)) {
    throw new PantauError('set both ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD, or neither', {
      stage: 'config',
      code: 'env_invalid',
      retriable: false,
    });
  }
  // From here on, these values are removed from every log line, stored error and answer (core/redact.ts).
  for (const secret of [e.ELASTICSEARCH_PASSWORD, e.ELASTICSEARCH_API_KEY, e.PANTAU_WEBHOOK_URL, e.PANTAU_AUTHOR_KEY, e.PANTAU_DESK_LINK_SECRET]) registerSecret(secret);
  if (e.ELASTICSEARCH_URL) registerSecret(safePassword(e.ELASTICSEARCH_URL));
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
    elasticsearchUrl: e.ELASTICSEARCH_URL,
    elasticsearchAuth: {
      ...(e.ELASTICSEARCH_API_KEY ? { apiKey: e.ELASTICSEARCH_API_KEY } : {}),
      ...(e.ELASTICSEARCH_USERNAME ? { username: e.ELASTICSEARCH_USERNAME, password: e.ELASTICSEARCH_PASSWORD } : {}),
    },
    webhookUrl: e.PANTAU_WEBHOOK_URL,
    modelDir: e.PANTAU_MODEL_DIR,
    authorKey: e.PANTAU_AUTHOR_KEY,
    authorPseudonyms: e.PANTAU_AUTHOR_PSEUDONYMS ?? 'on',
    stateDir: e.PANTAU_STATE_DIR,
    deskLinkSecret: e.PANTAU_DESK_LINK_SECRET,
  };
}
