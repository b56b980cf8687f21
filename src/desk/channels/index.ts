/**
 * A unit's channels as the desk uses them: built once at start-up from the configured spec (spec.ts) and the
 * environment. Every secret a spec names must be set, or the desk refuses to start (better than discovering the
 * missing token at the first hoax); each value is registered with core/redact.ts, so it cannot leave the process
 * in a log line or a delivery record even if a library quotes it.
 */
import type { Clock } from '../../core/clock.ts';
import { PantauError } from '../../core/errors.ts';
import { registerSecret } from '../../core/redact.ts';
import type { ChannelMessage } from '../types.ts';
import { createEmailChannel } from './email.ts';
import { createSlackChannel } from './slack.ts';
import type { ChannelSpec, ChannelType } from './spec.ts';
import { createTelegramChannel } from './telegram.ts';
import { createWebhookChannel } from './webhook.ts';

export interface Channel {
  readonly type: ChannelType;
  /** How logs and the delivery log name the channel, secrets removed: `webhook https://hooks.example/***`. */
  readonly target: string;
  /** Throws PantauError (stage 'alerting') when the message did not go out; `retriable` says whether to try again. */
  send(message: ChannelMessage): Promise<void>;
  close(): Promise<void>;
}

export interface ChannelOptions {
  /** Per request (HTTP) or per SMTP step (connect, greeting, socket inactivity). */
  timeoutMs: number;
  /** Signs the webhook timestamp. */
  clock: Clock;
}

export function createChannel(spec: ChannelSpec, env: Record<string, string | undefined>, options: ChannelOptions): Channel {
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value.trim() === '') {
      throw new PantauError(`the ${spec.type} channel needs the environment variable ${name}, which is not set or empty`, {
        stage: 'config',
        code: 'channel_secret_missing',
        retriable: false,
      });
    }
    return value;
  };
  const secret = (name: string): string => {
    const value = required(name);
    registerSecret(value);
    return value;
  };
  const httpUrl = (name: string): string => {
    const value = secret(name);
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      // Reported below without the value.
    }
    if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
      throw new PantauError(`the ${spec.type} channel's ${name} is not an http(s) URL`, { stage: 'config', code: 'channel_url_invalid', retriable: false });
    }
    return value;
  };

  switch (spec.type) {
    case 'webhook':
      return createWebhookChannel({ url: httpUrl(spec.url_env), secret: secret(spec.secret_env), timeoutMs: options.timeoutMs, clock: options.clock });
    case 'slack':
      return createSlackChannel({ url: httpUrl(spec.url_env), timeoutMs: options.timeoutMs });
    case 'telegram':
      return createTelegramChannel({ apiBase: spec.api_base, token: secret(spec.token_env), chatId: spec.chat_id, timeoutMs: options.timeoutMs });
    case 'email':
      return createEmailChannel({
        smtpUrl: spec.smtp_url,
        // The user name is not secret (often the sender address, which redacting would blank out of every log).
        user: spec.user_env === undefined ? undefined : required(spec.user_env),
        password: spec.password_env === undefined ? undefined : secret(spec.password_env),
        from: spec.from,
        to: spec.to,
        timeoutMs: options.timeoutMs,
      });
  }
}
