import { redactRecord, redactText } from './redact.ts';

/**
 * One JSON line per log record. Callers pass ids and counts only — never email, phone, names,
 * addresses, IPs, user agents, tokens or request bodies — and every record still goes through
 * redactRecord (src/redact.ts) on its way out, so log drains never hold personal data or secrets.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Fields = Record<string, string | number | boolean | null | undefined | readonly (string | number)[]>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
}

export type Sink = (line: string) => void;

export function createLogger(level: Level = 'info', sink: Sink = (line) => console.log(line)): Logger {
  const write = (at: Level, msg: string, fields?: Fields) => {
    if (RANK[at] < RANK[level]) return;
    sink(JSON.stringify(redactRecord({ level: at, msg, ...fields, time: new Date().toISOString() })));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

/**
 * Error text without stack frames or causes that could carry a payload, redacted as a log line is
 * (it also ends up in responses and on rows).
 */
export function errorText(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return redactText(message.length > 300 ? `${message.slice(0, 300)}…` : message);
}
