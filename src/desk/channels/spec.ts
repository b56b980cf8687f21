/**
 * How a humas unit is reached, as written in `pipelines/humas-units.json`. Secrets are never in the file: a
 * channel names the environment variable that holds its URL, token, password or signing key (`*_env`), and
 * the value is read at start-up (desk/channels/index.ts refuses to start when one is missing).
 */
import { z } from 'zod';

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as PANTAU_KPU_WEBHOOK_URL');
const httpUrl = z.url({ protocol: /^https?$/, message: 'an http(s) URL' });

/** Messages per minute a channel may send; further messages wait (never dropped). */
const ratePerMinute = z.number().int().min(1).max(6000).default(30);

export const channelSpecSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('webhook'),
      /** The receiver's URL (may carry a token in its path or query): from this environment variable. */
      url_env: envName,
      /** HMAC-SHA256 signing key, from this environment variable. */
      secret_env: envName,
      rate_per_minute: ratePerMinute,
    })
    .strict(),
  z
    .object({
      type: z.literal('slack'),
      /** A Slack-compatible incoming-webhook URL (its path is the token): from this environment variable. */
      url_env: envName,
      rate_per_minute: ratePerMinute,
    })
    .strict(),
  z
    .object({
      type: z.literal('telegram'),
      /** Bot API base URL; another one for a self-hosted Bot API server or a test. */
      api_base: httpUrl.default('https://api.telegram.org'),
      token_env: envName,
      chat_id: z.union([z.string().regex(/^(-?\d+|@[A-Za-z0-9_]{5,})$/, 'a numeric chat id or @channelname'), z.number().int()]),
      rate_per_minute: ratePerMinute,
    })
    .strict(),
  z
    .object({
      type: z.literal('email'),
      /** SMTP URL without credentials, e.g. smtp://mail.example.go.id:587 or smtps://…:465. */
      smtp_url: z.string().regex(/^smtps?:\/\/[^/@\s]+(:\d+)?\/?$/, 'smtp://host:port or smtps://host:port, without user or password'),
      user_env: envName.optional(),
      password_env: envName.optional(),
      from: z.string().min(3).max(200),
      to: z.array(z.email()).min(1).max(50),
      rate_per_minute: ratePerMinute,
    })
    .strict(),
]);

export type ChannelSpec = z.infer<typeof channelSpecSchema>;
export type ChannelType = ChannelSpec['type'];
