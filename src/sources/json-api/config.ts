/** Config of a generic JSON API poller (pipeline file, `sources[]` with `"type": "json_api"`). */
import { z } from 'zod';
import { envVarSchema, languageSchema, platformSchema, pollingFields, regionSchema, sourceNameSchema } from '../config-common.ts';
import { fieldMappingSchema } from '../field-mapping.ts';
import { jsonPointerSchema } from '../json-pointer.ts';

/** An http(s) URL once its placeholders are filled in. */
const urlTemplateSchema = z
  .string()
  .refine((t) => z.url({ protocol: /^https?$/ }).safeParse(t.replaceAll('{cursor}', 'c').replaceAll('{since_id}', '1')).success, 'an http(s) URL, with optional {cursor} and {since_id} placeholders');

export const jsonApiSourceSchema = z
  .object({
    type: z.literal('json_api'),
    name: sourceNameSchema,
    url: urlTemplateSchema.describe('The page URL. `{cursor}` is replaced by the next-page cursor of the previous page, `{since_id}` by the newest item id already published (both URL-encoded, empty at the very first request).'),
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string()).default({}).describe('Extra request headers (not secrets).'),
    headersFromEnv: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), envVarSchema).default({}).describe('Request headers whose values come from environment variables, e.g. {"Authorization": "PANTAU_API_TOKEN"}.'),
    itemsPointer: jsonPointerSchema.describe('Where the page\'s items are (JSON Pointer; "" when the page is the array itself).'),
    nextCursorPointer: jsonPointerSchema.optional().describe('Where the page says the next page\'s cursor is; absent or empty there means "last page".'),
    newestIdPointer: jsonPointerSchema.optional().describe('Where the page says its newest id is (e.g. "/meta/newest_id"); without it, the largest item id (numerically when all digits) becomes the next `{since_id}`.'),
    maxPagesPerRun: z.number().int().min(1).max(1000).default(10).describe('Pages followed per run; the rest waits for the next run, starting from the saved cursor.'),
    fields: fieldMappingSchema(jsonPointerSchema).describe('Where each post field is in an item (JSON Pointers relative to the item).'),
    idPrefix: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/).optional().describe('Post ids are `<idPrefix>-<the item\'s id>`; defaults to the source name.'),
    platform: platformSchema,
    language: languageSchema.nullable().default(null).describe('Language of items without a `fields.language`; null when unknown.'),
    region: regionSchema.nullable().default(null).describe('Region of items without a `fields.region`.'),
    ...pollingFields,
  })
  .strict()
  .refine((c) => c.url.includes('{cursor}') === (c.nextCursorPointer !== undefined), {
    message: 'a "{cursor}" in the url and "nextCursorPointer" go together: one names where the cursor goes, the other where it comes from',
    path: ['nextCursorPointer'],
  });

export type JsonApiSourceConfig = z.infer<typeof jsonApiSourceSchema>;
