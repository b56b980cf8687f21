/**
 * Real worker processes for the stream-guarantee tests: `pantau work` started as a child process, with the
 * test's isolated topics and indices written to a temporary pipeline file, so it can be killed with SIGKILL
 * or stopped with SIGTERM like in production.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Producer } from 'kafkajs';
import type { AppConfig } from '../../src/config/config.ts';
import { PROJECT_ROOT } from '../../src/core/paths.ts';
import type { Post } from '../../src/core/post.ts';
export { generatePosts } from '../../src/bench/synthetic-posts.ts';
import { ELASTICSEARCH_URL, KAFKA_BROKERS } from './cluster.ts';

export function writePipelineFile(config: AppConfig): string {
  const pipeline = structuredClone(config.pipeline);
  // Paths in a pipeline file are relative to its folder: make them absolute for the copy in /tmp.
  pipeline.elasticsearch.templates = pipeline.elasticsearch.templates.map((t) => resolve(config.pipelineDir, t));
  pipeline.relevance.file = resolve(config.pipelineDir, pipeline.relevance.file);
  pipeline.trustedPublishers.file = resolve(config.pipelineDir, pipeline.trustedPublishers.file);
  pipeline.desk.unitsFile = resolve(config.pipelineDir, pipeline.desk.unitsFile);
  pipeline.electionStages.file = resolve(config.pipelineDir, pipeline.electionStages.file);
  const file = join(mkdtempSync(join(tmpdir(), 'pantau-pipeline-')), 'pipeline.json');
  writeFileSync(file, JSON.stringify(pipeline, null, 2));
  return file;
}

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once the worker logged that its stages run. */
  ready: Promise<void>;
}

export function spawnWorker(pipelineFile: string, stages = 'classify,index', extraEnv: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, [resolve(PROJECT_ROOT, 'src/cli/main.ts'), 'work', '--stages', stages], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      KAFKA_BROKERS: KAFKA_BROKERS.join(','),
      ELASTICSEARCH_URL,
      PANTAU_PIPELINE: pipelineFile,
      PANTAU_METRICS_PORT: '0',
      // Pseudonyms are on by default; several workers share one key, as several machines must.
      PANTAU_AUTHOR_KEY: 'test-author-key-shared-by-all-workers',
      LOG_LEVEL: 'info',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const append = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const ready = new Promise<void>((resolveReady, reject) => {
    const check = setInterval(() => {
      if (out.includes('stages running')) {
        clearInterval(check);
        resolveReady();
      }
    }, 100);
    void exited.then(({ code, signal }) => {
      clearInterval(check);
      reject(new Error(`worker exited (code ${code}, signal ${signal}) before it was ready:\n${out.slice(-3000)}`));
    });
  });
  ready.catch(() => {});
  return { child, output: () => out, exited, ready };
}

export async function producePosts(producer: Producer, topic: string, posts: Post[], chunk = 1000): Promise<void> {
  for (let i = 0; i < posts.length; i += chunk) {
    await producer.send({ topic, acks: -1, messages: posts.slice(i, i + chunk).map((p) => ({ key: p.id, value: JSON.stringify(p) })) });
  }
}
