/**
 * The pinned versions, read from pom.xml so that the pom stays the one place to bump them.
 */
import { readFileSync } from 'node:fs';
import { POM_PATH } from './paths.ts';

const pom = readFileSync(POM_PATH, 'utf8');

function pomProperty(name: string): string {
  const match = new RegExp(`<${name.replaceAll('.', '\\.')}>([^<]+)</`).exec(pom);
  if (!match?.[1]) throw new Error(`${POM_PATH} has no <${name}> property`);
  return match[1].trim();
}

export const KAFKA_VERSION = pomProperty('kafka.version');
export const ELASTICSEARCH_VERSION = pomProperty('elasticsearch.version');

export const KAFKA_COORDINATES = `org.apache.kafka:kafka_${pomProperty('scala.binary.version')}:${KAFKA_VERSION}`;
export const ELASTICSEARCH_COORDINATES = `org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ELASTICSEARCH_VERSION}:zip`;

/** Both Kafka 4.x brokers and Elasticsearch 8.19 need Java 17 or newer. */
export const MIN_JAVA_MAJOR = 17;
