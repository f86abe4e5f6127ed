/**
 * `npm run db:migrate`: applies supabase/migrations to DATABASE_URL (or to the embedded database in
 * DATA_DIR when no DATABASE_URL is set). Never run implicitly by a request.
 */
import postgres from 'postgres';
import { migrate } from '../src/db/migrations.ts';
import { postgresMigrationTarget } from '../src/db/postgres.ts';
import { fail, localConfig, run } from './local.ts';

const { storage } = localConfig();

if (storage.kind === 'supabase') {
  console.error(
    'SUPABASE_URL cannot run DDL. Apply the migrations with the Supabase CLI (`supabase db push`), or set\n' +
      'DATABASE_URL to the database connection string (Project Settings → Database) and run this again.',
  );
  process.exit(2);
}

if (storage.kind === 'postgres') {
  const sql = postgres(storage.url, { max: 1, onnotice: () => {} });
  try {
    const applied = await migrate(postgresMigrationTarget(sql));
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'up to date');
  } catch (error) {
    // Unreachable, a wrong password, a failing migration: one line, the server named but never the password.
    fail(`cannot apply the migrations to the database at ${serverOf(storage.url)}: ${(error as Error).message}`);
  } finally {
    await sql.end();
  }
} else {
  const { dataDir } = storage;
  await run(async () => {
    const { openPglite } = await import('../src/db/pglite.ts');
    const db = await openPglite(dataDir);
    console.log(db.applied.length ? `embedded database in ${dataDir}/: applied ${db.applied.join(', ')}` : `embedded database in ${dataDir}/ is up to date`);
    await db.close();
  });
}

function serverOf(url: string): string {
  try {
    const { host, pathname } = new URL(url);
    return `${host}${pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}
