import { PostgrestClient } from '@supabase/postgrest-js';
import { assertSqlFunction, DatabaseError, type Database, type SqlFunction } from './port.ts';
import { DEFAULT_DATABASE_TIMEOUT_MS } from './settings.ts';

export interface SupabaseOptions {
  /** The bound on one call (DATABASE_TIMEOUT_MS): past it the request is aborted. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY: the SQL functions over PostgREST's `POST /rest/v1/rpc/<fn>`
 * (each request is one transaction there too). postgrest-js is the part of supabase-js that does
 * this; the full client also starts a realtime socket layer that throws on Node 20 and adds ~675 KB
 * to every cold start.
 */
export function connectSupabase(url: string, serviceRoleKey: string, options: SupabaseOptions = {}): Database {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DATABASE_TIMEOUT_MS;
  const client = new PostgrestClient(`${url.replace(/\/+$/, '')}/rest/v1`, {
    headers: { apikey: serviceRoleKey, Authorization: `Bearer ${serviceRoleKey}` },
    fetch: options.fetch ?? fetch,
  });
  return {
    kind: 'supabase',
    async call<T>(fn: SqlFunction, args: object): Promise<T> {
      assertSqlFunction(fn);
      let response;
      try {
        // The signal also covers reading the answer; postgrest-js reports an abort as status 0.
        response = await client.rpc(fn, { p: args }).abortSignal(AbortSignal.timeout(timeoutMs));
      } catch (error) {
        throw new DatabaseError(`${fn} failed: ${(error as Error).message}`, true, { cause: error });
      }
      const { data, error, status } = response;
      if (error) {
        // postgrest-js reports a network failure as status 0; 5xx means PostgREST or Postgres is down.
        const unavailable = status === 0 || status >= 500 || /fetch failed/i.test(error.message);
        throw new DatabaseError(`${fn} failed (${status}): ${error.message}`, unavailable, { cause: error });
      }
      return data as T;
    },
    close: async () => {},
  };
}
