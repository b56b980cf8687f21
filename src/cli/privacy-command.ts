/**
 * The privacy commands of the CLI (dispatched from main.ts): `pantau retention [--dry-run]`,
 * `pantau privacy export --author HANDLE [--out FILE]`, and what `pantau validate` says about pseudonyms.
 * They need Elasticsearch only; the cluster comes from ELASTICSEARCH_URL (local services otherwise, like
 * every command).
 */
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import type { AppConfig } from '../config/config.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import { resolveEndpoints } from '../pipeline/endpoints.ts';
import { AUTHOR_KEY_FILE, applyAuthorKey, describeAuthorKey, stateDirOf, type AuthorKeyResolution } from '../privacy/author-key.ts';
import { exportAuthor, formatExportSummary } from '../privacy/export.ts';
import { formatRetentionSummary, runRetention } from '../privacy/retention.ts';
import { DEFAULT_STATE_DIR } from '../sources/index.ts';
import { checkElasticsearchHealth, createElasticsearchClient } from '../store/elasticsearch-client.ts';
import { ensureIndexTemplates } from '../store/index-templates.ts';

type Say = (line: string) => void;

async function openStore(config: AppConfig, say: Say, logger: Logger): Promise<Client> {
  const endpoints = await resolveEndpoints(config, say);
  const es = createElasticsearchClient(endpoints.elasticsearchUrl, config.elasticsearchAuth);
  await checkElasticsearchHealth(es, endpoints.elasticsearchUrl);
  await ensureIndexTemplates(es, { files: config.pipeline.elasticsearch.templates, baseDir: config.pipelineDir, prefix: config.pipeline.elasticsearch.indexPrefix, logger });
  return es;
}

/**
 * What `pantau validate` prints about pseudonyms, without creating anything: the key's origin (never the key),
 * or where it will be generated.
 */
export function authorKeyStatus(config: AppConfig): string {
  const stateDir = stateDirOf(config, DEFAULT_STATE_DIR);
  if (config.authorPseudonyms === 'on' && !config.authorKey && !existsSync(join(stateDir, AUTHOR_KEY_FILE))) {
    return `author pseudonyms: on, a key will be generated in ${join(stateDir, AUTHOR_KEY_FILE)} at the first start (per machine: set PANTAU_AUTHOR_KEY on every machine of a deployment)`;
  }
  // Read-only here: the file exists (or the environment decides), so nothing is created.
  const r = applyAuthorKey({ ...config }, { mode: 'run', defaultStateDir: DEFAULT_STATE_DIR, create: false });
  return `author pseudonyms: ${describeAuthorKey(r)}`;
}

export function retentionStatus(config: AppConfig): string {
  const p = config.pipeline.privacy;
  return `retention: ${p.action} posts older than ${p.retentionDays} days, daily at "${p.schedule}" (${p.timezone}) in pantau work`;
}

/** `pantau retention [--dry-run]`: one run now, outside the daily lock; prints what it did or would do. */
export async function retentionCommand(config: AppConfig, options: { dryRun: boolean; say: Say; logger: Logger; clock?: Clock }): Promise<number> {
  const { say, logger } = options;
  const privacy = config.pipeline.privacy;
  // Only a pseudonymising run needs the key, and it must be the one the posts were written with: never made here.
  let key: AuthorKeyResolution | undefined;
  if (privacy.action === 'pseudonymise') {
    key = applyAuthorKey(config, { mode: 'run', defaultStateDir: DEFAULT_STATE_DIR, create: false, logger });
    say(`author pseudonyms: ${describeAuthorKey(key)}`);
  }
  const es = await openStore(config, say, logger);
  try {
    const summary = await runRetention({
      es,
      prefix: config.pipeline.elasticsearch.indexPrefix,
      config: privacy,
      authorKey: key?.key,
      clock: options.clock ?? systemClock,
      logger,
      dryRun: options.dryRun,
      lock: 'none',
      onProgress: say,
    });
    for (const line of formatRetentionSummary(summary)) say(line);
    return 0;
  } finally {
    await es.close();
  }
}

/** `pantau privacy export --author HANDLE [--out FILE]`. The file holds personal data: written with mode 0600. */
export async function privacyExportCommand(config: AppConfig, options: { author: string | undefined; out: string | undefined; say: Say; logger: Logger; clock?: Clock }): Promise<number> {
  const { say, logger } = options;
  const handle = options.author?.trim();
  if (!handle) throw new Error('privacy export needs --author HANDLE (the handle as the platform shows it, with or without "@")');
  // The pseudonym can only be computed with the key the posts were written with; a new key would find nothing.
  const key = applyAuthorKey(config, { mode: 'run', defaultStateDir: DEFAULT_STATE_DIR, create: false, logger });
  say(`author pseudonyms: ${describeAuthorKey(key)}${key.key ? '' : '; looking up the handle only'}`);
  const clock = options.clock ?? systemClock;
  const es = await openStore(config, say, logger);
  try {
    const data = await exportAuthor({ es, prefix: config.pipeline.elasticsearch.indexPrefix, handle, authorKey: key.key, keyDescription: describeAuthorKey(key), clock });
    const file = resolve(options.out ?? `pantau-author-export-${new Date(clock()).toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
    chmodSync(file, 0o600); // also when the file existed before
    say(formatExportSummary(data, file));
    return 0;
  } finally {
    await es.close();
  }
}
