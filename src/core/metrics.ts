/**
 * Prometheus metrics, one registry per process. Labels are bounded sets (source names from the pipeline
 * file, stage names, error codes, reason codes), never ids or free text.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'pantau_process_' });

export const sourcePosts = new Counter({
  name: 'pantau_source_posts_total',
  help: 'Posts a source handed on, by outcome: published (to posts.raw), dead_lettered, duplicate (seen before).',
  labelNames: ['source', 'outcome'] as const,
  registers: [registry],
});

export const sourceErrors = new Counter({
  name: 'pantau_source_errors_total',
  help: 'Failed fetches or requests of a source, by error code.',
  labelNames: ['source', 'error_type'] as const,
  registers: [registry],
});

export const sourceFetchSeconds = new Histogram({
  name: 'pantau_source_fetch_duration_seconds',
  help: 'Time a source took for one poll or one pushed batch.',
  labelNames: ['source'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

export const sourceUp = new Gauge({
  name: 'pantau_source_up',
  help: '1 when the last poll or request of the source succeeded, 0 when it failed.',
  labelNames: ['source'] as const,
  registers: [registry],
});

export const stageMessages = new Counter({
  name: 'pantau_stage_messages_total',
  help: 'Messages a stream stage finished, by outcome (ok, flagged, dead_lettered, duplicate...).',
  labelNames: ['stage', 'outcome'] as const,
  registers: [registry],
});

export const stageErrors = new Counter({
  name: 'pantau_stage_errors_total',
  help: 'Errors in a stream stage, by error code; retriable ones are retried.',
  labelNames: ['stage', 'error_type', 'retriable'] as const,
  registers: [registry],
});

export const stageBatchSeconds = new Histogram({
  name: 'pantau_stage_batch_duration_seconds',
  help: 'Time to process one batch, from handler start to committed offsets.',
  labelNames: ['stage'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const consumerLag = new Gauge({
  name: 'pantau_consumer_lag_messages',
  help: 'Messages in a topic not yet committed by the stage’s consumer group, summed over partitions.',
  labelNames: ['stage', 'topic'] as const,
  registers: [registry],
});

export const sinkRequestSeconds = new Histogram({
  name: 'pantau_sink_request_duration_seconds',
  help: 'Time of one request to a sink (an Elasticsearch bulk, a webhook POST).',
  labelNames: ['sink'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const modelSeconds = new Histogram({
  name: 'pantau_model_duration_seconds',
  help: 'Time the classifier took for one call (normalise, featurise, model).',
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  registers: [registry],
});

export const transformSeconds = new Histogram({
  name: 'pantau_transform_duration_seconds',
  help: 'Time of one call of a transform besides the model (relevance, narratives).',
  labelNames: ['transform'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

export const deskEvents = new Counter({
  name: 'pantau_desk_events_total',
  help: 'What the counter-narrative desk did: case_opened, alert_sent, escalation_sent, held (quiet hours), delivery_failed, and the lifecycle moves acknowledged, countered, closed.',
  labelNames: ['event'] as const,
  registers: [registry],
});

const RESPONSE_BUCKETS = [60, 300, 900, 1_800, 3_600, 7_200, 14_400, 28_800, 43_200, 86_400, 172_800, 604_800];

export const deskTimeToAcknowledge = new Histogram({
  name: 'pantau_desk_time_to_acknowledge_seconds',
  help: 'From a case opening to its unit acknowledging it, by unit (observed when the unit acknowledges).',
  labelNames: ['unit'] as const,
  buckets: RESPONSE_BUCKETS,
  registers: [registry],
});

export const deskTimeToCounter = new Histogram({
  name: 'pantau_desk_time_to_counter_seconds',
  help: 'From a case opening to its unit publishing the counter, by unit (observed when the unit reports it).',
  labelNames: ['unit'] as const,
  buckets: RESPONSE_BUCKETS,
  registers: [registry],
});
