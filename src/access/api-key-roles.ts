/**
 * The Elasticsearch privileges each pantau component needs, as role descriptors for API keys. The roles are
 * data (pipelines/elasticsearch/api-key-roles.json); the index names come from the index templates, so a new
 * index is covered by the roles the day its template is added.
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { z } from 'zod';
import { PantauError } from '../core/errors.ts';
import { PROJECT_ROOT } from '../core/paths.ts';

export const DEFAULT_API_KEY_ROLES_FILE = resolve(PROJECT_ROOT, 'pipelines/elasticsearch/api-key-roles.json');

/** Privileges no role but setup may hold: they change or remove what other components rely on. */
const ADMIN_INDEX_PRIVILEGES = new Set(['all', 'manage', 'delete_index', 'manage_ilm', 'manage_follow_index']);

const rolesSchema = z.strictObject({
  _comment: z.string().optional(),
  roles: z.record(
    z.string().regex(/^[a-z][a-z0-9-]*$/),
    z.strictObject({
      purpose: z.string().min(1),
      cluster: z.array(z.string().min(1)),
      indices: z.array(
        z.strictObject({
          templates: z.union([z.literal('*'), z.array(z.string().min(1)).min(1)]),
          except: z.array(z.string().min(1)).optional(),
          privileges: z.array(z.string().min(1)).min(1),
        }),
      ),
    }),
  ),
});

export type ApiKeyRoles = z.infer<typeof rolesSchema>;

/** An Elasticsearch role descriptor (the body of `role_descriptors.<name>` in POST /_security/api_key). */
export interface RoleDescriptor {
  cluster: string[];
  indices: Array<{ names: string[]; privileges: string[]; allow_restricted_indices: false }>;
}

export interface TemplateIndices {
  /** Template file name without .template.json: "posts", "users", … */
  key: string;
  /** Index patterns and aliases of the template, prefix filled in. */
  names: string[];
}

function configError(message: string): PantauError {
  return new PantauError(message, { stage: 'config', code: 'api_key_roles_invalid', retriable: false });
}

export function loadApiKeyRoles(file = DEFAULT_API_KEY_ROLES_FILE): ApiKeyRoles {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw configError(`cannot read the API-key roles ${file}: ${(cause as Error).message}`);
  }
  const parsed = rolesSchema.safeParse(raw);
  if (!parsed.success) throw configError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  for (const [name, role] of Object.entries(parsed.data.roles)) {
    if (name === 'setup') continue;
    const admin = role.indices.flatMap((i) => i.privileges).filter((p) => ADMIN_INDEX_PRIVILEGES.has(p));
    if (admin.length > 0) throw configError(`${file}: role "${name}" holds ${admin.join(', ')}; only setup may change or delete indices`);
  }
  return parsed.data;
}

/** The index names (patterns and aliases) each template of the pipeline file covers. */
export function templateIndices(templateFiles: string[], baseDir: string, prefix: string): TemplateIndices[] {
  return templateFiles.map((file) => {
    const path = resolve(baseDir, file);
    const body = (JSON.parse(readFileSync(path, 'utf8').replaceAll('{prefix}', prefix)) as { body: { index_patterns: string[]; template?: { aliases?: Record<string, unknown> } } }).body;
    return { key: basename(file).replace(/\.template\.json$/, ''), names: [...body.index_patterns, ...Object.keys(body.template?.aliases ?? {})] };
  });
}

/** The role descriptor of one role for one index prefix; unknown template names are refused. */
export function roleDescriptor(roles: ApiKeyRoles, role: string, templates: TemplateIndices[]): RoleDescriptor {
  const definition = roles.roles[role];
  if (!definition) throw configError(`no API-key role "${role}"; known: ${Object.keys(roles.roles).join(', ')}`);
  const known = new Set(templates.map((t) => t.key));
  return {
    cluster: definition.cluster,
    indices: definition.indices.map((entry) => {
      const named = entry.templates === '*' ? [...known] : entry.templates;
      const unknown = [...named, ...(entry.except ?? [])].filter((key) => !known.has(key));
      if (unknown.length > 0) throw configError(`API-key role "${role}" names templates the pipeline file does not have: ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
      const chosen = templates.filter((t) => named.includes(t.key) && !(entry.except ?? []).includes(t.key));
      return { names: chosen.flatMap((t) => t.names), privileges: entry.privileges, allow_restricted_indices: false as const };
    }),
  };
}
