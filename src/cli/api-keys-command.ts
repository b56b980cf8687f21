/**
 * `pantau api-keys roles | create | list | invalidate`: Elasticsearch API keys with the least privileges each
 * component needs (src/access/api-key-roles.ts). Run with an administrator's credentials (ELASTICSEARCH_USERNAME
 * and ELASTICSEARCH_PASSWORD, or an API key allowed to manage API keys); the keys it makes go to the components.
 */
import { parseArgs } from 'node:util';
import type { Client } from '@elastic/elasticsearch';
import { loadApiKeyRoles, roleDescriptor, templateIndices } from '../access/api-key-roles.ts';
import { rolesYml } from '../access/file-realm.ts';
import { loadConfig, type AppConfig } from '../config/config.ts';
import { PantauError } from '../core/errors.ts';
import { createElasticsearchClient } from '../store/elasticsearch-client.ts';
import { httpStatusOf } from '../store/elasticsearch-errors.ts';

export const API_KEYS_HELP = `  api-keys roles [--prefix P] [--format json|roles-yml]
                              Print the Elasticsearch role descriptor of each component (setup, worker, api,
                              dashboard, sources): JSON for keys made elsewhere (Kibana, curl), or roles.yml for
                              users of those roles (file realm: one user per component instead of API keys).
  api-keys create --role R [--name N] [--expires 90d] [--prefix P]
                              Make an API key with role R's privileges on the indices of prefix P and print it
                              once (set it as ELASTICSEARCH_API_KEY of that component; the dashboard key as
                              ELASTICSEARCH_DASHBOARD_API_KEY of pantau serve). Needs an administrator's credentials.
  api-keys list               pantau's API keys: id, name, role, prefix, created, expires, invalidated.
  api-keys invalidate --id ID Revoke a key at once.`;

export interface ApiKeysIo {
  say: (line: string) => void;
  /** The client to use (tests); default: one from the environment's ELASTICSEARCH_URL and credentials. */
  es?: Client;
  config?: AppConfig;
}

const EXPIRES = /^\d+[dh]$/;

function usage(io: ApiKeysIo, problem?: string): number {
  io.say(`${problem ? `${problem}\n\n` : ''}Usage:\n${API_KEYS_HELP}`);
  return 2;
}

export async function apiKeysCommand(args: readonly string[], io: ApiKeysIo): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: [...rest],
    options: { role: { type: 'string' }, name: { type: 'string' }, expires: { type: 'string' }, prefix: { type: 'string' }, id: { type: 'string' }, format: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0) return usage(io, `unexpected argument "${positionals[0]}"`);
  const config = io.config ?? loadConfig();
  const prefix = values.prefix ?? config.pipeline.elasticsearch.indexPrefix;
  const roles = loadApiKeyRoles();
  const templates = templateIndices(config.pipeline.elasticsearch.templates, config.pipelineDir, prefix);

  if (sub === 'roles') {
    if (values.format === 'roles-yml') {
      io.say(rolesYml(roles, [templates]).trimEnd());
      return 0;
    }
    if (values.format !== undefined && values.format !== 'json') return usage(io, `--format takes json or roles-yml (got "${values.format}")`);
    const all = Object.fromEntries(Object.entries(roles.roles).map(([name, role]) => [name, { purpose: role.purpose, role_descriptor: roleDescriptor(roles, name, templates) }]));
    io.say(JSON.stringify(all, null, 2));
    return 0;
  }
  if (sub !== 'create' && sub !== 'list' && sub !== 'invalidate') return usage(io, `api-keys takes roles, create, list or invalidate (got ${sub === undefined ? 'none' : `"${sub}"`})`);
  if (sub === 'create') {
    if (!values.role) return usage(io, 'api-keys create needs --role R');
    if (values.expires !== undefined && !EXPIRES.test(values.expires)) return usage(io, `--expires takes days or hours, e.g. 90d or 12h (got "${values.expires}")`);
  }
  if (sub === 'invalidate' && !values.id) return usage(io, 'api-keys invalidate needs --id ID (see api-keys list)');
  if (!config.elasticsearchUrl && !io.es) {
    throw new PantauError('api-keys needs ELASTICSEARCH_URL of a cluster with security on (the local single node runs without it; npm run services -- up --cluster starts one with it)', {
      stage: 'config',
      code: 'api_keys_no_cluster',
      retriable: false,
    });
  }
  const es = io.es ?? createElasticsearchClient(config.elasticsearchUrl!, config.elasticsearchAuth);
  try {
    if (sub === 'create') {
      const role = values.role!;
      const descriptor = roleDescriptor(roles, role, templates);
      const name = values.name ?? `pantau-${prefix}-${role}`;
      const created = await es.security.createApiKey({
        name,
        ...(values.expires ? { expiration: values.expires } : {}),
        role_descriptors: { [`pantau-${role}`]: descriptor },
        metadata: { application: 'pantau', role, prefix },
      });
      io.say(`API key "${name}" (id ${created.id}, role ${role} on ${prefix}-*${created.expiration ? `, expires ${new Date(created.expiration).toISOString()}` : ', no expiry'}).`);
      io.say('Shown once; store it as a secret (ELASTICSEARCH_API_KEY of the component):');
      io.say(created.encoded ?? Buffer.from(`${created.id}:${created.api_key}`).toString('base64'));
      return 0;
    }
    if (sub === 'list') {
      const found = await es.security.queryApiKeys({ query: { term: { 'metadata.application': 'pantau' } }, size: 1000, sort: ['creation'] });
      if ((found.api_keys ?? []).length === 0) io.say('no pantau API keys');
      for (const key of found.api_keys ?? []) {
        const meta = (key.metadata ?? {}) as { role?: string; prefix?: string };
        const state = key.invalidated ? 'invalidated' : key.expiration && key.expiration < Date.now() ? 'expired' : 'active';
        io.say(`${key.id}  ${key.name ?? ''}  role=${meta.role ?? '?'}  prefix=${meta.prefix ?? '?'}  created ${new Date(key.creation ?? 0).toISOString()}  ${key.expiration ? `expires ${new Date(key.expiration).toISOString()}` : 'no expiry'}  ${state}`);
      }
      return 0;
    }
    const result = await es.security.invalidateApiKey({ ids: [values.id!] });
    if (result.invalidated_api_keys.length === 0 && result.previously_invalidated_api_keys.length === 0) {
      io.say(`no API key with id ${values.id}`);
      return 1;
    }
    io.say(`API key ${values.id} ${result.invalidated_api_keys.length > 0 ? 'invalidated' : 'was already invalidated'}`);
    return 0;
  } catch (error) {
    throw explain(error);
  } finally {
    if (!io.es) await es.close();
  }
}

/** Security off, or credentials without the right to manage keys: say so plainly. */
function explain(error: unknown): unknown {
  const status = httpStatusOf(error);
  const text = String((error as { meta?: { body?: unknown } }).meta?.body ? JSON.stringify((error as { meta: { body: unknown } }).meta.body) : error);
  if (text.includes('pattern_capture')) {
    return new PantauError(
      "this Elasticsearch cannot store API keys: its .security index needs the analysis-common module, which this distribution lacks (the integ-test zip, e.g. the local cluster). Use users of the same roles instead: api-keys roles --format roles-yml prints them as file-realm roles (the local cluster has them as pantau-<role>)",
      { stage: 'config', code: 'api_keys_unsupported', retriable: false, cause: error },
    );
  }
  if (/security.*(not enabled|disabled)/i.test(text)) {
    return new PantauError('Elasticsearch security is off on this cluster, so it has no API keys; turn it on (xpack.security.enabled) or use npm run services -- up --cluster', { stage: 'config', code: 'api_keys_security_off', retriable: false, cause: error });
  }
  if (status === 401 || status === 403) {
    return new PantauError(`Elasticsearch refused (HTTP ${status}): run api-keys with an administrator's credentials (ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD, or an API key with manage_api_key)`, { stage: 'config', code: 'api_keys_forbidden', retriable: false, cause: error });
  }
  return error;
}
