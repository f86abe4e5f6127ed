import type { Database } from '../db/port.ts';
import type { BaseSettings } from '../destinations/types.ts';
import { checkBearer } from './bearer.ts';
import { destinationState, type DestinationState } from './destination-state.ts';

/** What `tracking-status` needs: the store, the token and what each destination is set to. */
export interface StatusDeps {
  /** Opened lazily: a request without the right token never touches the database. */
  db: () => Promise<Database>;
  statusToken: string | undefined;
  /** Settings per destination name; null = off. */
  settings: Readonly<Record<string, BaseSettings | null>>;
  expectedLivemode: boolean | undefined;
}

export interface StatusRequest {
  method: string;
  authorization: string | null;
}

export type StatusResult =
  | { kind: 'ok'; body: StatusBody }
  | { kind: 'off' }
  | { kind: 'unauthorized' }
  | { kind: 'method-not-allowed' };

interface DestinationRows {
  counts: Record<string, number>;
  oldest_due_age_s: number | null;
  [more: string]: unknown;
}

export interface StatusBody {
  generated_at: string;
  destinations: Record<string, DestinationRows & { state: DestinationState }>;
  stripe: Record<string, unknown>;
}

/**
 * GET tracking-status: the token decides first (off → 404, else 401 unless it matches), then one
 * SQL call gathers every number, and each destination gets the state its settings give it.
 */
export async function trackingStatus(req: StatusRequest, deps: StatusDeps): Promise<StatusResult> {
  const auth = checkBearer(req.authorization, deps.statusToken);
  if (auth === 'off') return { kind: 'off' };
  if (req.method !== 'GET' && req.method !== 'HEAD') return { kind: 'method-not-allowed' };
  if (auth === 'unauthorized') return { kind: 'unauthorized' };

  const names = Object.keys(deps.settings);
  const db = await deps.db();
  const rows = await db.call<Omit<StatusBody, 'destinations'> & { destinations: Record<string, DestinationRows> }>(
    'ops_status',
    { destinations: names },
  );
  const destinations = Object.fromEntries(
    Object.entries(rows.destinations).map(([name, d]) => [
      name,
      { state: destinationState(deps.settings[name] ?? null, deps.expectedLivemode), ...d },
    ]),
  );
  return { kind: 'ok', body: { ...rows, destinations } };
}
