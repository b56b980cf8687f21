import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadApiKeyRoles, roleDescriptor, templateIndices } from '../../src/access/api-key-roles.ts';
import { loadConfig } from '../../src/config/config.ts';

const config = loadConfig({});
const templates = templateIndices(config.pipeline.elasticsearch.templates, config.pipelineDir, 'humas');
const roles = loadApiKeyRoles();
const privilegesOn = (role: string, name: string) =>
  roleDescriptor(roles, role, templates)
    .indices.filter((entry) => entry.names.includes(name))
    .flatMap((entry) => entry.privileges);

describe('API-key roles', () => {
  it('cover every index and alias of every template, with the prefix filled in', () => {
    const all = templates.flatMap((t) => t.names);
    expect(all).toContain('humas-posts-*');
    expect(all).toContain('humas-posts'); // the alias queries go through
    expect(all.every((name) => name.startsWith('humas-'))).toBe(true);
    const setup = roleDescriptor(roles, 'setup', templates).indices.flatMap((e) => e.names);
    expect(new Set(setup)).toEqual(new Set(all));
  });

  it('only setup may change templates or delete indices', () => {
    for (const role of Object.keys(roles.roles).filter((r) => r !== 'setup')) {
      const descriptor = roleDescriptor(roles, role, templates);
      expect(descriptor.cluster, role).not.toContain('manage_index_templates');
      expect(descriptor.cluster, role).not.toContain('all');
      for (const entry of descriptor.indices) {
        for (const forbidden of ['all', 'manage', 'delete_index']) expect(entry.privileges, role).not.toContain(forbidden);
        expect(entry.allow_restricted_indices).toBe(false);
      }
    }
  });

  it('the worker writes the pipeline indices but never sees users or sessions', () => {
    expect(privilegesOn('worker', 'humas-posts-*')).toEqual(expect.arrayContaining(['write', 'create_index', 'read']));
    expect(privilegesOn('worker', 'humas-alerts')).toContain('write');
    expect(privilegesOn('worker', 'humas-users')).toEqual([]);
    expect(privilegesOn('worker', 'humas-sessions')).toEqual([]);
  });

  it('the dashboard only reads, and not users or sessions', () => {
    const descriptor = roleDescriptor(roles, 'dashboard', templates);
    expect(descriptor.indices.flatMap((e) => e.privileges).sort()).toEqual(['read', 'view_index_metadata']);
    expect(privilegesOn('dashboard', 'humas-posts')).toContain('read');
    expect(privilegesOn('dashboard', 'humas-users')).toEqual([]);
  });

  it('refuses an unknown role and a role file that lets a component delete indices', () => {
    expect(() => roleDescriptor(roles, 'root', templates)).toThrow(/no API-key role "root"; known: setup, worker/);
    const file = join(mkdtempSync(join(tmpdir(), 'pantau-roles-')), 'roles.json');
    writeFileSync(file, JSON.stringify({ roles: { worker: { purpose: 'x', cluster: [], indices: [{ templates: '*', privileges: ['delete_index'] }] } } }));
    expect(() => loadApiKeyRoles(file)).toThrow(/role "worker" holds delete_index; only setup/);
    writeFileSync(file, JSON.stringify({ roles: { worker: { purpose: 'x', cluster: [], indices: [{ templates: ['postz'], privileges: ['read'] }] } } }));
    expect(() => roleDescriptor(loadApiKeyRoles(file), 'worker', templates)).toThrow(/templates the pipeline file does not have: postz/);
  });
});
