import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config/config.ts';
import { PROJECT_ROOT } from '../../src/core/paths.ts';

const dir = join(PROJECT_ROOT, 'pipelines/systemd');
const units = readdirSync(dir).filter((f) => f.endsWith('.service'));

/** key → values of one section of a unit file (keys may repeat, e.g. Environment=). */
function section(text: string, name: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current = '';
  for (const line of text.split('\n')) {
    const header = /^\[(.+)\]$/.exec(line.trim());
    if (header) current = header[1]!;
    else if (current === name && /^[A-Za-z]+=/.test(line)) {
      const [key, ...rest] = line.split('=');
      out.set(key!, [...(out.get(key!) ?? []), rest.join('=')]);
    }
  }
  return out;
}

describe('systemd units (pipelines/systemd)', () => {
  it('has the worker template, the sources, the server and setup', () => {
    expect(units.sort()).toEqual(['pantau-serve.service', 'pantau-setup.service', 'pantau-sources.service', 'pantau-work@.service']);
  });

  it.each(units)('%s runs an existing pantau command with the project Node as one process, stopped by SIGTERM', (unit) => {
    const text = readFileSync(join(dir, unit), 'utf8');
    const service = section(text, 'Service');
    const [exec] = service.get('ExecStart') ?? [];
    const words = exec!.split(/\s+/);
    // /opt/pantau is where the README installs the project: the same files as here.
    const local = (path: string) => path.replace('/opt/pantau', PROJECT_ROOT);
    expect(words[0]).toBe('/opt/pantau/node_modules/.bin/node');
    const script = words.find((w) => w.endsWith('.ts'))!;
    expect(existsSync(local(script)), script).toBe(true);
    const command = words[words.indexOf(script) + 1];
    expect(['work', 'sources', 'serve', 'setup']).toContain(command);
    expect(readFileSync(local(script), 'utf8')).toContain(`case '${command}':`);
    expect(service.get('User')).toEqual(['pantau']);
    expect(service.get('EnvironmentFile')?.[0]).toBe('/etc/pantau/pantau.env');
    if (command !== 'setup') {
      expect(service.get('Type')).toEqual(['simple']);
      expect(service.get('KillSignal')).toEqual(['SIGTERM']);
      expect(service.get('Restart')).toEqual(['on-failure']);
    }
    for (const env of service.get('Environment') ?? []) expect(CONFIG_VARIABLES, env).toContain(env.split('=')[0]);
  });

  it('the example environment names only variables pantau reads, and passes its checks', () => {
    const example = readFileSync(join(dir, 'pantau.env.example'), 'utf8');
    const env: Record<string, string> = {};
    for (const line of example.split('\n')) {
      if (!line.trim() || line.startsWith('#')) continue;
      const [key, ...rest] = line.split('=');
      env[key!] = rest.join('=');
    }
    for (const key of Object.keys(env)) expect([...CONFIG_VARIABLES, 'LOG_LEVEL'], key).toContain(key);
    // The CA files of the example do not exist here: point them at a certificate-shaped file.
    const ca = join(mkdtempSync(join(tmpdir(), 'pantau-units-')), 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const config = loadConfig({ ...env, KAFKA_SSL_CA: ca, ELASTICSEARCH_CA_FILE: ca, PANTAU_PIPELINE: join(PROJECT_ROOT, 'pipelines/pantau.pipeline.json') });
    expect(config.kafkaSecurity.sasl?.mechanism).toBe('scram-sha-512');
    expect(config.elasticsearchUrl?.split(',')).toHaveLength(2);
  });
});
