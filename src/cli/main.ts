/**
 * The pantau command line. `npm start` runs `demo`; `npm run pantau -- <command>` runs any command.
 */
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MODEL_DIR, loadClassifier, type Classifier, type LoadOptions } from '../classifier/index.ts';
import { reviewRoutes } from '../api/review-routes.ts';
import { adminRoutes } from '../api/admin-routes.ts';
import { ModelCatalog, readModelView } from '../review/explain.ts';
import { backfillSearchText } from '../review/search-text-backfill.ts';
import { electionEntityNames, loadElectionConfig } from '../config/election.ts';
import { loadElectionStages } from '../config/election-stages.ts';
import { loadDashboards } from '../dashboard/definition.ts';
import { loadConfig, type AppConfig } from '../config/config.ts';
import { DEMO_CLARIFICATIONS_FILE, DEMO_OUTBOX_DIR, SAMPLE_POSTS_FILE, SHARED_DATA_DIR } from './paths.ts';
import { startDemoOutbox, type DemoOutbox } from '../desk/demo-outbox.ts';
import { searchCases } from '../store/desk-store.ts';
import { describeError, PantauError } from '../core/errors.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { createApiServer, listen } from '../api/server.ts';
import { AuthService } from '../auth/auth-service.ts';
import { addUser, generatePassword, setPassword } from '../auth/accounts.ts';
import { countPrincipals, getUser } from '../auth/user-store.ts';
import { runUsersCommand, USERS_HELP } from './users-command.ts';
import { openContext, type PipelineContext } from '../pipeline/context.ts';
import { createElasticsearchClient } from '../store/elasticsearch-client.ts';
import { resolveEndpoints } from '../pipeline/endpoints.ts';
import { checkHealth } from '../pipeline/health.ts';
import { ALL_STAGES, startWorkers, type StageName, type Workers } from '../pipeline/workers.ts';
import { createKafkaPostSink } from '../sources/kafka-post-sink.ts';
import { ingestJsonlFile, type IngestProgress } from '../sources/jsonl-file.ts';
import { createMetricsServer } from '../api/metrics-server.ts';
import { createSource, DEFAULT_STATE_DIR } from '../sources/index.ts';
import { measureLag, startLagReporter, type LagTarget } from '../bus/consumer-lag.ts';
import type { PipelineDefinition } from '../config/pipeline.ts';
import { systemClock } from '../core/clock.ts';
import { loadTrustedPublishers } from '../config/trusted-publishers.ts';
import { formatImportSummary, importKnowledgeBase } from '../kb/import.ts';
import { readKbFile, readSharedDebunks, SHARED_DEBUNK_SETS, type KbFileFormat, type ReadResult } from '../kb/readers.ts';
import { toClaimReview } from '../kb/claim-review.ts';
import { allClarifications } from '../kb/store.ts';
import { feedImportInput, readClarificationFeed } from '../kb/feed.ts';
import { VERDICTS, type Verdict } from '../kb/entry.ts';
import { clarificationsIndex } from '../store/index-names.ts';
import { writeFileSync } from 'node:fs';
import { loadHumasUnits } from '../config/humas-units.ts';
import { loadClaimMatcher, type ClaimMatcher } from '../match/matcher.ts';
import { buildUnitChannels, deskBaseUrl, deskLinkSecret } from '../pipeline/stages/desk-stage.ts';
import { applyAuthorKey, describeAuthorKey } from '../privacy/author-key.ts';
import { startRetentionSchedule } from '../privacy/retention-schedule.ts';
import { withPseudonymisedAuthors } from '../sources/pseudonymising-sink.ts';
import { authorKeyStatus, privacyExportCommand, retentionCommand, retentionStatus } from './privacy-command.ts';
import { MODELS_HELP, modelsCommand } from './models-command.ts';
import { briefCommand } from './brief-command.ts';
import { startBriefSchedule, type BriefSchedule } from '../brief/schedule.ts';
import { loadBriefInputs } from '../brief/produce.ts';
import { smtpFromEnv } from '../brief/config.ts';
import { DASHBOARDS_HELP, dashboardsCommand } from './dashboards-command.ts';
import { API_KEYS_HELP, apiKeysCommand } from './api-keys-command.ts';


const HELP = `pantau — negative-content and hoax monitoring for Bakohumas humas teams

Usage: npm run pantau -- <command> [options]      (npm start = demo)

Commands:
  demo [--file F] [--exit]    Start local Kafka + Elasticsearch if none is configured, run every stage,
                              ingest F (default: the sample posts), wait until all are indexed, then serve
                              the dashboard and review list. --exit stops after the report instead.
  ingest --file F             Produce a JSONL file of posts to posts.raw (bad lines go to posts.dlq).
  work [--stages a,b]         Run stream stages: classify, index, alerts, desk (default: all). Stops on SIGTERM
                              after finishing and committing the batch in flight. /metrics on the metrics
                              port (PANTAU_METRICS_PORT, default 9464). Start several: they share the work.
                              Each also schedules the daily retention run (privacy.schedule) and, with
                              brief.enabled, the daily brief (brief.cron, 07:00 WIB); one process runs each.
  sources                     Run the ingest sources of the pipeline file (RSS/Atom, HTTP push, JSON APIs,
                              CSV/JSONL backfill) into posts.raw; /metrics and /healthz on the metrics port.
  serve                       Serve the workspace (/app: sign in, the review queue, cases, admin), the
                              dashboard (/), the API (/api/…), the pages alert links open (/kasus) and /healthz.
                              Refuses to listen beyond 127.0.0.1 while no user exists.
  users <command>             Users and API tokens of the workspace: list, add, passwd, role, disable,
                              enable, unlock, token create|revoke (npm run pantau -- users --help).
  setup                       Create the topics and index templates (idempotent), then exit.
  kb import --file F [--format jsonl|csv|claimreview]
                              Import clarifications into the knowledge base (<prefix>-clarifications). One
                              entry per line: claim, verdict (hoaks, disinformasi, misinformasi, fitnah,
                              klarifikasi, benar), explanation, sources, publisher, url, published_at, topics,
                              regions (BPS codes), institutions; in CSV, list cells separate items with "|".
                              Refused lines are listed with their line numbers; the rest still import.
  kb import --feed URL_OR_FILE [--publisher NAME] [--verdict VERDICT]
                              Import an RSS 2.0/Atom feed of an official clarification page: the title is the
                              claim, its marker ([HOAKS], [SALAH], DISINFORMASI:, [KLARIFIKASI], …) the verdict
                              (else --verdict, default klarifikasi), the description the explanation; publisher
                              is --publisher or the feed's title. Refused items are listed by position.
  kb import --shared [--data DIR]
                              Import the public debunks of ../shared/data (TurnBackHoax 2021/2024/2025,
                              Indonesia False News). Claims already in the index stay as they are.
                              A .jsonld file (or --format claimreview) is schema.org ClaimReview JSON-LD.
  kb export --out F [--format claimreview|jsonl]
                              Write every knowledge-base entry as ClaimReview JSON-LD (default), for partners.
  backfill-search [--dry-run] Fill the derived fields of posts indexed before they existed (stemmed search text,
                              posts template < v5; province and source, < v6), so the queue's Indonesian search
                              finds them by every word form and the dashboard's map and sources count them.
                              Safe to repeat and to run beside the stream; --dry-run only counts.
  retention [--dry-run]       Apply the pipeline file's privacy.retentionDays now: delete (or pseudonymise)
                              posts older than that, old alert-ledger entries and old desk examples; print a
                              summary. --dry-run only counts. \`work\` does this daily (privacy.schedule).
  brief [--date D] [--out DIR] [--send] [--to ADDR,...]
                              The daily brief for leadership of day D (default yesterday, Asia/Jakarta):
                              ringkasan-D.html and ringkasan-D.pdf (one page) into DIR; --send e-mails it to
                              brief.recipients (or --to) over PANTAU_BRIEF_SMTP_URL. See brief --help.
  privacy export --author HANDLE [--out FILE]
                              Write one author's data (posts under the handle and its pseudonym, their alerts,
                              desk examples and cases) to one JSON file (mode 0600); needs the author key in use.
${MODELS_HELP}
${DASHBOARDS_HELP}
${API_KEYS_HELP}
  validate                    Check the pipeline file, the environment, the humas units (and their channel
                              secrets), the election stages, the dashboards and the model, say which author
                              key is in use; exit 1 if invalid.
  help                        This text.

Environment:
  KAFKA_BROKERS=host:port,...   ELASTICSEARCH_URL=http://...   Use existing clusters; nothing local starts.
  ELASTICSEARCH_API_KEY | ELASTICSEARCH_USERNAME + ELASTICSEARCH_PASSWORD   (ELASTICSEARCH_URL may list nodes: a,b)
  ELASTICSEARCH_CA_FILE | ELASTICSEARCH_CA_FINGERPRINT   CA of the cluster's HTTPS certificates (file or SHA-256)
  ELASTICSEARCH_DASHBOARD_API_KEY | ELASTICSEARCH_DASHBOARD_USERNAME + _PASSWORD
                                Read-only credentials for the dashboard of pantau serve (role dashboard)
  KAFKA_SSL=true | KAFKA_SSL_CA=ca.pem   TLS to the brokers (system CAs, or this CA file)
  KAFKA_SASL_MECHANISM=scram-sha-512|scram-sha-256|plain  KAFKA_SASL_USERNAME  KAFKA_SASL_PASSWORD
  PANTAU_WEBHOOK_URL            Raw feed: every flagged post POSTed (JSON). Unset: only recorded.
  PANTAU_DESK_LINK_SECRET       Signs the links in desk alerts (≥ 32 chars); set the same on every process.
  PANTAU_PUBLIC_URL             Address of \`pantau serve\` as humas units reach it (links in alerts).
  Channel secrets               The env variables pipelines/humas-units.json names (url_env, token_env, …).
  PANTAU_BRIEF_SMTP_URL         SMTP server of the daily brief, smtp://user:password@host:587 (brief.smtpUrlEnv).
  PANTAU_PIPELINE               Pipeline file (default pipelines/pantau.pipeline.json).
  PANTAU_AUTHOR_KEY             Key of author pseudonyms (keyed hash). Unset: one generated in <state dir>/author-key;
                                with several machines set the same key on all of them. The demo keeps handles.
  PANTAU_AUTHOR_PSEUDONYMS=off  Keep authors' handles (pseudonyms are on by default outside the demo).
  PANTAU_INDEX_PREFIX, PANTAU_HTTP_HOST, PANTAU_HTTP_PORT, PANTAU_METRICS_PORT, PANTAU_MODEL_DIR,
  PANTAU_STATE_DIR (sources' cursors and seen items, the generated author key; default .state/), LOG_LEVEL
`;

const say = (line: string) => process.stdout.write(line + '\n');

function lagTargets(pipeline: PipelineDefinition, stages: readonly StageName[]): LagTarget[] {
  const { topics, groups } = pipeline.kafka;
  const all: LagTarget[] = [
    { stage: 'classify', groupId: groups.classify, topic: topics.raw.name },
    { stage: 'index', groupId: groups.index, topic: topics.scored.name },
    { stage: 'alerts', groupId: groups.alerts, topic: topics.alerts.name },
    { stage: 'desk', groupId: groups.desk, topic: topics.alerts.name },
  ];
  return all.filter((t) => stages.includes(t.stage as StageName));
}

function progressLine(p: IngestProgress): string {
  const pct = p.bytesTotal > 0 ? Math.round((p.bytesRead / p.bytesTotal) * 100) : 100;
  return `ingest ${pct}%: ${p.lines} lines, ${p.produced} posts to Kafka, ${p.deadLettered} to the dead-letter topic`;
}

interface Runtime {
  config: AppConfig;
  ctx: PipelineContext;
  logger: Logger;
  classifier?: Classifier;
  claimMatcher?: ClaimMatcher;
}

/** The model folder, and the contest's candidates and parties to mask as names (for models trained with masking). */
function classifierOptions(config: AppConfig): LoadOptions {
  const election = loadElectionConfig(resolve(config.pipelineDir, config.pipeline.relevance.file));
  return { ...(config.modelDir ? { modelDir: config.modelDir } : {}), extraEntities: electionEntityNames(election) };
}

async function openRuntime(logger: Logger, withClassifier: boolean, withMatcher = withClassifier, authorKeys?: 'run' | 'demo'): Promise<Runtime> {
  const config = loadConfig();
  // Commands that publish or classify posts decide the author key first (privacy/author-key.ts).
  if (authorKeys !== undefined) say(`author pseudonyms: ${describeAuthorKey(applyAuthorKey(config, { mode: authorKeys, defaultStateDir: DEFAULT_STATE_DIR, logger }))}`);
  // The units file is checked before anything starts: a typo there must not wait for the first hoax.
  loadHumasUnits(resolve(config.pipelineDir, config.pipeline.desk.unitsFile));
  const endpoints = await resolveEndpoints(config, say);
  const classifier = withClassifier ? await loadClassifier(classifierOptions(config)) : undefined;
  if (classifier) say(`model ${classifier.modelVersion} loaded on the ${classifier.backend} backend`);
  const claimMatcher = withMatcher && config.pipeline.match.enabled ? await loadClaimMatcher() : undefined;
  if (claimMatcher) say(`claim matcher ${claimMatcher.modelVersion} loaded`);
  const ctx = await openContext(config, endpoints, logger);
  return { config, ctx, logger, ...(classifier ? { classifier } : {}), ...(claimMatcher ? { claimMatcher } : {}) };
}

/** Set once a signal started the stop: errors of work cut short by it are not failures of the command. */
let stopping = false;

/** A second signal within this long after the first is the same request delivered twice, not "hurry up". */
const DUPLICATE_SIGNAL_MS = 2_000;

/**
 * Runs `stop` once on SIGINT/SIGTERM, prints one "stopped" line and exits 0 (1 if stopping failed).
 *
 * The same signal often arrives twice: Ctrl-C signals the whole process group, so `npm start` (which
 * forwards what it gets) and this process both receive it. Those duplicates are ignored, so the batch in
 * flight is still finished and committed. A signal that comes later, while the stop is still under way,
 * is an operator insisting: the process exits at once with 130 / 143 (nothing is lost: what was not
 * committed is read again at the next start).
 */
function onShutdown(what: string, stop: () => Promise<void>): void {
  let firstAt: number | undefined;
  const handler = (signal: NodeJS.Signals) => {
    const now = performance.now();
    if (firstAt !== undefined) {
      if (now - firstAt < DUPLICATE_SIGNAL_MS) return;
      process.stderr.write(`${signal} again: stopping at once; uncommitted work is read again at the next start\n`);
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    }
    firstAt = now;
    stopping = true;
    say(`${signal}: finishing the work in flight and stopping ${what}…`);
    stop().then(
      () => {
        say(`stopped ${what} cleanly`);
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`stopping ${what} failed: ${describeError(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** Loopback addresses: a server bound only there is reachable from this machine alone. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

async function serve(rt: Runtime) {
  const { pipeline } = rt.config;
  const prefix = pipeline.elasticsearch.indexPrefix;
  // An open port with nobody able to sign in is either useless or, with a later mistake, open to all: refuse it.
  if (!isLoopback(pipeline.http.host) && (await countPrincipals(rt.ctx.es, prefix)) === 0) {
    throw new PantauError(
      `refusing to serve on ${pipeline.http.host}: no user or API token exists yet. Create an admin first (npm run pantau -- users add NAME --role admin), or serve on 127.0.0.1`,
      { stage: 'config', code: 'no_users', retriable: false },
    );
  }
  const a = pipeline.auth;
  const auth = new AuthService({
    es: rt.ctx.es,
    prefix,
    clock: systemClock,
    logger: rt.logger,
    settings: {
      sessionIdleMs: a.sessionIdleMinutes * 60_000,
      sessionMaxMs: a.sessionMaxHours * 3_600_000,
      maxFailedLogins: a.maxFailedLogins,
      lockoutMs: a.lockoutMinutes * 60_000,
      secureCookies: (pipeline.desk.publicBaseUrl ?? '').startsWith('https:'),
    },
  });
  const units = loadHumasUnits(resolve(rt.config.pipelineDir, pipeline.desk.unitsFile));
  const modelDir = rt.config.modelDir ?? DEFAULT_MODEL_DIR;
  const modelView = readModelView(modelDir, { alert: pipeline.classify.thresholds, review: pipeline.classify.reviewThresholds });
  // The dashboard only reads: with its own read-only key, a fault in its code cannot write or delete anything.
  const dashboardEs = rt.config.elasticsearchDashboardAuth ? createElasticsearchClient(rt.ctx.endpoints.elasticsearchUrl, rt.config.elasticsearchDashboardAuth) : undefined;
  const server = createApiServer({
    es: rt.ctx.es,
    ...(dashboardEs ? { dashboardEs } : {}),
    prefix,
    labels: pipeline.alerts.labels,
    logger: rt.logger,
    auth,
    routes: [
      ...reviewRoutes({
        queue: { es: rt.ctx.es, prefix, labels: modelView.labels, uncertainSampleRate: pipeline.review.uncertainSampleRate, clock: systemClock },
        catalog: new ModelCatalog([dirname(modelDir), resolve(process.env.PANTAU_STATE_DIR ?? DEFAULT_STATE_DIR, 'models')], modelView),
        units,
      }),
      ...adminRoutes({ es: rt.ctx.es, prefix, shippedModelDir: modelDir }).all,
    ],
    rateLimits: a.rateLimits,
    stages: loadElectionStages(resolve(rt.config.pipelineDir, pipeline.electionStages.file)),
    health: () => checkHealth(rt.ctx.kafka, rt.ctx.es, rt.logger),
    desk: { units, linkSecret: deskLinkSecret(rt.ctx, rt.logger) },
  });
  const address = await listen(server, pipeline.http.host, pipeline.http.port);
  say(`workspace:    http://${address.address}:${address.port}/app`);
  say(`dashboard:    http://${address.address}:${address.port}/`);
  return server;
}

/**
 * The demo's users, one per role, with fresh passwords on every run (printed once): a reader can sign in
 * and try each role. Bound to 127.0.0.1 like the rest of the demo.
 */
async function demoUsers(rt: Runtime): Promise<string[]> {
  const prefix = rt.config.pipeline.elasticsearch.indexPrefix;
  const units = loadHumasUnits(resolve(rt.config.pipelineDir, rt.config.pipeline.desk.unitsFile));
  const humasUnit = units.units.find((u) => u.example) ?? units.units[0]!;
  const lines: string[] = [];
  for (const u of [
    { username: 'demo-analis', role: 'analyst' as const, unit: null, displayName: 'Analis (demo)' },
    { username: 'demo-humas', role: 'humas' as const, unit: humasUnit.id, displayName: `${humasUnit.name} (demo)` },
    { username: 'demo-pimpinan', role: 'leadership' as const, unit: null, displayName: 'Pimpinan (demo)' },
    { username: 'demo-admin', role: 'admin' as const, unit: null, displayName: 'Admin (demo)' },
  ]) {
    const password = generatePassword();
    if (await getUser(rt.ctx.es, prefix, u.username)) await setPassword(rt.ctx.es, prefix, systemClock, u.username, password);
    else await addUser(rt.ctx.es, prefix, systemClock, { ...u, password });
    lines.push(`  ${u.role.padEnd(10)} ${u.username.padEnd(14)} ${password}`);
  }
  return lines;
}

async function waitForIndexed(workers: Workers, expected: number, timeoutMs: number): Promise<void> {
  const started = performance.now();
  let lastSay = 0;
  while (workers.counters.indexed < expected) {
    if (performance.now() - started > timeoutMs) {
      throw new Error(`only ${workers.counters.indexed} of ${expected} posts indexed after ${timeoutMs / 1000} s`);
    }
    if (performance.now() - lastSay > 2000) {
      lastSay = performance.now();
      const c = workers.counters;
      say(`pipeline: ${c.classified} classified, ${c.flagged} flagged, ${c.indexed}/${expected} indexed, ${c.alerts} alerts`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits until the desk has read every alert (its group's lag on the alerts topic is 0). */
async function waitForDesk(rt: Runtime, timeoutMs: number): Promise<void> {
  const { topics, groups } = rt.config.pipeline.kafka;
  const started = performance.now();
  for (;;) {
    const lag = (await measureLag(rt.ctx.kafka, [{ stage: 'desk', groupId: groups.desk, topic: topics.alerts.name }])).get('desk') ?? 0;
    if (lag === 0) return;
    if (performance.now() - started > timeoutMs) {
      say(`desk: ${lag} alerts still waiting after ${timeoutMs / 1000} s; they are handled in the background`);
      return;
    }
    say(`desk: ${lag} alerts waiting`);
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

/** The demo's closing lines about the desk: cases per unit, messages sent, where to look. */
async function deskSummary(rt: Runtime, outbox: DemoOutbox | undefined): Promise<string[]> {
  const prefix = rt.config.pipeline.elasticsearch.indexPrefix;
  await rt.ctx.es.indices.refresh({ index: `${prefix}-desk-*`, ignore_unavailable: true, allow_no_indices: true });
  const { total, cases } = await searchCases(rt.ctx.es, prefix, { size: 500 });
  const perUnit = new Map<string, number>();
  for (const c of cases) perUnit.set(c.doc.unit_id, (perUnit.get(c.doc.unit_id) ?? 0) + 1);
  const matched = cases.filter((c) => c.doc.cluster_id.startsWith('claim-')).length;
  const base = deskBaseUrl(rt.ctx);
  return [
    `desk: ${total} cases (${[...perUnit].map(([u, n]) => `${u} ${n}`).join(', ') || 'none'}), ${matched} with a matched clarification` +
      (outbox ? `; ${outbox.received} e-mails in ${outbox.dir}` : ''),
    `cases: ${base}/api/cases — each alert's links open ${base}/kasus`,
  ];
}

/** What `pantau validate` says about the daily brief; throws when it is enabled and its SMTP variable is wrong. */
function briefStatus(config: AppConfig): string {
  const b = config.pipeline.brief;
  if (!b.enabled) return 'daily brief: off (brief.enabled); `pantau brief` makes one on demand';
  loadBriefInputs(b.dashboard);
  const smtp = smtpFromEnv(b);
  return `daily brief: at "${b.cron}" (${b.timezone}) to ${b.recipients.length} recipient(s) through ${smtp.smtpUrl}`;
}

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'help';
  if (command === 'users') {
    const args = argv.slice(1);
    if (args.length === 0 || args.includes('--help') || args.includes('-h') || args[0] === 'help') {
      say(USERS_HELP);
      return args.length === 0 ? 2 : 0;
    }
    const rt = await openRuntime(createLogger({ app: 'pantau' }), false, false);
    try {
      const units = loadHumasUnits(resolve(rt.config.pipelineDir, rt.config.pipeline.desk.unitsFile));
      return await runUsersCommand(args, { es: rt.ctx.es, prefix: rt.config.pipeline.elasticsearch.indexPrefix, clock: systemClock, unitIds: new Set(units.units.map((u) => u.id)), say });
    } finally {
      await rt.ctx.close();
    }
  }
  if (command === 'models') return modelsCommand(argv.slice(1), say);
  if (command === 'api-keys') {
    if (argv.includes('--help') || argv.includes('-h')) {
      say(`Usage:\n${API_KEYS_HELP}`);
      return 0;
    }
    return apiKeysCommand(argv.slice(1), { say });
  }
  if (command === 'brief') return briefCommand(argv.slice(1), { say, logger: createLogger({ app: 'pantau' }) });
  const { values } = parseArgs({
    // `kb import …`, `dashboards export …`: the subcommand is the second word.
    args: argv.slice((command === 'kb' || command === 'privacy' || command === 'dashboards') && argv[1] !== undefined && !argv[1].startsWith('-') ? 2 : 1),
    options: {
      file: { type: 'string' },
      stages: { type: 'string' },
      exit: { type: 'boolean', default: false },
      format: { type: 'string' },
      shared: { type: 'boolean', default: false },
      data: { type: 'string' },
      out: { type: 'string' },
      feed: { type: 'string' },
      publisher: { type: 'string' },
      verdict: { type: 'string' },
      author: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      kibana: { type: 'boolean', default: false },
      dashboard: { type: 'string' },
      prefix: { type: 'string' },
      'kibana-version': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help || command === 'help' || command === '--help' || command === '-h') {
    say(HELP);
    return 0;
  }
  const logger = createLogger({ app: 'pantau' });

  switch (command) {
    case 'validate': {
      const config = loadConfig();
      const trusted = loadTrustedPublishers(resolve(config.pipelineDir, config.pipeline.trustedPublishers.file));
      const units = loadHumasUnits(resolve(config.pipelineDir, config.pipeline.desk.unitsFile));
      const channels = buildUnitChannels(units, process.env, { timeoutMs: config.pipeline.desk.channelTimeoutMs, clock: systemClock, logger });
      const ready = [...channels.values()].reduce((n, list) => n + list.length, 0);
      const configured = units.units.reduce((n, u) => n + u.channels.length, 0);
      say(`humas units ok: ${units.units.length} (${units.units.filter((u) => u.example).length} demo examples), channels ready ${ready} of ${configured}`);
      await Promise.all([...channels.values()].flat().map((c) => c.channel.close()));
      const classifier = await loadClassifier(classifierOptions(config));
      say(`trusted publishers ok: ${trusted.publishers.length} (${trusted.publishers.filter((p) => p.example).length} demo examples to replace)`);
      const stages = loadElectionStages(resolve(config.pipelineDir, config.pipeline.electionStages.file));
      say(`election stages ok: ${stages.stages.map((s) => `${s.name} ${s.start}${s.end === s.start ? '' : `…${s.end}`}`).join(', ')}${stages.stages.some((s) => s.example) ? ' (demo examples to replace)' : ''}`);
      const dashboards = loadDashboards();
      say(`dashboards ok: ${[...dashboards.values()].map((d) => `${d.id} (${d.panels.length} panels)`).join(', ')}`);
      say(`pipeline ok: topics ${Object.values(config.pipeline.kafka.topics).map((t) => t.name).join(', ')}`);
      say(`model ok: ${classifier.modelVersion} (${classifier.backend}), thresholds ${JSON.stringify(classifier.thresholds)}`);
      classifier.dispose();
      say(authorKeyStatus(config));
      say(retentionStatus(config));
      say(briefStatus(config));
      return 0;
    }
    case 'dashboards':
      return dashboardsCommand(argv[1] !== undefined && !argv[1].startsWith('-') ? argv[1] : undefined, { kibana: values.kibana, dashboard: values.dashboard, out: values.out, prefix: values.prefix, kibanaVersion: values['kibana-version'] }, {
        say,
        // Resolved once written: main exits right after, which could cut a pipe short.
        write: (text) => new Promise<void>((done, fail) => process.stdout.write(text, (error) => (error ? fail(error) : done()))),
      });
    case 'retention':
      return retentionCommand(loadConfig(), { dryRun: values['dry-run'], say, logger });
    case 'privacy': {
      if (argv[1] !== 'export') throw new Error(`privacy takes a subcommand: export (got ${argv[1] === undefined ? 'none' : `"${argv[1]}"`}); see --help`);
      return privacyExportCommand(loadConfig(), { author: values.author, out: values.out, say, logger });
    }
    case 'backfill-search': {
      const rt = await openRuntime(logger, false, false);
      try {
        const started = performance.now();
        const done = await backfillSearchText(rt.ctx.es, rt.config.pipeline.elasticsearch.indexPrefix, {
          dryRun: values['dry-run'],
          onProgress: (p) => say(`search text: ${p.updated} of about ${p.total} older posts filled${p.failed > 0 ? `, ${p.failed} failed` : ''}`),
        });
        say(values['dry-run'] ? `${done.total} posts have no search text yet; run without --dry-run to fill it` : `done in ${((performance.now() - started) / 1000).toFixed(1)} s: ${done.updated} posts filled, ${done.failed} failed`);
        return done.failed > 0 ? 1 : 0;
      } finally {
        await rt.ctx.close();
      }
    }
    case 'setup': {
      const rt = await openRuntime(logger, false);
      say('topics and index templates are in place');
      await rt.ctx.close();
      return 0;
    }
    case 'kb': {
      const sub = argv[1];
      if (sub === 'export') {
        if (values.out === undefined) throw new Error('kb export needs --out FILE');
        const format = values.format ?? 'claimreview';
        if (format !== 'claimreview' && format !== 'jsonl') throw new Error(`kb export --format takes claimreview or jsonl, got "${format}"`);
        const rt = await openRuntime(logger, false);
        try {
          const lines: string[] = [];
          for await (const doc of allClarifications(rt.ctx.es, clarificationsIndex(rt.config.pipeline.elasticsearch.indexPrefix))) {
            lines.push(JSON.stringify(format === 'claimreview' ? toClaimReview(doc) : doc));
          }
          writeFileSync(resolve(values.out), format === 'claimreview' ? `[\n${lines.join(',\n')}\n]\n` : lines.map((l) => l + '\n').join(''));
          say(`${lines.length} entri ditulis ke ${resolve(values.out)} (${format === 'claimreview' ? 'ClaimReview JSON-LD' : 'JSONL'})`);
          return 0;
        } finally {
          await rt.ctx.close();
        }
      }
      if (sub !== 'import') throw new Error(`kb takes a subcommand: import or export (got ${sub === undefined ? 'none' : `"${sub}"`}); see --help`);
      const given = [values.file !== undefined && '--file', values.shared && '--shared', values.feed !== undefined && '--feed'].filter((g) => g !== false);
      if (given.length === 0) throw new Error('kb import needs either --file F or --shared (or --feed URL_OR_FILE)');
      if (given.length > 1) throw new Error(`kb import takes one of --file, --shared and --feed, not ${given.join(' and ')}`);
      if (values.feed === undefined && (values.publisher !== undefined || values.verdict !== undefined)) throw new Error('--publisher and --verdict go with --feed');
      if (values.feed !== undefined && values.format !== undefined) throw new Error('--format does not go with --feed (RSS 2.0 and Atom are recognised by their content)');
      if (values.verdict !== undefined && !(VERDICTS as readonly string[]).includes(values.verdict)) throw new Error(`--verdict takes ${VERDICTS.join(', ')}, got "${values.verdict}"`);
      if (values.format !== undefined && !['jsonl', 'csv', 'claimreview'].includes(values.format)) throw new Error(`--format takes jsonl, csv or claimreview, got "${values.format}"`);
      let input: ReadResult;
      if (values.feed !== undefined) {
        const source = /^https?:\/\//i.test(values.feed) ? values.feed : resolve(values.feed);
        const feed = await readClarificationFeed(source, { ...(values.publisher === undefined ? {} : { publisher: values.publisher }), ...(values.verdict === undefined ? {} : { defaultVerdict: values.verdict as Verdict }) });
        say(`feed ${feed.origin}: ${feed.entries.length} item terbaca, ${feed.refused.length} ditolak`);
        input = feedImportInput(feed);
      } else if (values.file !== undefined) {
        input = readKbFile(resolve(values.file), values.format as KbFileFormat | undefined);
      } else {
        const root = resolve(values.data ?? SHARED_DATA_DIR);
        const shared = readSharedDebunks(root);
        if (Object.keys(shared.perSet).length === 0) throw new Error(`no debunk sets found under ${root} (expected ${SHARED_DEBUNK_SETS.join(', ')}); pass --data DIR`);
        say(`read ${Object.entries(shared.perSet).map(([set, n]) => `${set} ${n}`).join(', ')}${shared.missing.length > 0 ? `; not found: ${shared.missing.join(', ')}` : ''}`);
        input = { entries: shared.entries, rejected: [] };
      }
      const rt = await openRuntime(logger, false);
      try {
        const summary = await importKnowledgeBase({
          es: rt.ctx.es,
          prefix: rt.config.pipeline.elasticsearch.indexPrefix,
          input,
          clock: systemClock,
          onProgress: (done, total) => say(`kb import: ${done}/${total}`),
        });
        for (const line of formatImportSummary(summary)) say(line);
        return summary.rejected.length > 0 && summary.read === 0 ? 1 : 0;
      } finally {
        await rt.ctx.close();
      }
    }
    case 'ingest': {
      if (!values.file) throw new Error('ingest needs --file FILE.jsonl');
      const rt = await openRuntime(logger, false, false, 'run');
      const { topics } = rt.config.pipeline.kafka;
      const result = await ingestJsonlFile(resolve(values.file), {
        sink: withPseudonymisedAuthors(createKafkaPostSink({ producer: rt.ctx.producer, topic: topics.raw.name, deadLetterTopic: topics.deadLetter.name }), rt.config.authorKey),
        onProgress: (p) => say(progressLine(p)),
      });
      await rt.ctx.close();
      return result.produced > 0 || result.lines === 0 ? 0 : 1;
    }
    case 'work': {
      const stages = (values.stages?.split(',').map((s) => s.trim()) ?? [...ALL_STAGES]) as StageName[];
      const unknown = stages.filter((s) => !ALL_STAGES.includes(s));
      if (unknown.length > 0) throw new Error(`unknown stage(s): ${unknown.join(', ')}; known: ${ALL_STAGES.join(', ')}`);
      const rt = await openRuntime(logger, stages.includes('classify'), stages.includes('classify') || stages.includes('desk'), 'run');
      const { pipeline } = rt.config;
      // An enabled brief with its SMTP variable unset or its dashboard broken stops the start here, before any stage runs.
      if (pipeline.brief.enabled) {
        try {
          briefStatus(rt.config);
        } catch (error) {
          await rt.ctx.close();
          throw error;
        }
      }
      // /healthz: can this worker reach Kafka and Elasticsearch (what its stages need to make progress).
      const metricsServer = createMetricsServer(async () => {
        const checks = await checkHealth(rt.ctx.kafka, rt.ctx.es, rt.logger);
        return { ok: Object.values(checks).every((v) => v === 'ok'), checks };
      }, { logger });
      const metricsAddress = await listen(metricsServer, pipeline.metrics.host, pipeline.metrics.port);
      const workers = await startWorkers(rt.ctx, {
        stages,
        ...(rt.classifier ? { classifier: rt.classifier } : {}),
        ...(rt.claimMatcher ? { claimMatcher: rt.claimMatcher } : {}),
        ...(rt.config.webhookUrl ? { webhookUrl: rt.config.webhookUrl } : {}),
        onCrash: () => process.exit(1),
      });
      const stopLag = startLagReporter(rt.ctx.kafka, lagTargets(pipeline, stages), logger);
      // Not a stage: every work process schedules it, the day's lock lets one of them run it.
      const retention = startRetentionSchedule({ es: rt.ctx.es, prefix: pipeline.elasticsearch.indexPrefix, config: pipeline.privacy, authorKey: rt.config.authorKey, clock: rt.ctx.clock, logger });
      // The daily brief likewise: every process schedules it, the day's lock lets one send it.
      let brief: BriefSchedule | undefined;
      if (pipeline.brief.enabled) {
        try {
          brief = startBriefSchedule({
            es: rt.ctx.es,
            prefix: pipeline.elasticsearch.indexPrefix,
            config: pipeline.brief,
            ...loadBriefInputs(pipeline.brief.dashboard),
            units: loadHumasUnits(resolve(rt.config.pipelineDir, pipeline.desk.unitsFile)),
            clock: rt.ctx.clock,
            logger,
          });
        } catch (error) {
          await retention.stop();
          await workers.stop();
          stopLag();
          metricsServer.close();
          await rt.ctx.close();
          throw error;
        }
      }
      logger.info('stages running', {
        stages,
        pid: process.pid,
        metrics: `http://${metricsAddress.address}:${metricsAddress.port}/metrics`,
        health: `http://${metricsAddress.address}:${metricsAddress.port}/healthz`,
      });
      onShutdown(`the ${stages.join(', ')} stage${stages.length > 1 ? 's' : ''}`, async () => {
        stopLag();
        await retention.stop();
        await brief?.stop();
        await workers.stop();
        metricsServer.close();
        await rt.ctx.close();
        rt.classifier?.dispose();
        rt.claimMatcher?.dispose();
        logger.info('stopped cleanly', { pid: process.pid, ...workers.counters });
      });
      return new Promise<number>(() => {});
    }
    case 'sources': {
      const rt = await openRuntime(logger, false, false, 'run');
      const { pipeline } = rt.config;
      if (pipeline.sources.length === 0) {
        throw new Error('the pipeline file lists no sources; see pipelines/sources.example.json for one of each kind');
      }
      const { topics } = pipeline.kafka;
      const sink = createKafkaPostSink({ producer: rt.ctx.producer, topic: topics.raw.name, deadLetterTopic: topics.deadLetter.name });
      const sources = pipeline.sources.map((definition) =>
        createSource(definition, {
          stateDir: rt.config.stateDir ?? DEFAULT_STATE_DIR,
          logger: logger.child({ source: definition.name }),
          ...(rt.config.authorKey ? { authorKey: rt.config.authorKey } : {}),
        }),
      );
      const metricsServer = createMetricsServer(async () => {
        const checks = sources.map((source) => source.health());
        return { ok: checks.every((c) => c.state !== 'failing'), checks };
      });
      const address = await listen(metricsServer, pipeline.metrics.host, pipeline.metrics.port);
      for (const source of sources) await source.start(sink);
      logger.info('sources running', { sources: sources.map((x) => x.name), pid: process.pid, health: `http://${address.address}:${address.port}/healthz` });
      onShutdown('the sources', async () => {
        await Promise.all(sources.map((source) => source.stop()));
        metricsServer.close();
        await rt.ctx.close();
        logger.info('stopped cleanly', { pid: process.pid });
      });
      return new Promise<number>(() => {});
    }
    case 'serve': {
      const rt = await openRuntime(logger, false);
      const server = await serve(rt);
      onShutdown('the server', async () => {
        server.close();
        await rt.ctx.close();
      });
      return new Promise<number>(() => {});
    }
    case 'demo': {
      const started = performance.now();
      // The demo keeps the sample's handles (unless PANTAU_AUTHOR_KEY is set): its readers look for them.
      const rt = await openRuntime(logger, true, true, 'demo');
      // The demo's hoaxes need answers in the knowledge base; entries already there stay as they are.
      const kb = await importKnowledgeBase({ es: rt.ctx.es, prefix: rt.config.pipeline.elasticsearch.indexPrefix, input: readKbFile(DEMO_CLARIFICATIONS_FILE), clock: systemClock });
      say(`knowledge base: ${kb.created} demo clarifications added, ${kb.alreadyPresent} already there (add the public debunks with: npm run pantau -- kb import --shared)`);
      // The demo units' e-mail goes to a local outbox, so their alerts can be read as .eml files.
      let outbox: DemoOutbox | undefined;
      try {
        outbox = await startDemoOutbox(DEMO_OUTBOX_DIR);
        say(`demo outbox: e-mails to the demo humas units are kept in ${DEMO_OUTBOX_DIR}`);
      } catch (error) {
        say(`demo outbox not started (${describeError(error)}); e-mail deliveries will fail and show in the delivery log`);
      }
      const workers = await startWorkers(rt.ctx, {
        classifier: rt.classifier!,
        ...(rt.claimMatcher ? { claimMatcher: rt.claimMatcher } : {}),
        ...(rt.config.webhookUrl ? { webhookUrl: rt.config.webhookUrl } : {}),
        onCrash: () => process.exit(1),
      });
      const serving: { server?: { close(): void } } = {};
      const shutdown = async () => {
        serving.server?.close();
        await workers.stop();
        await outbox?.close();
        await rt.ctx.close();
        rt.classifier?.dispose();
        rt.claimMatcher?.dispose();
      };
      // From here on a signal stops the stages cleanly, also while the sample posts are still going in.
      if (!values.exit) onShutdown('pantau demo', shutdown);
      const { topics } = rt.config.pipeline.kafka;
      const file = resolve(values.file ?? SAMPLE_POSTS_FILE);
      const ingested = await ingestJsonlFile(file, {
        sink: withPseudonymisedAuthors(createKafkaPostSink({ producer: rt.ctx.producer, topic: topics.raw.name, deadLetterTopic: topics.deadLetter.name }), rt.config.authorKey),
        onProgress: (p) => say(progressLine(p)),
      });
      await waitForIndexed(workers, ingested.produced, 300_000);
      await waitForDesk(rt, 180_000);
      const c = workers.counters;
      say(
        `done in ${((performance.now() - started) / 1000).toFixed(1)} s: ${ingested.produced} posts ingested, ${c.indexed} indexed, ` +
          `${c.flagged} flagged, ${c.alerts} new alerts, ${c.deadLettered + ingested.deadLettered} dead-lettered`,
      );
      for (const line of await deskSummary(rt, outbox)) say(line);
      if (values.exit) {
        await shutdown();
        return 0;
      }
      serving.server = await serve(rt);
      say('sign in at /app with one of these demo users (new passwords on every demo run):');
      for (const line of await demoUsers(rt)) say(line);
      say('the stream keeps running: new posts on posts.raw are classified and indexed (Ctrl-C to stop)');
      return new Promise<number>(() => {});
    }
    default:
      process.stderr.write(`unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Work the stop cut short (an ingest whose producer closed) fails here; the stop itself decides the exit.
    if (stopping) return;
    process.stderr.write(`pantau: ${describeError(error)}\n`);
    process.exit(1);
  },
);
