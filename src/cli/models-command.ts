/**
 * `pantau models list | promote <version> | rollback`: the model registry from the command line (the admin
 * routes do the same over HTTP). Workers pick a change up within `classify.modelRefreshMs`.
 */
import { userInfo } from 'node:os';
import { DEFAULT_MODEL_DIR } from '../classifier/index.ts';
import { ModelRegistry, type ActivePointer } from '../classifier/registry.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { loadConfig, type AppConfig } from '../config/config.ts';
import type { Client } from '@elastic/elasticsearch';
import { silentLogger } from '../core/log.ts';
import { ensureIndexTemplates } from '../store/index-templates.ts';
import { resolveEndpoints } from '../pipeline/endpoints.ts';
import { createElasticsearchClient } from '../store/elasticsearch-client.ts';

export const MODELS_HELP = `  models list                 The model registry: active and previous version, every trained version with its
                              status and F1 against the model it was compared with.
  models promote <version>    Make a version the active model; classify workers swap to it between batches.
  models rollback             Return to the version active before the current one.`;

export interface ModelsCommandDeps {
  registry: ModelRegistry;
  /** Who is changing the pointer (recorded with it). */
  actor: string;
  say: (line: string) => void;
}

/** Runs the subcommand; returns the exit code (2 for usage errors). Registry errors are thrown. */
export async function runModelsSubcommand(args: readonly string[], deps: ModelsCommandDeps): Promise<number> {
  const [sub, version, ...rest] = args;
  const { registry, say } = deps;
  const pointerLine = (p: ActivePointer) => `active: ${p.active.version} (${p.active.path}); previous: ${p.previous ? p.previous.version : 'none'}`;
  if (sub === 'list' && version === undefined) {
    const listed = await registry.list();
    say(pointerLine({ ...listed, registered: true }));
    for (const v of listed.versions) {
      // F1 difference against the model it was compared with, per evaluation set that had rows.
      const f1 = Object.entries(v.comparison?.sets ?? {})
        .filter(([, set]) => set.rows > 0)
        .map(([name, set]) => `  ${name} ΔF1 ` + Object.entries(set.labels).map(([label, l]) => `${label} ${l.f1Delta >= 0 ? '+' : ''}${l.f1Delta.toFixed(3)}`).join(', '))
        .join(';');
      say(`  ${v.version.padEnd(32)} ${v.status.padEnd(9)} ${v.created_at || '(shipped)'}${f1}`);
    }
    return 0;
  }
  if (sub === 'promote' && version !== undefined && rest.length === 0) {
    say(`promoted: ${pointerLine(await registry.promote(version, deps.actor))}`);
    return 0;
  }
  if (sub === 'rollback' && version === undefined) {
    say(`rolled back: ${pointerLine(await registry.rollback(deps.actor))}`);
    return 0;
  }
  say(`Usage:\n${MODELS_HELP}`);
  return 2;
}

/** `pantau models …` with the environment's Elasticsearch (ELASTICSEARCH_URL, else the local services). */
export async function modelsCommand(args: readonly string[], say: (line: string) => void, clock: Clock = systemClock): Promise<number> {
  const config = loadConfig();
  const endpoints = await resolveEndpoints(config, say);
  const es = createElasticsearchClient(endpoints.elasticsearchUrl, config.elasticsearchAuth);
  try {
    await ensureRegistryTemplate(es, config);
    const registry = new ModelRegistry(es, config.pipeline.elasticsearch.indexPrefix, { clock, shippedDir: config.modelDir ?? DEFAULT_MODEL_DIR });
    return await runModelsSubcommand(args, { registry, actor: `cli:${userInfo().username}`, say });
  } finally {
    await es.close();
  }
}

/** The registry's index template (strict mapping), for commands that run before `pantau setup` or `work` did. */
export async function ensureRegistryTemplate(es: Client, config: AppConfig): Promise<void> {
  const files = config.pipeline.elasticsearch.templates.filter((f) => f.endsWith('models.template.json'));
  await ensureIndexTemplates(es, { files, baseDir: config.pipelineDir, prefix: config.pipeline.elasticsearch.indexPrefix, logger: silentLogger });
}
