/**
 * Fetches Kafka (jars) and Elasticsearch (integ-test zip, unpacked) from Maven Central with `mvn` and the
 * pinned pom.xml. Output goes to a staging folder first and is renamed into place when Maven succeeds, so an
 * interrupted fetch never leaves a half-filled folder that a later `up` would trust.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PantauError } from '../core/errors.ts';
import { mavenWorkDir, POM_PATH } from './paths.ts';
import { run, seconds } from './process.ts';
import { ELASTICSEARCH_COORDINATES, ELASTICSEARCH_VERSION, KAFKA_COORDINATES, KAFKA_VERSION } from './versions.ts';

const ANSI_COLOURS = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

export interface FetchPlan {
  /** Final folder for the Kafka jars, when they are missing. */
  kafkaLibs?: string;
  /** Folder to place `elasticsearch-<version>/` in, when it is missing. */
  elasticsearchRoot?: string;
}

export async function fetchDistributions(plan: FetchPlan, log: (line: string) => void): Promise<void> {
  const goals: string[] = [];
  const properties = [`-Dpantau.maven.work=${mavenWorkDir()}`];
  const wanted: string[] = [];
  const coordinates: string[] = [];
  const kafkaStaging = plan.kafkaLibs && `${plan.kafkaLibs}.partial`;
  const esStaging = plan.elasticsearchRoot && join(plan.elasticsearchRoot, '.unpack');
  if (kafkaStaging) {
    await rm(kafkaStaging, { recursive: true, force: true });
    goals.push('dependency:copy-dependencies@kafka-libs');
    properties.push(`-Dpantau.kafka.libs=${kafkaStaging}`);
    wanted.push(`Kafka ${KAFKA_VERSION}`);
    coordinates.push(KAFKA_COORDINATES);
  }
  if (esStaging) {
    await rm(esStaging, { recursive: true, force: true });
    goals.push('dependency:unpack@elasticsearch-dist');
    properties.push(`-Dpantau.es.dist=${esStaging}`);
    wanted.push(`Elasticsearch ${ELASTICSEARCH_VERSION}`);
    coordinates.push(ELASTICSEARCH_COORDINATES);
  }
  if (goals.length === 0) return;

  const started = Date.now();
  log(`fetching ${wanted.join(' and ')} from Maven Central…`);
  await mkdir(mavenWorkDir(), { recursive: true });
  const args = ['-B', '-q', '-Dstyle.color=never', '-f', POM_PATH, ...goals, ...properties];
  let result;
  try {
    result = await run('mvn', args);
  } catch (error) {
    throw new PantauError(
      `Maven (mvn) is needed to fetch ${coordinates.join(', ')} from Maven Central but it could not be run ` +
        `(${(error as Error).message}). Install it (Debian/Ubuntu: apt-get install maven) and run again.`,
      { stage: 'services', code: 'maven_missing', retriable: false, cause: error },
    );
  }
  if (result.code !== 0) {
    // Maven prints its [ERROR] lines on stdout, so both streams matter.
    const tail = `${result.stdout}\n${result.stderr}`.replace(ANSI_COLOURS, '').trim().split('\n').slice(-15).join('\n');
    throw new PantauError(
      `mvn could not fetch ${coordinates.join(', ')} (exit code ${result.code}). Check access to ` +
        `https://repo.maven.apache.org (proxy settings live in ~/.m2/settings.xml). Maven said:\n${tail}`,
      { stage: 'services', code: 'download_failed', retriable: true },
    );
  }
  if (plan.kafkaLibs && kafkaStaging) await rename(kafkaStaging, plan.kafkaLibs);
  if (plan.elasticsearchRoot && esStaging) {
    const name = `elasticsearch-${ELASTICSEARCH_VERSION}`;
    await rename(join(esStaging, name), join(plan.elasticsearchRoot, name));
    await rm(esStaging, { recursive: true, force: true });
  }
  log(`fetched ${wanted.join(' and ')} in ${seconds(Date.now() - started)}`);
}
