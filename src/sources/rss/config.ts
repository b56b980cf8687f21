/** Config of an RSS 2.0 / Atom feed source (pipeline file, `sources[]` with `"type": "rss"`). */
import { z } from 'zod';
import { languageSchema, platformSchema, pollingFields, regionSchema, sourceNameSchema } from '../config-common.ts';

export const rssSourceSchema = z
  .object({
    type: z.literal('rss'),
    name: sourceNameSchema,
    /** The feed's address (http or https). */
    url: z.url({ protocol: /^https?$/ }),
    /** Posts' platform. */
    platform: platformSchema.default('news'),
    /** Language of the feed's items (ISO 639); null when mixed or unknown. */
    language: languageSchema.nullable().default('id'),
    /** BPS code for a regional portal's items; null for national ones. */
    region: regionSchema.nullable().default(null),
    ...pollingFields,
  })
  .strict();

export type RssSourceConfig = z.infer<typeof rssSourceSchema>;
