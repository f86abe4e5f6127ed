import postgres from 'postgres';
import { randomBytes } from 'node:crypto';
import { connectPostgres, postgresMigrationTarget } from '../../src/db/postgres.ts';
import { migrate } from '../../src/db/migrations.ts';
import type { Database } from '../../src/db/port.ts';

export const serverUrl = process.env.TEST_DATABASE_URL;
/** Use as `describe.skipIf(!hasPostgres)` for suites that need a real server. */
export const hasPostgres = Boolean(serverUrl);

export interface TestDatabase {
  url: string;
  /** A superuser connection for assertions and fault injection. */
  sql: postgres.Sql;
  /** The adapter the product uses, on the same database. */
  db: Database;
  drop(): Promise<void>;
}

/** A fresh, migrated database on the test server, private to one test file. */
export async function freshDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  if (!serverUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = serverUrl.replace(/\/[^/]*$/, `/${name}`);
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  if (options.migrate !== false) await migrate(postgresMigrationTarget(sql));
  const db = connectPostgres(url, { max: 20 });
  return {
    url,
    sql,
    db,
    async drop() {
      await db.close();
      await sql.end();
      const a = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}
