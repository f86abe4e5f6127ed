/**
 * `npm run db:migrate`: applies supabase/migrations to DATABASE_URL (or to the embedded database in
 * DATA_DIR when no DATABASE_URL is set). Never run implicitly by a request.
 */
import { existsSync } from 'node:fs';
import postgres from 'postgres';
import { loadConfig } from '../src/config.ts';
import { migrate } from '../src/db/migrations.ts';
import { postgresMigrationTarget } from '../src/db/postgres.ts';

if (existsSync('.env')) process.loadEnvFile('.env');
const { storage } = loadConfig(process.env, { local: true });

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
  } finally {
    await sql.end();
  }
} else {
  const { openPglite } = await import('../src/db/pglite.ts');
  const db = await openPglite(storage.dataDir);
  console.log(`embedded database in ${storage.dataDir}/ is up to date`);
  await db.close();
}
