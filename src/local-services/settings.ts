/**
 * Fixed settings of the local services: loopback only, the standard ports, small heaps for a laptop or a
 * 2-core CI machine.
 */

export const HOST = '127.0.0.1';

export const KAFKA_PORT = 9092;
export const KAFKA_CONTROLLER_PORT = 9093;
export const ELASTICSEARCH_HTTP_PORT = 9200;
export const ELASTICSEARCH_TRANSPORT_PORT = 9300;

export const KAFKA_HEAP = ['-Xms256m', '-Xmx512m'];
export const ELASTICSEARCH_HEAP = '-Xms512m -Xmx512m';

/** The system user Elasticsearch runs as when we are root (Elasticsearch refuses to run as root). */
export const ELASTICSEARCH_USER = 'pantau-es';

/** How long a service may take to become healthy; override in ms with the env variables named here. */
export function startTimeoutMs(service: 'kafka' | 'elasticsearch'): number {
  const env = service === 'kafka' ? 'PANTAU_KAFKA_START_TIMEOUT_MS' : 'PANTAU_ELASTICSEARCH_START_TIMEOUT_MS';
  const value = Number(process.env[env]);
  if (Number.isFinite(value) && value > 0) return value;
  return service === 'kafka' ? 60_000 : 90_000;
}

/** SIGTERM first; SIGKILL whatever is still alive after this long. */
export const STOP_GRACE_MS = 20_000;
