/** Config of the HTTP push endpoint (pipeline file, `sources[]` with `"type": "http_push"`). */
import { z } from 'zod';
import { envVarSchema, sourceNameSchema } from '../config-common.ts';

export const httpPushSourceSchema = z
  .object({
    type: z.literal('http_push'),
    name: sourceNameSchema,
    host: z.string().min(1).default('127.0.0.1').describe('Address to listen on; 127.0.0.1 behind a reverse proxy that terminates TLS.'),
    port: z.number().int().min(0).max(65535).describe('0 picks a free port (tests).'),
    path: z.string().regex(/^\/[A-Za-z0-9._~/-]*$/, 'a URL path such as /ingest').default('/ingest').describe('Path that takes POSTed batches.'),
    secret: z.string().min(32, 'at least 32 characters').optional().describe('HMAC-SHA256 key that senders sign `<X-Pantau-Timestamp>.<raw body>` with. Prefer `secretEnv`: the pipeline file is not a vault.'),
    secretEnv: envVarSchema.optional().describe('Environment variable holding the HMAC key (at least 32 characters).'),
    maxBodyBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024).describe('Larger bodies are refused with 413 while they are still arriving.'),
    retryAfterSeconds: z.number().int().min(1).max(3600).default(5).describe('Retry-After of 429 (bus saturated) and 503 (bus unavailable) answers.'),
    requestTimeoutMs: z.number().int().min(1000).max(600_000).default(30_000).describe('A request (headers and body) must arrive within this; slower ones get 408.'),
    headersTimeoutMs: z.number().int().min(1000).max(600_000).default(10_000).describe('The request line and headers must arrive within this (at most requestTimeoutMs); slower ones get 408.'),
    maxClockSkewSeconds: z.number().int().min(1).max(86_400).default(300).describe('How far X-Pantau-Timestamp may be from this server\'s clock, either way, in seconds. Older (or later) requests are refused with 401 `stale_timestamp`, so a captured request cannot be replayed later.'),
  })
  .strict()
  .refine((c) => (c.secret === undefined) !== (c.secretEnv === undefined), {
    message: 'set exactly one of "secret" and "secretEnv"',
    path: ['secretEnv'],
  });

export type HttpPushSourceConfig = z.infer<typeof httpPushSourceSchema>;
