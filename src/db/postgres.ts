import postgres from 'postgres';
import { assertSqlFunction, DatabaseError, type Database, type SqlFunction } from './port.ts';
import { APPLIED_VERSIONS_SQL, RECORD_MIGRATION_SQL, type MigrationTarget } from './migrations.ts';
import { DEFAULT_DATABASE_TIMEOUT_MS } from './settings.ts';
import { DeadlineExceeded, withDeadline } from './deadline.ts';

/**
 * SQLSTATE classes that mean "the server is not there or not taking work now": connection
 * exceptions, insufficient resources, shutdown/crash (57P01-03), and a statement cancelled by
 * statement_timeout (57014), which here means the call ran out of its time.
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-3]|57014)/;
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'DEADLINE_EXCEEDED']);

export function isUnavailable(error: unknown): boolean {
  const e = error as { code?: string; errno?: string } | null;
  const code = e?.code ?? e?.errno ?? '';
  return UNAVAILABLE_ERRNO.has(code) || UNAVAILABLE_SQLSTATE.test(code);
}

export interface PostgresOptions {
  /** Connections per function instance; serverless instances handle one request at a time. */
  max?: number;
  /** The bound on one call, connecting included (DATABASE_TIMEOUT_MS). */
  timeoutMs?: number;
}

/**
 * DATABASE_URL: a direct connection or Supabase's pooler. Prepared statements are off because the
 * transaction-mode pooler (port 6543) cannot keep them across transactions.
 *
 * When the database goes away every call still answers within `timeoutMs`: the server cancels the
 * statement at that time (so its locks go too), the client stops waiting at that time, and a pool
 * whose call hung is dropped whole, so the next call starts on fresh connections.
 */
export function connectPostgres(url: string, options: PostgresOptions = {}): Database & { readonly sql: postgres.Sql } {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DATABASE_TIMEOUT_MS;
  const open = () =>
    postgres(url, {
      max: options.max ?? 2,
      prepare: false,
      connect_timeout: Math.max(1, Math.ceil(timeoutMs / 1000)),
      idle_timeout: 20,
      // Recycled well before a pooler or a load balancer silently drops an old socket.
      max_lifetime: 300,
      // postgres.js waits before reconnecting, growing to 20 s after repeated failures and shared
      // by every later query: the first requests after an outage then hung for up to 20 s. A
      // request cannot wait; it fails fast (503) and Stripe retries it.
      backoff: () => 0.05,
      onnotice: () => {},
      connection: { application_name: 'stripe-conversions' },
    });
  let pool = open();
  return {
    kind: 'postgres',
    /** The current pool (replaced after a deadline). */
    get sql() {
      return pool;
    },
    async call<T>(fn: SqlFunction, args: object): Promise<T> {
      assertSqlFunction(fn);
      const sql = pool;
      try {
        const results = await withDeadline(sql.unsafe(boundedCall(fn, args, timeoutMs)), timeoutMs, fn);
        const rows = results.at(-1) as unknown as { result: T }[] | undefined;
        return rows?.[0]?.result as T;
      } catch (error) {
        if (error instanceof DeadlineExceeded && pool === sql) {
          // A hung socket must not serve the next call: destroy this pool's connections.
          pool = open();
          void sql.end({ timeout: 0 });
        }
        throw new DatabaseError(`${fn} failed: ${(error as Error).message}`, isUnavailable(error), { cause: error });
      }
    },
    close: () => pool.end({ timeout: 5 }),
  };
}

/**
 * One simple-protocol message, so one transaction and one round trip, also through a
 * transaction-mode pooler, which does not pass `statement_timeout` as a startup parameter and leaks a
 * session-level SET to other clients. `set local` only lasts for this transaction, and on
 * PostgreSQL ≥ 13 each statement of the message gets its own timer, so the call is bounded too.
 * The argument travels as an escaped E'' literal: the simple protocol has no parameters.
 */
export function boundedCall(fn: SqlFunction, args: object, timeoutMs: number): string {
  return `set local statement_timeout = ${Math.trunc(timeoutMs)}; select public.${fn}(${jsonLiteral(args)}) as result`;
}

/** An E'' string literal means the same whatever standard_conforming_strings is. */
export function jsonLiteral(value: object): string {
  const text = JSON.stringify(value).replace(/\\/g, '\\\\').replace(/'/g, "''");
  return `E'${text}'::jsonb`;
}

export function postgresMigrationTarget(sql: postgres.Sql): MigrationTarget {
  return {
    exec: async (script) => {
      await sql.unsafe(script);
    },
    applyInTransaction: async (script, version, name) => {
      await sql.begin(async (tx) => {
        await tx.unsafe(script);
        await tx.unsafe(RECORD_MIGRATION_SQL, [version, name]);
      });
    },
    appliedVersions: async () => {
      const rows = await sql.unsafe(APPLIED_VERSIONS_SQL);
      return new Set(rows.map((r) => String(r.version)));
    },
  };
}
