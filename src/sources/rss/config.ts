/** Config of an RSS 2.0 / Atom feed source (pipeline file, `sources[]` with `"type": "rss"`). */
import { z } from 'zod';
import { languageSchema, platformSchema, pollingFields, regionSchema, sourceNameSchema } from '../config-common.ts';

export const rssSourceSchema = z
  .object({
    type: z.literal('rss'),
    name: sourceNameSchema,
    url: z.url({ protocol: /^https?$/ }).describe('The feed\'s address (http or https).'),
    platform: platformSchema.default('news').describe('Posts\' platform.'),
    language: languageSchema.nullable().default('id').describe('Language of the feed\'s items (ISO 639); null when mixed or unknown.'),
    region: regionSchema.nullable().default(null).describe('BPS code for a regional portal\'s items; null for national ones.'),
    ...pollingFields,
  })
  .strict();

export type RssSourceConfig = z.infer<typeof rssSourceSchema>;
