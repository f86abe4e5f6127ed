import type { Storage } from '../config.ts';
import type { DatabaseSettings } from './settings.ts';
import type { Database } from './port.ts';
import { connectPostgres } from './postgres.ts';
import { connectSupabase } from './supabase.ts';

/**
 * Picks the adapter the configuration names. The embedded database is imported only when chosen:
 * it is a local-development store and stays out of the deployed function bundles.
 */
export async function openDatabase(storage: Storage, settings?: DatabaseSettings): Promise<Database> {
  switch (storage.kind) {
    case 'postgres':
      return connectPostgres(storage.url, { timeoutMs: settings?.timeoutMs });
    case 'supabase':
      return connectSupabase(storage.url, storage.serviceRoleKey, { timeoutMs: settings?.timeoutMs });
    case 'pglite': {
      if (process.env.AWS_LAMBDA_FUNCTION_NAME) {
        throw new Error('no database configured: set DATABASE_URL or SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY (the embedded database is for local use only)');
      }
      const { openPglite } = await import('./pglite.ts');
      return openPglite(storage.dataDir);
    }
  }
}
