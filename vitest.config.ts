import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
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
          // Starts local Kafka + Elasticsearch unless KAFKA_BROKERS and ELASTICSEARCH_URL name running ones.
          globalSetup: ['test/global-setup.ts'],
          // One broker and one node are shared: files run one at a time.
          fileParallelism: false,
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
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'cluster',
          // Three SASL_SSL Kafka brokers and three Elasticsearch nodes with TLS (npm run services -- up --cluster).
          include: ['test/cluster/**/*.test.ts'],
          globalSetup: ['test/cluster-setup.ts'],
          // One cluster is shared, and the tests kill and restart its nodes: files run one at a time.
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
