/**
 * Structured logging: one line per event, a sentence plus fields. JSON lines when stderr is not a terminal
 * (log shippers read them), a compact human form when it is. Level from `LOG_LEVEL` (debug|info|warn|error).
 */
import { systemClock, type Clock } from './clock.ts';
import { redact } from './redact.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function parseLevel(value: string | undefined): LogLevel {
  return value === 'debug' || value === 'info' || value === 'warn' || value === 'error' ? value : 'info';
}

export function createLogger(
  base: LogFields = {},
  options: { level?: LogLevel; write?: (line: string) => void; json?: boolean; clock?: Clock } = {},
): Logger {
  const clock = options.clock ?? systemClock;
  const level = options.level ?? parseLevel(process.env.LOG_LEVEL);
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const json = options.json ?? !process.stderr.isTTY;

  const emit = (at: LogLevel, msg: string, fields: LogFields = {}) => {
    if (ORDER[at] < ORDER[level]) return;
    const all = { ...base, ...fields };
    // Redacted as a whole line: a secret in any field, nested or not, or in the message itself.
    if (json) {
      write(redact(JSON.stringify({ time: new Date(clock()).toISOString(), level: at, msg, ...all })));
    } else {
      const extras = Object.entries(all)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      write(redact(`${at.padEnd(5)} ${msg}${extras ? '  ' + extras : ''}`));
    }
  };

  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => createLogger({ ...base, ...fields }, { level, write, json, clock }),
  };
}

/** A logger that drops everything, for tests that assert on behaviour rather than logs. */
export const silentLogger: Logger = createLogger({}, { level: 'error', write: () => {} });
