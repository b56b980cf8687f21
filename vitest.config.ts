import { defineConfig } from 'vitest/config';
import { ClusterFirstSequencer } from './test/sequencer.ts';

// Files that stop, kill or restart the shared single broker and node, or watch the processes on the machine:
// they run alone, after everything else that uses those services.
const SERVICE_DISRUPTING = [
  'test/integration/stream-guarantees.test.ts',
  'test/integration/local-services.test.ts',
  'test/integration/cli-signals.test.ts',
];

// The integration and browser files spend most of their time waiting on Kafka and Elasticsearch (the CPU is
// mostly idle), and each works in its own topics, groups and index prefix: three files run side by side. The
// cluster's one file takes a lane of its own for its whole run.
const SIDE_BY_SIDE = 3;

export default defineConfig({
  test: {
    sequence: { sequencer: ClusterFirstSequencer },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/classifier/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: SERVICE_DISRUPTING,
          // Starts local Kafka + Elasticsearch unless KAFKA_BROKERS and ELASTICSEARCH_URL name running ones.
          globalSetup: ['test/global-setup.ts'],
          maxWorkers: SIDE_BY_SIDE,
          sequence: { groupOrder: 1 },
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'browser',
          // The workspace page in headless Chromium (/usr/bin/chromium) against the real server, Elasticsearch and Kafka.
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          maxWorkers: SIDE_BY_SIDE,
          sequence: { groupOrder: 1 },
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'cluster',
          // Three SASL_SSL Kafka brokers and three Elasticsearch nodes with TLS (npm run services -- up --cluster).
          // One file (it imports the suites in order), as the suites kill and restart the nodes they share; it
          // runs beside the integration files, which use the single broker and node.
          include: ['test/cluster/cluster.test.ts'],
          globalSetup: ['test/cluster-setup.ts'],
          maxWorkers: SIDE_BY_SIDE,
          sequence: { groupOrder: 1 },
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: 'integration-alone',
          include: SERVICE_DISRUPTING,
          globalSetup: ['test/global-setup.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 2 },
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
