import postgres from 'postgres';
import { assertSqlFunction, DatabaseError, type Database, type SqlFunction } from './port.ts';
import { APPLIED_VERSIONS_SQL, RECORD_MIGRATION_SQL, type MigrationTarget } from './migrations.ts';

/** SQLSTATE classes that mean "the server is not there or not taking work now". */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-3])/;
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED']);

export function isUnavailable(error: unknown): boolean {
  const e = error as { code?: string; errno?: string } | null;
  const code = e?.code ?? e?.errno ?? '';
  return UNAVAILABLE_ERRNO.has(code) || UNAVAILABLE_SQLSTATE.test(code);
}

export interface PostgresOptions {
  /** Connections per function instance; serverless instances handle one request at a time. */
  max?: number;
  connectTimeoutSeconds?: number;
}

/**
 * DATABASE_URL: a direct connection or Supabase's pooler. Prepared statements are off because the
 * transaction-mode pooler (port 6543) cannot keep them across transactions.
 */
export function connectPostgres(url: string, options: PostgresOptions = {}): Database & { sql: postgres.Sql } {
  const sql = postgres(url, {
    max: options.max ?? 2,
    prepare: false,
    connect_timeout: options.connectTimeoutSeconds ?? 5,
    idle_timeout: 20,
    onnotice: () => {},
    connection: { application_name: 'stripe-conversions' },
  });
  return {
    kind: 'postgres',
    sql,
    async call<T>(fn: SqlFunction, args: object): Promise<T> {
      assertSqlFunction(fn);
      try {
        // `$1::text::jsonb`, not `$1::jsonb`: postgres.js serializes a parameter it sees typed jsonb
        // with JSON.stringify again, so the function would get a JSON string instead of the object.
        const rows = await sql.unsafe(`select public.${fn}($1::text::jsonb) as result`, [JSON.stringify(args)]);
        return rows[0]?.result as T;
      } catch (error) {
        throw new DatabaseError(`${fn} failed: ${(error as Error).message}`, isUnavailable(error), { cause: error });
      }
    },
    close: () => sql.end({ timeout: 5 }),
  };
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
