import type { PGlite } from '@electric-sql/pglite';
import { mkdir } from 'node:fs/promises';
import { assertSqlFunction, DatabaseError, type Database, type SqlFunction } from './port.ts';
import { APPLIED_VERSIONS_SQL, migrate, RECORD_MIGRATION_SQL, type MigrationTarget } from './migrations.ts';
import { lockDataDir } from './data-dir-lock.ts';

/**
 * The embedded database for `npm start` and tests: real PostgreSQL compiled to WebAssembly, kept in
 * DATA_DIR. One process may open a data directory at a time, so callers share one instance.
 * Migrations are applied on open: there is no separate server to migrate.
 */
export async function openPglite(dataDir?: string): Promise<Database & { pg: PGlite; applied: string[] }> {
  let unlock = async () => {};
  if (dataDir) {
    await mkdir(dataDir, { recursive: true });
    unlock = await lockDataDir(dataDir);
  }
  // Imported here, not at the top: bundlers inline this module into the functions, and a top-level
  // import would load the 25 MB embedded database on every cold start in production.
  const { PGlite } = await import('@electric-sql/pglite');
  let pg: PGlite;
  let applied: string[];
  try {
    pg = await PGlite.create(dataDir);
    applied = await migrate(pgliteMigrationTarget(pg));
  } catch (error) {
    await unlock();
    throw error;
  }
  return {
    applied,
    kind: 'pglite',
    pg,
    async call<T>(fn: SqlFunction, args: object): Promise<T> {
      assertSqlFunction(fn);
      try {
        const res = await pg.query<{ result: T }>(`select public.${fn}($1::jsonb) as result`, [JSON.stringify(args)]);
        return res.rows[0]?.result as T;
      } catch (error) {
        throw new DatabaseError(`${fn} failed: ${(error as Error).message}`, pg.closed, { cause: error });
      }
    },
    close: async () => {
      await pg.close();
      await unlock();
    },
  };
}

export function pgliteMigrationTarget(pg: PGlite): MigrationTarget {
  return {
    exec: async (script) => {
      await pg.exec(script);
    },
    applyInTransaction: async (script, version, name) => {
      await pg.transaction(async (tx) => {
        await tx.exec(script);
        await tx.query(RECORD_MIGRATION_SQL, [version, name]);
      });
    },
    appliedVersions: async () => {
      const res = await pg.query<{ version: string }>(APPLIED_VERSIONS_SQL);
      return new Set(res.rows.map((r) => r.version));
    },
  };
}
