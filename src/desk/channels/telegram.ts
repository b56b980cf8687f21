/**
 * Telegram Bot API `sendMessage` with parse_mode HTML. The bot token is part of the URL path
 * (`/bot<token>/sendMessage`), so the URL is never shown: errors name the chat, and fetch's own errors (which may
 * quote the URL) are replaced (webhook.ts postJson).
 *
 * Telegram answers `{ ok: false, error_code, description, parameters: { retry_after } }`: 429 (flood control) and
 * 5xx may succeed later, and a 429 says how many seconds to wait, which `deliver` honours; other 4xx (chat not
 * found, bot blocked, bad HTML) never will.
 */
import { redact } from '../../core/redact.ts';
import type { ChannelMessage } from '../types.ts';
import type { Channel } from './index.ts';
import { ChannelError, postJson } from './webhook.ts';

/** Telegram's limit for a message text, in UTF-16 code units after entity parsing. */
export const TELEGRAM_TEXT_MAX = 4096;

interface TelegramReply {
  ok?: boolean;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
}

/**
 * `html` cut to at most `max` UTF-16 code units of markup, so its visible text is shorter still. The cut is never
 * inside a tag or an entity, tags left open are closed, and "…" marks the cut.
 */
export function cutTelegramHtml(html: string, max = TELEGRAM_TEXT_MAX): string {
  if (html.length <= max) return html;
  let head = html.slice(0, max - 1);
  // Not between the two halves of a surrogate pair.
  const last = head.charCodeAt(head.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) head = head.slice(0, -1);
  // An unfinished tag: `<a href="…` or `</b`.
  const open = head.lastIndexOf('<');
  if (open > head.lastIndexOf('>')) head = head.slice(0, open);
  // An unfinished entity: `&amp` or `&#12`.
  head = head.replace(/&#?[A-Za-z0-9]*$/, '');
  // Close what is still open, innermost first (Telegram rejects unbalanced tags).
  const stack: string[] = [];
  for (const match of head.matchAll(/<(\/?)([A-Za-z][A-Za-z0-9-]*)[^>]*>/g)) {
    const name = match[2]!.toLowerCase();
    if (match[0].endsWith('/>')) continue;
    if (match[1] === '/') {
      const at = stack.lastIndexOf(name);
      if (at !== -1) stack.splice(at);
    } else {
      stack.push(name);
    }
  }
  return head + '…' + stack.reverse().map((name) => `</${name}>`).join('');
}

export function createTelegramChannel(config: { apiBase: string; token: string; chatId: string | number; timeoutMs: number }): Channel {
  const url = `${config.apiBase.replace(/\/+$/, '')}/bot${config.token}/sendMessage`;
  const receiver = `chat ${config.chatId}`;
  // Belt and braces: whatever Telegram or a proxy echoes, the token does not leave in an error.
  const scrub = (text: string) => redact(text.split(config.token).join('***'));
  return {
    type: 'telegram',
    target: `telegram ${receiver}`,
    async send(message: ChannelMessage): Promise<void> {
      const body = JSON.stringify({
        chat_id: config.chatId,
        text: cutTelegramHtml(message.telegram_html),
        parse_mode: 'HTML',
        disable_web_page_preview: true,
      });
      const response = await postJson(url, body, { channel: 'telegram', receiver, timeoutMs: config.timeoutMs });
      const raw = await response.text().catch(() => '');
      let reply: TelegramReply = {};
      try {
        reply = JSON.parse(raw) as TelegramReply;
      } catch {
        // Not JSON (a proxy's error page): the HTTP status decides.
      }
      if (response.ok && reply.ok === true) return;
      const status = typeof reply.error_code === 'number' ? reply.error_code : response.status;
      const retryAfter = reply.parameters?.retry_after;
      const description = typeof reply.description === 'string' ? `: ${scrub(reply.description.slice(0, 300))}` : '';
      throw new ChannelError(`telegram ${receiver} answered ${status}${description}`, {
        code: `telegram_${status}`,
        retriable: status === 429 || (status >= 500 && status <= 599),
        retryAfterMs: typeof retryAfter === 'number' && retryAfter >= 0 ? retryAfter * 1000 : undefined,
      });
    },
    async close(): Promise<void> {},
  };
}
