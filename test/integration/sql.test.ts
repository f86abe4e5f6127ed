/**
 * Runs every supabase/tests/*.sql file (plain SQL; `assert` inside DO blocks raises on failure) on the
 * real PostgreSQL and on PGlite, each inside `begin … rollback` so the files never see each other's rows.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { MIGRATIONS_DIR } from '../../src/db/migrations.ts';
import { openPglite } from '../../src/db/pglite.ts';
import type { Database } from '../../src/db/port.ts';
import { freshDatabase, hasPostgres, type TestDatabase } from '../support/pg.ts';

const TESTS_DIR = path.join(path.dirname(MIGRATIONS_DIR), 'tests');
const files = readdirSync(TESTS_DIR).filter((f) => f.endsWith('.sql')).sort();

/** The failing assertion's message plus where in the file it is (PL/pgSQL context). */
function describeFailure(file: string, error: unknown): Error {
  const e = error as { message?: string; code?: string; where?: string };
  const where = e.where ? `\n  at ${e.where.replace(/\n/g, '\n  at ')}` : '';
  // No `cause`: the driver's error carries the whole script, which would bury the assertion.
  return new Error(`${file}: ${e.message ?? String(error)}${e.code ? ` [${e.code}]` : ''}${where}`);
}

const ROLLED_BACK_SQL = `select (select count(*) from public.stripe_events) + (select count(*) from public.conversion_outbox)
                              + (select count(*) from public.purchases) as n`;

it('there are SQL tests to run', () => {
  expect(files.length).toBeGreaterThan(0);
});

describe.skipIf(!hasPostgres)('supabase/tests on PostgreSQL', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });
  afterEach(async () => {
    const [row] = await t.sql.unsafe(ROLLED_BACK_SQL);
    expect(Number(row?.n), 'the file left rows behind').toBe(0);
  });

  it.each(files)('%s', async (file) => {
    const script = readFileSync(path.join(TESTS_DIR, file), 'utf8');
    const conn = await t.sql.reserve();
    try {
      await conn.unsafe('begin');
      await conn.unsafe(script).catch((error: unknown) => {
        throw describeFailure(file, error);
      });
    } finally {
      await conn.unsafe('rollback');
      conn.release();
    }
  });
});

describe('supabase/tests on PGlite', () => {
  let lite: Database & { pg: PGlite };
  beforeAll(async () => {
    lite = await openPglite();
  });
  afterAll(async () => {
    await lite?.close();
  });
  afterEach(async () => {
    const res = await lite.pg.query<{ n: number | string }>(ROLLED_BACK_SQL);
    expect(Number(res.rows[0]?.n), 'the file left rows behind').toBe(0);
  });

  it.each(files)('%s', async (file) => {
    const script = readFileSync(path.join(TESTS_DIR, file), 'utf8');
    await lite.pg.exec('begin');
    try {
      await lite.pg.exec(script).catch((error: unknown) => {
        throw describeFailure(file, error);
      });
    } finally {
      await lite.pg.exec('rollback');
    }
  });
});
