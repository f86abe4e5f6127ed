/**
 * supabase/migrations apply from empty on a vanilla PostgreSQL 15 (with only the API roles Supabase
 * has, created by supabase/local-bootstrap.sql) and on the embedded PGlite, are idempotent, build the
 * same schema on both, and leave the browser-facing roles (anon, authenticated) with no way in.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { BOOTSTRAP_FILE, loadMigrations, migrate, type MigrationTarget } from '../../src/db/migrations.ts';
import { postgresMigrationTarget } from '../../src/db/postgres.ts';
import { openPglite, pgliteMigrationTarget } from '../../src/db/pglite.ts';
import type { Database, SqlFunction } from '../../src/db/port.ts';
import { freshDatabase, hasPostgres, type TestDatabase } from '../support/pg.ts';

type Row = Record<string, unknown>;

interface Engine {
  target: MigrationTarget;
  /** Versions applied when the engine was first migrated from empty. */
  firstRun: string[] | 'on open';
  tablesBefore: number;
  query(text: string): Promise<Row[]>;
  /** Runs `set local role <role>` then the statement in a transaction that is rolled back. */
  asRole(role: string, statement: string): Promise<Row[]>;
}

/** The port's functions: the only ones the API roles' grants should name. */
const PORT_FUNCTIONS = [
  'outbox_claim', 'outbox_complete', 'stripe_record_event',
  'outbox_enqueue', 'checkout_customer',
  'ops_redrive', 'ops_report', 'ops_retention', 'ops_status',
] satisfies SqlFunction[];
const API_ROLES = ['anon', 'authenticated'] as const;
const TABLES_SQL = `select table_name::text as name from information_schema.tables
                     where table_schema = 'public' order by 1`;
const FUNCTIONS_SQL = `select n.nspname || '.' || p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                        where n.nspname in ('public', 'app_private') order by 1`;

let server: TestDatabase | undefined;
let lite: (Database & { pg: PGlite }) | undefined;
const engines: Partial<Record<'PostgreSQL' | 'PGlite', Engine>> = {};

async function startPostgres(): Promise<Engine> {
  server = await freshDatabase({ migrate: false });
  const sql = server.sql;
  const target = postgresMigrationTarget(sql);
  const [before] = await sql.unsafe(`select count(*)::int as n from information_schema.tables where table_schema = 'public'`);
  // As on Supabase: every new table, sequence and function in public is granted to the API roles
  // unless a migration takes it back.
  await sql.unsafe(await readFile(BOOTSTRAP_FILE, 'utf8'));
  await sql.unsafe(`alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
    alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
    alter default privileges in schema public grant all on functions to anon, authenticated, service_role`);
  const firstRun = await migrate(target);
  return {
    target,
    firstRun,
    tablesBefore: Number(before?.n),
    query: async (text) => [...(await sql.unsafe(text))],
    asRole: async (role, statement) => {
      const conn = await sql.reserve();
      try {
        await conn.unsafe('begin');
        await conn.unsafe(`set local role ${role}`);
        return [...(await conn.unsafe(statement))];
      } finally {
        await conn.unsafe('rollback');
        conn.release();
      }
    },
  };
}

async function startPglite(): Promise<Engine> {
  lite = await openPglite();
  const pg = lite.pg;
  return {
    target: pgliteMigrationTarget(pg),
    firstRun: 'on open',
    tablesBefore: 0,
    query: async (text) => (await pg.query<Row>(text)).rows,
    asRole: async (role, statement) => {
      await pg.exec('begin');
      try {
        await pg.exec(`set local role ${role}`);
        return (await pg.query<Row>(statement)).rows;
      } finally {
        await pg.exec('rollback');
      }
    },
  };
}

afterAll(async () => {
  await lite?.close();
  await server?.drop();
});

const ENGINES = [
  { name: 'PostgreSQL' as const, start: startPostgres, needsServer: true },
  { name: 'PGlite' as const, start: startPglite, needsServer: false },
];

for (const { name, start, needsServer } of ENGINES) {
  describe.skipIf(needsServer && !hasPostgres)(`migrations on ${name}`, () => {
    let engine: Engine;

    beforeAll(async () => {
      engine = await start();
      engines[name] = engine;
    });

    it('apply from empty', async () => {
      const versions = (await loadMigrations()).map((m) => m.version);
      expect(versions.length).toBeGreaterThan(0);
      expect(engine.tablesBefore).toBe(0);
      if (engine.firstRun !== 'on open') expect(engine.firstRun).toEqual(versions);
      expect([...(await engine.target.appliedVersions())].sort()).toEqual(versions);
      if (name === 'PostgreSQL') {
        const [row] = await engine.query(`select current_setting('server_version_num')::int as v`);
        expect(Number(row?.v)).toBeGreaterThanOrEqual(150000);
      }
    });

    it('running them again applies nothing', async () => {
      expect(await migrate(engine.target)).toEqual([]);
      const [row] = await engine.query('select count(*)::int as n from supabase_migrations.schema_migrations');
      expect(Number(row?.n)).toBe((await loadMigrations()).length);
    });

    it('every table in public has row-level security enabled', async () => {
      const tables = await engine.query(`select c.relname as name, c.relrowsecurity as rls from pg_class c
        join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`);
      expect(tables.length).toBeGreaterThanOrEqual(6);
      expect(tables.filter((t) => t.rls !== true)).toEqual([]);
    });

    it('anon and authenticated have no privilege on any public table or sequence but reading entitlements', async () => {
      const grants = await engine.query(`select r.role, c.relname from pg_class c
          join pg_namespace n on n.oid = c.relnamespace
          cross join unnest(array[${API_ROLES.map((r) => `'${r}'`).join(', ')}]) as r(role)
         where n.nspname = 'public' and (
               (c.relkind in ('r', 'p', 'v', 'm', 'f')
                and has_table_privilege(r.role, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'))
            or (c.relkind = 'S' and has_sequence_privilege(r.role, c.oid, 'USAGE, SELECT, UPDATE')))`);
      // The one grant: a signed-in user may read entitlements, and row-level security limits it to their own.
      expect(grants).toEqual([{ role: 'authenticated', relname: 'entitlements' }]);
      const [entitlements] = await engine.query(`select
          has_table_privilege('authenticated', 'public.entitlements', 'SELECT') as can_select,
          has_table_privilege('authenticated', 'public.entitlements', 'INSERT, UPDATE, DELETE, TRUNCATE') as can_write`);
      expect(entitlements).toEqual({ can_select: true, can_write: false });
    });

    it('anon executes no function, authenticated only its read path, service_role every port function', async () => {
      const rows = await engine.query(`select n.nspname as schema, p.proname as name,
               has_function_privilege('anon', p.oid, 'EXECUTE') as anon,
               has_function_privilege('authenticated', p.oid, 'EXECUTE') as authenticated,
               has_function_privilege('service_role', p.oid, 'EXECUTE') as service_role
          from pg_proc p join pg_namespace n on n.oid = p.pronamespace
         where n.nspname in ('public', 'app_private') order by 1, 2`);
      const publicFns = rows.filter((r) => r.schema === 'public');
      expect(publicFns.map((r) => r.name)).toEqual([...PORT_FUNCTIONS, 'my_entitlements'].sort());
      expect(rows.filter((r) => r.anon)).toEqual([]);
      expect(rows.filter((r) => r.authenticated).map((r) => `${r.schema}.${r.name}`)).toEqual(['public.my_entitlements']);
      expect(publicFns.filter((r) => (PORT_FUNCTIONS as string[]).includes(r.name as string) && !r.service_role)).toEqual([]);
    });

    it('every function runs with search_path \'\'; every port function is security definer', async () => {
      const rows = await engine.query(`select n.nspname || '.' || p.proname as name, p.prosecdef as definer,
               coalesce('search_path=""' = any(p.proconfig), false) as pinned
          from pg_proc p join pg_namespace n on n.oid = p.pronamespace
         where n.nspname in ('public', 'app_private') order by 1`);
      expect(rows.filter((r) => !r.pinned).map((r) => r.name)).toEqual([]);
      const definers = rows.filter((r) => r.definer).map((r) => (r.name as string).replace(/^public\./, ''));
      expect(PORT_FUNCTIONS.filter((fn) => !definers.includes(fn))).toEqual([]);
    });

    it.each([...API_ROLES, 'service_role'])('set role %s; select public.outbox_claim(\'{}\')', async (role) => {
      const call = engine.asRole(role, `select public.outbox_claim('{}') as result`);
      if (role === 'service_role') {
        expect(await call).toEqual([{ result: { rows: [] } }]);
      } else {
        await expect(call).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/permission denied for function outbox_claim/) });
      }
    });
  });
}

describe.skipIf(!hasPostgres)('migrations on PostgreSQL and PGlite', () => {
  it('build the same tables and functions', async () => {
    const { PostgreSQL: server, PGlite: embedded } = engines;
    if (!server || !embedded) throw new Error('both engines must have been migrated by the suites above');
    const tables = await server.query(TABLES_SQL);
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['conversion_outbox', 'customers', 'delivery_attempts', 'entitlements', 'purchases', 'stripe_events']),
    );
    expect(await embedded.query(TABLES_SQL)).toEqual(tables);
    const functions = await server.query(FUNCTIONS_SQL);
    expect(functions.length).toBeGreaterThan(PORT_FUNCTIONS.length);
    expect(await embedded.query(FUNCTIONS_SQL)).toEqual(functions);
  });
});
