import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * Applies supabase/migrations in order, recording each in supabase_migrations.schema_migrations —
 * the table the Supabase CLI uses, so `supabase db push` and this runner agree on what is applied.
 */
export interface MigrationTarget {
  /** Runs a multi-statement script. */
  exec(sql: string): Promise<void>;
  /** Runs the script and records the version in one transaction. */
  applyInTransaction(sql: string, version: string, name: string): Promise<void>;
  appliedVersions(): Promise<Set<string>>;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MIGRATIONS_DIR = path.join(root, 'supabase/migrations');
export const BOOTSTRAP_FILE = path.join(root, 'supabase/local-bootstrap.sql');

export interface Migration {
  version: string;
  name: string;
  sql: string;
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const [, version = '', name = ''] = /^(\d+)_(.+)\.sql$/.exec(file) ?? [];
      return { version, name, sql: await readFile(path.join(dir, file), 'utf8') };
    }),
  );
}

/** Returns the versions it applied now. */
export async function migrate(target: MigrationTarget, dir = MIGRATIONS_DIR): Promise<string[]> {
  await target.exec(await readFile(BOOTSTRAP_FILE, 'utf8'));
  const applied = await target.appliedVersions();
  const done: string[] = [];
  for (const m of await loadMigrations(dir)) {
    if (applied.has(m.version)) continue;
    await target.applyInTransaction(m.sql, m.version, m.name);
    done.push(m.version);
  }
  return done;
}

export const RECORD_MIGRATION_SQL =
  'insert into supabase_migrations.schema_migrations (version, name) values ($1, $2)';
export const APPLIED_VERSIONS_SQL = 'select version from supabase_migrations.schema_migrations';
