/**
 * Slack (and Slack-compatible: Mattermost, Rocket.Chat) incoming webhooks. `text` is the plain fallback shown in
 * notifications; `blocks` carry the mrkdwn, cut into sections because Slack refuses a section text over 3000
 * characters and a message over 50 blocks. The URL's path is the token: errors show the origin only.
 */
import { displayUrl, redact } from '../../core/redact.ts';
import type { ChannelMessage } from '../types.ts';
import type { Channel } from './index.ts';
import { httpStatusError, postJson } from './webhook.ts';

export const SLACK_SECTION_MAX = 3000;
export const SLACK_MAX_BLOCKS = 50;

export interface SlackSection {
  type: 'section';
  text: { type: 'mrkdwn'; text: string };
}

/**
 * `markdown` as section blocks of at most `max` characters each, cut at a paragraph break, else a line break,
 * else a space, and never inside a `<url|label>` link. Beyond `maxBlocks` the last section ends with "…".
 */
export function slackSections(markdown: string, max = SLACK_SECTION_MAX, maxBlocks = SLACK_MAX_BLOCKS): SlackSection[] {
  const chunks: string[] = [];
  let rest = markdown.trim();
  while (rest.length > 0 && chunks.length < maxBlocks) {
    if (rest.length <= max) {
      chunks.push(rest);
      rest = '';
      break;
    }
    const cut = cutPoint(rest, max);
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) {
    // More than maxBlocks sections: say the message goes on rather than silently dropping the end.
    const last = chunks.length - 1;
    const text = chunks[last]!;
    chunks[last] = (text.length + 2 > max ? text.slice(0, cutPoint(text, max - 2)).trimEnd() : text) + '\n…';
  }
  return chunks.filter((c) => c.length > 0).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }));
}

/** Where to cut `text` (longer than `max`) so the head is at most `max` characters. */
function cutPoint(text: string, max: number): number {
  const window = text.slice(0, max);
  // Only prefer a natural break when it keeps at least half the section, so sections stay full.
  const floor = Math.floor(max / 2);
  let cut = -1;
  for (const separator of ['\n\n', '\n', ' ']) {
    const at = window.lastIndexOf(separator);
    if (at >= floor) {
      cut = at;
      break;
    }
  }
  if (cut === -1) cut = max;
  // Not inside a <url|label> link: Slack would show the broken halves as text.
  const head = text.slice(0, cut);
  const open = head.lastIndexOf('<');
  if (open > head.lastIndexOf('>') && open > 0) cut = open;
  // Not between the two halves of a surrogate pair.
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return cut;
}

export function createSlackChannel(config: { url: string; timeoutMs: number }): Channel {
  const receiver = displayUrl(config.url, { pathIsSecret: true });
  return {
    type: 'slack',
    target: `slack ${receiver}`,
    async send(message: ChannelMessage): Promise<void> {
      const blocks = slackSections(message.markdown);
      const body = JSON.stringify({ text: message.text, ...(blocks.length > 0 ? { blocks } : {}) });
      const response = await postJson(config.url, body, { channel: 'slack', receiver, timeoutMs: config.timeoutMs });
      if (!response.ok) {
        // Slack answers with a short reason such as `invalid_blocks` or `channel_is_archived`.
        const reason = (await response.text().catch(() => '')).trim().slice(0, 200);
        throw httpStatusError(response, { channel: 'slack', receiver, detail: reason ? redact(reason) : undefined });
      }
      await response.body?.cancel();
    },
    async close(): Promise<void> {},
  };
}
