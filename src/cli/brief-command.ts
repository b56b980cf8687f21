/**
 * `pantau brief [--date YYYY-MM-DD] [--out DIR] [--send] [--to a@x,b@y]`: the daily brief of one day on demand.
 * Writes ringkasan-DATE.html and ringkasan-DATE.pdf into --out and prints their paths; --send mails it to
 * brief.recipients (or to --to) through the SMTP server in the brief.smtpUrlEnv variable. Needs Elasticsearch only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { isCalendarDay, today } from '../api/dates.ts';
import { smtpFromEnv } from '../brief/config.ts';
import { loadBriefInputs, produceBrief } from '../brief/produce.ts';
import { briefDateFor } from '../brief/schedule.ts';
import { briefFileName, briefSubject, sendBrief } from '../brief/send.ts';
import { loadConfig } from '../config/config.ts';
import { loadHumasUnits } from '../config/humas-units.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import { resolveEndpoints } from '../pipeline/endpoints.ts';
import { checkElasticsearchHealth, createElasticsearchClient } from '../store/elasticsearch-client.ts';
import { ensureIndexTemplates } from '../store/index-templates.ts';

export const BRIEF_HELP = `pantau brief [--date YYYY-MM-DD] [--out DIR] [--send] [--to ADDR,...]

The daily brief for leadership (Bahasa Indonesia): the day's figures against the day before, flagged posts per
category and the top provinces, the top 5 narratives with their handling status, the clarifications published,
open alerts per humas unit and the estimated precision. Aggregates only: no post ids, handles or post links.

  --date D     The day (Asia/Jakarta). Default: yesterday, as the 07:00 brief of \`pantau work\` sends it.
  --out DIR    Where ringkasan-D.html and ringkasan-D.pdf go (default: the current folder).
  --send       Also e-mail it to brief.recipients of the pipeline file, over the SMTP server in the variable
               brief.smtpUrlEnv names (default PANTAU_BRIEF_SMTP_URL, smtp://user:password@host:587).
  --to LIST    E-mail it to these addresses instead of brief.recipients (implies --send).

\`pantau work\` sends it every morning when brief.enabled is true (brief.cron, default "0 7 * * *" Asia/Jakarta).`;

type Say = (line: string) => void;

export async function briefCommand(argv: string[], options: { say: Say; logger: Logger; clock?: Clock }): Promise<number> {
  const { say, logger } = options;
  const clock = options.clock ?? systemClock;
  const { values } = parseArgs({
    args: argv,
    options: {
      date: { type: 'string' },
      out: { type: 'string' },
      send: { type: 'boolean', default: false },
      to: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    say(BRIEF_HELP);
    return 0;
  }
  const config = loadConfig();
  const brief = config.pipeline.brief;
  const todayInZone = today(clock, brief.timezone);
  const date = values.date ?? briefDateFor(clock(), brief.timezone);
  if (!isCalendarDay(date)) throw new Error(`--date takes a day as YYYY-MM-DD (e.g. ${briefDateFor(clock(), brief.timezone)}), got "${date}"`);
  if (date > todayInZone) throw new Error(`--date ${date} is in the future (today is ${todayInZone} in ${brief.timezone}); a brief describes a day that has begun`);
  if (date === todayInZone) say(`note: ${date} is today; its figures cover the day so far`);

  const to = values.to === undefined ? brief.recipients : values.to.split(',').map((a) => a.trim()).filter(Boolean);
  const send = values.send || values.to !== undefined;
  if (send) {
    const bad = to.filter((a) => !z.email().safeParse(a).success);
    if (bad.length > 0) throw new Error(`--to: not an e-mail address: ${bad.join(', ')}`);
    if (to.length === 0) throw new Error('--send: brief.recipients in the pipeline file is empty; list addresses there or pass --to ADDR,...');
    if (!brief.from) throw new Error('--send: brief.from in the pipeline file is not set (e.g. "Pantau <pantau@example.go.id>")');
  }
  // Checked before any work: a missing SMTP variable must not be found after the brief is made.
  const smtp = send ? smtpFromEnv(brief) : undefined;

  const { dashboard, stages } = loadBriefInputs(brief.dashboard);
  const units = loadHumasUnits(resolve(config.pipelineDir, config.pipeline.desk.unitsFile));
  const endpoints = await resolveEndpoints(config, say);
  const es = createElasticsearchClient(endpoints.elasticsearchUrl, config.elasticsearchAuth);
  try {
    await checkElasticsearchHealth(es, endpoints.elasticsearchUrl);
    const prefix = config.pipeline.elasticsearch.indexPrefix;
    await ensureIndexTemplates(es, { files: config.pipeline.elasticsearch.templates, baseDir: config.pipelineDir, prefix, logger });
    const made = await produceBrief({ es, prefix, units, stages, clock }, { date, dashboard });
    const dir = resolve(values.out ?? '.');
    mkdirSync(dir, { recursive: true });
    const htmlFile = resolve(dir, briefFileName(date, 'html'));
    const pdfFile = resolve(dir, briefFileName(date, 'pdf'));
    writeFileSync(htmlFile, made.html);
    writeFileSync(pdfFile, made.pdf);
    say(`brief ${date}: collected in ${made.timings.collectMs} ms, rendered in ${made.timings.renderMs} ms`);
    say(htmlFile);
    say(`${pdfFile} (${Math.round(made.pdf.length / 1024)} KB, 1 page)`);
    if (smtp) {
      const sent = await sendBrief(made, { smtp, from: brief.from!, to, subjectPrefix: brief.subjectPrefix });
      say(`sent "${briefSubject(date, brief.subjectPrefix)}" through ${sent.server} to ${sent.accepted.join(', ')}`);
    }
    return 0;
  } finally {
    await es.close();
  }
}
