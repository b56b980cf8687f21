/**
 * Where the local services keep their files. Everything lives under one cache folder, `.services/` at the
 * project root (resolved from this file, not from the working directory), or PANTAU_SERVICES_DIR when set.
 * Elasticsearch may live elsewhere when its unprivileged user cannot reach this folder: see elasticsearch-user.ts.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { PROJECT_ROOT } from '../core/paths.ts';

export { PROJECT_ROOT };
export const POM_PATH = fileURLToPath(new URL('./pom.xml', import.meta.url));

export function servicesDir(): string {
  const override = process.env.PANTAU_SERVICES_DIR;
  return override ? resolve(override) : join(PROJECT_ROOT, '.services');
}

/** State files (pid and where things are), and the lock that serialises `up` and `down`. */
export function runDir(): string {
  return join(servicesDir(), 'run');
}

/** Maven's scratch output (plugin markers, staging folders). */
export function mavenWorkDir(): string {
  return join(servicesDir(), 'maven-work');
}

export function kafkaDir(): string {
  return join(servicesDir(), 'kafka');
}
