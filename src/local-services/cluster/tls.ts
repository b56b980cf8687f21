/**
 * The cluster's certificates, made with openssl: a local CA and one server certificate (IP:127.0.0.1,
 * DNS:localhost) that every Kafka broker and Elasticsearch node presents. Keys are unencrypted PKCS#8 PEM,
 * which both Kafka's PEM keystore and Elasticsearch read. Made once; made again when a file is missing or a
 * certificate expires within 30 days.
 */
import { X509Certificate } from 'node:crypto';
import { access, chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PantauError } from '../../core/errors.ts';
import { run } from '../process.ts';
import { tlsDir } from './settings.ts';

export interface TlsFiles {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  /** Key then certificate then CA: the single file Kafka's PEM keystore reads. */
  serverKeystore: string;
}

export function tlsFiles(dir = tlsDir()): TlsFiles {
  return {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    serverKeystore: join(dir, 'server-keystore.pem'),
  };
}

const RENEW_BEFORE_SECONDS = 30 * 24 * 3600;

/** "ab12…" (any case, optional colons) → "AB:12:…", the form Elasticsearch, Kibana and Node print. */
export function formatFingerprint(hex: string): string {
  const digits = hex.replaceAll(':', '').toUpperCase();
  if (!/^(?:[0-9A-F]{2})+$/.test(digits)) throw new Error(`not a hex digest: ${hex}`);
  return digits.match(/../g)!.join(':');
}

/** SHA-256 of the certificate's DER encoding, as AB:12:…. */
export function certificateFingerprint(pem: string): string {
  return formatFingerprint(new X509Certificate(pem).fingerprint256);
}

async function openssl(args: string[], what: string): Promise<void> {
  const result = await run('openssl', args).catch((error: unknown) => {
    throw new PantauError('openssl is needed to make the local cluster certificates (Debian/Ubuntu: apt-get install openssl)', {
      stage: 'services',
      code: 'openssl_missing',
      retriable: false,
      cause: error,
    });
  });
  if (result.code !== 0) {
    throw new PantauError(`openssl failed to ${what} (exit code ${result.code}): ${result.stderr.trim().split('\n').slice(-5).join(' ')}`, {
      stage: 'services',
      code: 'tls_failed',
      retriable: false,
    });
  }
}

async function usable(cert: string, keys: string[]): Promise<boolean> {
  for (const path of [cert, ...keys]) {
    if (!(await access(path).then(() => true, () => false))) return false;
  }
  // -checkend exits 1 when the certificate expires within that many seconds (or cannot be read).
  const result = await run('openssl', ['x509', '-noout', '-checkend', String(RENEW_BEFORE_SECONDS), '-in', cert]).catch(() => undefined);
  return result?.code === 0;
}

/** Makes the CA and server certificate when missing or expiring soon; returns their paths. */
export async function ensureTls(log: (line: string) => void, dir = tlsDir()): Promise<TlsFiles> {
  const files = tlsFiles(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const caOk = await usable(files.caCert, [files.caKey]);
  if (caOk && (await usable(files.serverCert, [files.serverKey, files.serverKeystore]))) return files;

  if (!caOk) {
    log(`making a local certificate authority in ${dir}…`);
    await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', files.caKey], 'make the CA key');
    await chmod(files.caKey, 0o600);
    await openssl(
      [
        'req', '-x509', '-new', '-key', files.caKey, '-sha256', '-days', '3650', '-subj', '/CN=pantau local cluster CA',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
        '-out', files.caCert,
      ],
      'make the CA certificate',
    );
  }
  log('making the cluster server certificate (127.0.0.1, localhost)…');
  const csr = join(dir, 'server.csr');
  const extensions = join(dir, 'server.ext');
  await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', files.serverKey], 'make the server key');
  await chmod(files.serverKey, 0o600);
  await openssl(['req', '-new', '-key', files.serverKey, '-subj', '/CN=localhost', '-out', csr], 'make the certificate request');
  // clientAuth too: Elasticsearch nodes present the same certificate when they connect to each other.
  await writeFile(
    extensions,
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth,clientAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '',
    ].join('\n'),
  );
  await openssl(
    ['x509', '-req', '-in', csr, '-CA', files.caCert, '-CAkey', files.caKey, '-CAcreateserial', '-sha256', '-days', '825', '-extfile', extensions, '-out', files.serverCert],
    'sign the server certificate',
  );
  await rm(csr, { force: true });
  await rm(extensions, { force: true });
  await rm(join(dir, 'ca.srl'), { force: true });
  const keystore = [await readFile(files.serverKey, 'utf8'), await readFile(files.serverCert, 'utf8'), await readFile(files.caCert, 'utf8')].join('');
  await writeFile(files.serverKeystore, keystore, { mode: 0o600 });
  await chmod(files.serverKeystore, 0o600);
  return files;
}
