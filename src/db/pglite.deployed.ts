import type { openPglite as openEmbedded } from './pglite.ts';

/**
 * What the deployed functions get in place of src/db/pglite.ts (scripts/build.ts swaps it in): the
 * embedded database is for local use only, so neither PGlite nor the migration files it applies are
 * shipped to Netlify. A deployment without a database configured ends here, with the same message
 * as anywhere else.
 */
export const openPglite: typeof openEmbedded = async () => {
  throw new Error(
    'no database configured: set DATABASE_URL or SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY (the embedded database is for local use only)',
  );
};
