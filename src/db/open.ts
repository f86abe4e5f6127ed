import type { Storage } from '../config.ts';
import type { Database } from './port.ts';
import { connectPostgres } from './postgres.ts';
import { connectSupabase } from './supabase.ts';

/**
 * Picks the adapter the configuration names. The embedded database is imported only when chosen:
 * it is a local-development store and stays out of the deployed function bundles.
 */
export async function openDatabase(storage: Storage): Promise<Database> {
  switch (storage.kind) {
    case 'postgres':
      return connectPostgres(storage.url);
    case 'supabase':
      return connectSupabase(storage.url, storage.serviceRoleKey);
    case 'pglite': {
      if (process.env.AWS_LAMBDA_FUNCTION_NAME) {
        throw new Error('no database configured: set DATABASE_URL or SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY (the embedded database is for local use only)');
      }
      const { openPglite } = await import('./pglite.ts');
      return openPglite(storage.dataDir);
    }
  }
}
