/**
 * The component roles as Elasticsearch file-realm roles (`roles.yml`), for clusters where API keys cannot be
 * made or are not wanted. The local cluster needs this: API keys live in the `.security` index, whose mapping
 * uses the `pattern_capture` filter of the analysis-common module, which the integ-test distribution (the one
 * Maven Central serves) lacks. The privileges are the same role descriptors `pantau api-keys` uses.
 */
import { roleDescriptor, type ApiKeyRoles, type TemplateIndices } from './api-key-roles.ts';

/** The file-realm role name of a component role. */
export const fileRealmRoleName = (role: string): string => `pantau_${role}`;

/**
 * roles.yml for every role, each covering the indices of all `prefixes` (JSON flow style is YAML). Index
 * names of different prefixes are merged per entry, so one user serves, e.g., `pantau` and the tests' `test-*`.
 */
export function rolesYml(roles: ApiKeyRoles, templatesPerPrefix: TemplateIndices[][]): string {
  const lines = ['# Written by pantau from pipelines/elasticsearch/api-key-roles.json; edit that file instead.'];
  for (const role of Object.keys(roles.roles)) {
    const descriptors = templatesPerPrefix.map((templates) => roleDescriptor(roles, role, templates));
    const merged = {
      cluster: descriptors[0]!.cluster,
      indices: descriptors[0]!.indices.map((entry, i) => ({ ...entry, names: descriptors.flatMap((d) => d.indices[i]!.names) })),
    };
    lines.push(`${fileRealmRoleName(role)}: ${JSON.stringify(merged)}`);
  }
  return `${lines.join('\n')}\n`;
}
