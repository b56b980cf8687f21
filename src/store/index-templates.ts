/**
 * Installs the versioned index templates kept as data under pipelines/elasticsearch/. `{prefix}` in a
 * template becomes the configured index prefix, so tests and several deployments can share one cluster.
 * Idempotent: a template is (re)written only when missing or older than the file's version.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Client, estypes } from '@elastic/elasticsearch';
import { PantauError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { httpStatusOf } from './elasticsearch-errors.ts';

interface TemplateFile {
  name: string;
  version: number;
  body: Record<string, unknown>;
}

export async function readTemplate(file: string, prefix: string): Promise<TemplateFile> {
  const text = (await readFile(file, 'utf8')).replaceAll('{prefix}', prefix);
  const parsed = JSON.parse(text) as TemplateFile;
  if (typeof parsed.name !== 'string' || typeof parsed.version !== 'number' || typeof parsed.body !== 'object') {
    throw new PantauError(`index template ${file} needs "name", "version" and "body"`, {
      stage: 'config',
      code: 'template_invalid',
      retriable: false,
    });
  }
  return parsed;
}

export async function ensureIndexTemplates(
  client: Client,
  options: { files: string[]; baseDir: string; prefix: string; logger: Logger },
): Promise<string[]> {
  const written: string[] = [];
  for (const file of options.files) {
    const template = await readTemplate(resolve(options.baseDir, file), options.prefix);
    let installed: number | undefined;
    try {
      const current = await client.indices.getIndexTemplate({ name: template.name });
      installed = current.index_templates[0]?.index_template.version ?? undefined;
    } catch (error) {
      // A least-privilege API key (worker, api, dashboard) may not even read templates: `pantau setup`, run with
      // the setup key, installs them; the component goes on and its writes fail loudly if they are missing.
      if (httpStatusOf(error) === 403) {
        options.logger.info('index templates not checked: these credentials may not read them (run pantau setup with the setup key after an upgrade)', { template: template.name });
        return written;
      }
      if (httpStatusOf(error) !== 404) throw error;
    }
    if (installed !== undefined && installed >= template.version) continue;
    await client.indices.putIndexTemplate({ name: template.name, ...template.body });
    // Indices made from an older version get the new fields too (mapping changes here are only additive).
    const body = template.body as {
      index_patterns: string[];
      template?: { settings?: Record<string, unknown>; mappings?: { properties?: Record<string, estypes.MappingProperty> } };
    };
    const properties = body.template?.mappings?.properties;
    if (installed !== undefined && properties) {
      await client.indices.putMapping({ index: body.index_patterns, allow_no_indices: true, properties });
    }
    // Replica settings are dynamic: older indices follow too, so a single node grown into a cluster gets copies.
    const replicas = replicaSettings(body.template?.settings);
    if (installed !== undefined && replicas) {
      await client.indices.putSettings({ index: body.index_patterns, allow_no_indices: true, expand_wildcards: 'all', settings: replicas });
    }
    written.push(template.name);
    options.logger.info('installed index template', { name: template.name, version: template.version });
  }
  return written;
}

/** The template's replica settings (`auto_expand_replicas`: 0 copies on one node, 1 on two or more), if any. */
export function replicaSettings(settings: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!settings) return undefined;
  const picked = Object.fromEntries(Object.entries(settings).filter(([key]) => key === 'auto_expand_replicas' || key === 'number_of_replicas'));
  return Object.keys(picked).length > 0 ? picked : undefined;
}
