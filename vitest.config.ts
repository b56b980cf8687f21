import { defineConfig } from 'vitest/config';

// Integration tests share one Kafka broker and one Elasticsearch node, so test files run one at a time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
