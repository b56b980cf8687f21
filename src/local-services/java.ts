/**
 * Finds the Java runtime both services run on: JAVA_HOME when set, else `java` on PATH. Asking the JVM for
 * its own properties gives the real home behind /usr/bin/java symlinks, which Elasticsearch needs as
 * ES_JAVA_HOME.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { PantauError } from '../core/errors.ts';
import { MIN_JAVA_MAJOR } from './versions.ts';
import { run } from './process.ts';

export interface JavaRuntime {
  bin: string;
  home: string;
  version: string;
  major: number;
  description: string;
}

const HOW_TO_GET_JAVA =
  `Install Java ${MIN_JAVA_MAJOR} or newer (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) ` +
  `or set JAVA_HOME to a JDK/JRE ${MIN_JAVA_MAJOR}+.`;

function javaError(message: string, code: string): PantauError {
  return new PantauError(`${message} ${HOW_TO_GET_JAVA}`, { stage: 'services', code, retriable: false });
}

let cached: Promise<JavaRuntime> | undefined;

export function findJava(): Promise<JavaRuntime> {
  cached ??= probeJava().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

async function probeJava(): Promise<JavaRuntime> {
  const javaHome = process.env.JAVA_HOME;
  const bin = javaHome ? join(javaHome, 'bin', 'java') : 'java';
  if (javaHome) {
    await access(bin, constants.X_OK).catch(() => {
      throw javaError(`JAVA_HOME is ${javaHome} but ${bin} is missing or not executable.`, 'java_missing');
    });
  }
  let output: string;
  try {
    const result = await run(bin, ['-XshowSettings:properties', '-version']);
    output = result.stderr + result.stdout;
    if (result.code !== 0) throw javaError(`${bin} -version failed: ${output.trim().split('\n').slice(-3).join(' ')}.`, 'java_broken');
  } catch (error) {
    if (error instanceof PantauError) throw error;
    throw javaError('No Java found: JAVA_HOME is not set and there is no `java` on PATH.', 'java_missing');
  }
  const property = (name: string): string | undefined => new RegExp(`^\\s*${name.replaceAll('.', '\\.')} = (.*)$`, 'm').exec(output)?.[1]?.trim();
  const version = property('java.version') ?? '';
  const home = property('java.home') ?? javaHome ?? '';
  // "1.8.0_402" is Java 8; "17.0.15" and "25" are Java 17 and 25.
  const parts = version.split(/[._-]/).map(Number);
  const major = parts[0] === 1 ? (parts[1] ?? 0) : (parts[0] ?? 0);
  const description = `Java ${version} (${property('java.vm.vendor') ?? property('java.vendor') ?? 'unknown vendor'}) at ${home}`;
  if (!home || major < MIN_JAVA_MAJOR) {
    throw javaError(`Kafka and Elasticsearch need Java ${MIN_JAVA_MAJOR}+, but ${bin} is ${version || 'of unknown version'}.`, 'java_too_old');
  }
  return { bin: join(home, 'bin', 'java'), home, version, major, description };
}
