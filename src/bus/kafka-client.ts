/**
 * The Kafka connection: one KafkaJS client per process, its log lines routed into ours.
 */
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { KafkaSecurity } from '../config/config.ts';
import type { Logger } from '../core/log.ts';

export function createKafka(options: { brokers: string[]; clientId: string; logger: Logger; security?: KafkaSecurity }): Kafka {
  const log = options.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...(options.security?.ssl ? { ssl: options.security.ssl.ca ? { ca: options.security.ssl.ca } : true } : {}),
    // A copy: KafkaJS writes its authenticator onto the object it is given, which would tie the config to this client.
    ...(options.security?.sasl ? { sasl: { ...options.security.sasl } } : {}),
    // KafkaJS's default is chatty at INFO (every join/leave); WARN keeps the signal.
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...fields } = entry;
        if (level <= logLevel.ERROR) log.error(message, fields);
        else log.warn(message, fields);
      },
    retry: { initialRetryTime: 300, retries: 8 },
  });
}
