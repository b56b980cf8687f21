/**
 * Secrets out of everything pantau logs, stores or answers. One helper, applied where text leaves the
 * process: the logger (every line), describeError (CLI output, /healthz, the alerts ledger's last_error)
 * and the HTTP answers built from errors.
 *
 * What it removes:
 * - the user:password part of any URL (`https://user:pw@host` → `https://***@host`);
 * - the values of query parameters whose names say they are secrets (token, key, secret, password,
 *   signature…);
 * - the path of webhook URLs whose path is the token (Slack, Discord, Microsoft Teams, Google Chat hooks);
 * - `Bearer` / `Basic` / `ApiKey` credentials written after those words;
 * - every value registered with `registerSecret` (the configured passwords, API keys, HMAC keys, and the
 *   webhook URL, whose path may be its token): a configured secret is removed wherever it appears, even in
 *   a message a library wrote.
 *
 * The redaction keeps enough to act on: scheme, host and port stay, so "cannot reach https://***@es:9200"
 * still says which cluster.
 */

const REDACTED = '***';

/** Values configured as secrets, longest first (so a secret that contains another is removed whole). */
let secrets: Array<{ value: string; replacement: string }> = [];

/**
 * Removes `value` wherever it appears from now on. A URL is replaced by its origin (`https://host/***`),
 * anything else by `***`. Values shorter than 6 characters are ignored: redacting "abc" everywhere would
 * mangle ordinary text and protects nothing.
 */
export function registerSecret(value: string | undefined): void {
  if (!value || value.length < 6) return;
  let replacement = REDACTED;
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') replacement = `${url.protocol}//${url.host}/${REDACTED}`;
  } catch {
    // Not a URL: replaced by *** alone.
  }
  // The same secret as it appears inside a JSON string (a log line), and a URL without its trailing slash
  // or percent-decoded, as some libraries write it.
  const variants = [value, JSON.stringify(value).slice(1, -1)];
  if (replacement !== REDACTED) variants.push(value.replace(/\/+$/, ''), safeDecode(value));
  for (const variant of new Set(variants)) {
    if (variant.length >= 6 && !secrets.some((s) => s.value === variant)) secrets.push({ value: variant, replacement });
  }
  secrets.sort((a, b) => b.value.length - a.value.length);
}

/** Forgets the registered secrets (tests). */
export function clearRegisteredSecrets(): void {
  secrets = [];
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

// scheme://user[:password]@ — the userinfo of any URL in the text.
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;
// ?token=… &api_key=… — query parameters (and fragments) whose name says they are secret.
const SECRET_PARAM = /([?&#;](?:[a-z0-9_.-]*?)(?:token|key|secret|password|passwd|pwd|signature|sig|auth|credential|session)[a-z0-9_.-]*=)[^&#\s"'<>]+/gi;
// Webhook services whose URL path is the credential.
const TOKEN_PATH_HOOKS = /\b(https?:\/\/(?:hooks\.slack\.com|(?:[a-z0-9-]+\.)?discord(?:app)?\.com\/api\/webhooks|[a-z0-9-]+\.webhook\.office\.com|outlook\.office\.com\/webhook|chat\.googleapis\.com\/v1\/spaces))\/[^\s"'<>]+/gi;
// Authorization header values written into a message.
const AUTH_SCHEME = /\b(Bearer|Basic|ApiKey|Token)\s+[A-Za-z0-9._~+/=-]{6,}/g;

/** `text` with every secret this module knows of replaced. Idempotent. */
export function redact(text: string): string {
  let out = text;
  for (const { value, replacement } of secrets) if (out.includes(value)) out = out.split(value).join(replacement);
  return out
    .replace(TOKEN_PATH_HOOKS, `$1/${REDACTED}`)
    .replace(USERINFO, `$1${REDACTED}@`)
    .replace(SECRET_PARAM, `$1${REDACTED}`)
    .replace(AUTH_SCHEME, `$1 ${REDACTED}`);
}

/**
 * A URL as it may be shown: origin only for URLs that may carry a token in their path (webhooks), origin and
 * path with credentials and secret parameters removed otherwise.
 */
export function displayUrl(url: string, options: { pathIsSecret?: boolean } = {}): string {
  try {
    const u = new URL(url);
    if (options.pathIsSecret) return `${u.protocol}//${u.host}/${REDACTED}`;
    return redact(u.toString());
  } catch {
    return redact(url);
  }
}

/** A deep copy of a JSON-like value with every string redacted (for log fields and stored documents). */
export function redactValue<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v)])) as T;
  }
  return value;
}
