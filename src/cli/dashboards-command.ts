/**
 * `pantau dashboards export --kibana`: the dashboard definitions of dashboards/ as Kibana saved objects (NDJSON),
 * to import in a Kibana 8.x on the same Elasticsearch. Reads files only; needs no running service.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../config/config.ts';
import { loadHumasUnits } from '../config/humas-units.ts';
import { PantauError } from '../core/errors.ts';
import { DEFAULT_DASHBOARDS_DIR, loadDashboards } from '../dashboard/definition.ts';
import { DEFAULT_KIBANA_VERSION, exportKibana, toNdjson, type KibanaSavedObject } from '../dashboard/kibana-export.ts';

export const DASHBOARDS_HELP = `  dashboards export --kibana [--dashboard ID] [--out FILE] [--prefix P] [--kibana-version V]
                              Write the dashboards of dashboards/ (default: all; --dashboard ID for one) as Kibana
                              saved objects (NDJSON: data views, a Vega visualization per panel running the panel's
                              own aggregation, provinces as a map from geo/, the dashboard) to FILE or stdout.
                              Import them in Kibana 8.x: Stack Management → Saved objects → Import, or
                              POST /api/saved_objects/_import. --prefix: index prefix they read (default:
                              PANTAU_INDEX_PREFIX or the pipeline file's);
                              --kibana-version: oldest Kibana to import into (default ${DEFAULT_KIBANA_VERSION}; 8.0.0–8.7.x
                              get the older migrationVersion form).`;

export interface DashboardsExportArgs {
  kibana: boolean;
  dashboard?: string | undefined;
  out?: string | undefined;
  prefix?: string | undefined;
  kibanaVersion?: string | undefined;
  /** Folder of the definitions (default dashboards/). */
  dir?: string;
}

/** Runs `dashboards <sub>`; returns the exit code (2 for usage errors). Writes the NDJSON to `write` without --out. */
export async function dashboardsCommand(sub: string | undefined, args: DashboardsExportArgs, io: { say: (line: string) => void; write: (text: string) => Promise<void> | void }): Promise<number> {
  if (sub !== 'export') {
    io.say(`dashboards takes a subcommand: export (got ${sub === undefined ? 'none' : `"${sub}"`})\n\nUsage:\n${DASHBOARDS_HELP}`);
    return 2;
  }
  if (!args.kibana) {
    io.say(`dashboards export needs a format: --kibana (the only one so far)\n\nUsage:\n${DASHBOARDS_HELP}`);
    return 2;
  }
  const dashboards = loadDashboards(args.dir ?? DEFAULT_DASHBOARDS_DIR);
  const chosen = args.dashboard === undefined ? [...dashboards.values()] : [dashboards.get(args.dashboard)];
  if (chosen[0] === undefined) {
    throw new PantauError(`no dashboard "${args.dashboard}" in ${args.dir ?? DEFAULT_DASHBOARDS_DIR}; known: ${[...dashboards.keys()].join(', ') || 'none'}`, { stage: 'config', code: 'dashboard_unknown', retriable: false });
  }
  // The prefix, the units' names and the public address come from the pipeline file when there is one to read.
  const config = loadConfig();
  const prefix = args.prefix ?? config.pipeline.elasticsearch.indexPrefix;
  const units = loadHumasUnits(resolve(config.pipelineDir, config.pipeline.desk.unitsFile));
  const unitNames = Object.fromEntries(units.units.map((u) => [u.id, u.name]));
  // The province shapes of the maps live in geo/ beside the definitions, as `pantau serve` serves them.
  const geoDir = resolve(args.dir ?? DEFAULT_DASHBOARDS_DIR, 'geo');
  const objects: KibanaSavedObject[] = [];
  for (const d of chosen) {
    for (const o of exportKibana(d!, { prefix, unitNames, geoDir, publicUrl: config.pipeline.desk.publicBaseUrl, ...(args.kibanaVersion === undefined ? {} : { kibanaVersion: args.kibanaVersion }) })) {
      // Several dashboards share their data views: each object once.
      if (!objects.some((x) => x.type === o.type && x.id === o.id)) objects.push(o);
    }
  }
  // Data views first, then visualizations, then dashboards: every reference points at an object above it.
  const order = { 'index-pattern': 0, visualization: 1, dashboard: 2 } as const;
  objects.sort((a, b) => order[a.type] - order[b.type]);
  const ndjson = toNdjson(objects);
  if (args.out === undefined) {
    await io.write(ndjson);
  } else {
    writeFileSync(resolve(args.out), ndjson);
    io.say(`${objects.length} saved objects (${chosen.map((d) => d!.id).join(', ')}; indices ${prefix}-*) written to ${resolve(args.out)}: import them in Kibana (Stack Management → Saved objects → Import)`);
  }
  return 0;
}
