import type { Database } from '../db/port.ts';
import { destinationByName } from '../destinations/registry.ts';
import type { BaseSettings, Destination } from '../destinations/types.ts';
import { errorText, type Logger } from '../log.ts';
import { completed, conversionsOf, type ClaimedRow, type CompletedRow } from './claimed-row.ts';
import { sendBatch } from './send-batch.ts';
import type { HttpSend } from './send.ts';

export interface DeliveryDeps {
  db: Database;
  send: HttpSend;
  /** Milliseconds since the epoch. */
  now: () => number;
  log: Logger;
  /** Settings per destination name; null = off (no token or pixel). */
  settings: Readonly<Record<string, BaseSettings | null>>;
  batchSize: number;
  leaseSeconds: number;
  timeoutMs: number;
  /** Log the request an off destination would have received (npm start's dry-run). */
  dryRun?: boolean;
}

export interface DeliveryRun {
  /** Only these rows (the webhook's fast path); otherwise whatever is due. */
  ids?: number[];
  /** Stop claiming new rows after this instant (ms since the epoch). */
  deadline?: number;
}

export type DeliveryReport = Record<CompletedRow['outcome'], number> & { claimed: number; stale: number };

/**
 * Rows per claim: at most one batch per destination, so a claim is at most one batch request plus
 * its row-by-row resend per destination (running in parallel), which the lease is checked to cover.
 */
const claimLimit = (batchSize: number) => Math.min(1000, batchSize);

/**
 * Claims due rows, sends them per destination and mode, and records every outcome. The guaranteed
 * path (the scheduled drain) and the fast path (after the webhook's response) are this same code.
 */
export async function deliverConversions(deps: DeliveryDeps, run: DeliveryRun = {}): Promise<DeliveryReport> {
  const report: DeliveryReport = { claimed: 0, stale: 0, delivered: 0, retryable: 0, permanent: 0, auth: 0, skipped: 0, expired: 0 };
  const limit = run.ids ? Math.max(run.ids.length, 1) : claimLimit(deps.batchSize);
  do {
    const { rows } = await deps.db.call<{ rows: ClaimedRow[] }>('outbox_claim', {
      limit,
      lease_seconds: deps.leaseSeconds,
      ...(run.ids && { ids: run.ids }),
    });
    if (rows.length === 0) break;
    report.claimed += rows.length;

    const results = (await Promise.all(groupRows(rows).map((group) => deliverGroup(deps, group)))).flat();
    const { stale } = await deps.db.call<{ stale: number }>('outbox_complete', { results });
    report.stale += stale;
    for (const r of results) report[r.outcome] += 1;
    if (run.ids || rows.length < limit) break;
  } while (deps.now() < (run.deadline ?? Number.POSITIVE_INFINITY));
  return report;
}

/** Rows that can share a request: same destination, same mode (test_event_code is per request). */
function groupRows(rows: ClaimedRow[]): ClaimedRow[][] {
  const groups = new Map<string, ClaimedRow[]>();
  for (const row of rows) {
    const key = `${row.destination}\u0000${row.livemode}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()];
}

async function deliverGroup(deps: DeliveryDeps, rows: ClaimedRow[]): Promise<CompletedRow[]> {
  const [first] = rows;
  if (!first) return [];
  const destination = destinationByName(first.destination);
  if (!destination) return rows.map((r) => completed(r, { outcome: 'permanent', reason: `unknown destination ${r.destination}` }));

  const settings = deps.settings[destination.name] ?? null;
  if (!settings) {
    if (deps.dryRun) logDryRun(deps.log, destination, rows);
    return skip(deps.log, rows, `${destination.name} is off: no pixel id or access token`);
  }
  // Test purchases must never reach a live pixel.
  if (!first.livemode && !settings.testEventCode) {
    return skip(deps.log, rows, `Stripe test-mode event and no ${destination.name} test event code`);
  }

  const out: CompletedRow[] = [];
  const sendable: ClaimedRow[] = [];
  const nowSeconds = Math.floor(deps.now() / 1000);
  for (const row of rows) {
    const refusal = refuse(destination, row, nowSeconds);
    if (refusal) out.push(completed(row, refusal));
    else sendable.push(row);
  }

  const size = Math.max(1, Math.min(deps.batchSize, destination.maxBatchSize));
  const options = first.livemode ? {} : { testEventCode: settings.testEventCode };
  for (let i = 0; i < sendable.length; i += size) {
    const batch = sendable.slice(i, i + size);
    try {
      out.push(...(await sendBatch({ destination, settings, options, send: deps.send, timeoutMs: deps.timeoutMs, now: deps.now }, batch)));
    } catch (error) {
      // A bug in a builder must not strand the rows in 'sending' until the lease runs out.
      deps.log.error('building a request failed', { destination: destination.name, error: errorText(error) });
      out.push(...batch.map((r) => completed(r, { outcome: 'retryable', reason: errorText(error) })));
    }
  }
  return out;
}

function skip(log: Logger, rows: ClaimedRow[], reason: string): CompletedRow[] {
  log.info('conversions skipped', { reason, event_ids: rows.map((r) => r.event_id) });
  return rows.map((r) => completed(r, { outcome: 'skipped', reason }));
}

/** Rows that must not be sent at all, decided without a request. */
function refuse(destination: Destination, row: ClaimedRow, nowSeconds: number): Parameters<typeof completed>[1] | null {
  if (!row.payload) return { outcome: 'permanent', reason: 'no payload to send' };
  const age = nowSeconds - row.event_time;
  if (age > destination.maxEventAgeSeconds) {
    return { outcome: 'expired', reason: `event is ${Math.floor(age / 3600)} h old; ${destination.name} accepts ${Math.floor(destination.maxEventAgeSeconds / 3600)} h` };
  }
  const rejected = destination.rejectReason?.(row.payload);
  return rejected ? { outcome: 'permanent', reason: rejected } : null;
}

/**
 * What an off destination would have received, for a developer to read: the shape and the values
 * that are not about a person; hashes, network and click identifiers, and the page URL are masked.
 */
function logDryRun(log: Logger, destination: Destination, rows: ClaimedRow[]): void {
  const conversions = conversionsOf(rows);
  if (conversions.length === 0) return;
  const request = destination.buildRequest(
    conversions,
    { pixelId: '<pixel id>', accessToken: '<token>', apiBaseUrl: 'https://dry-run.invalid' } as never,
    {},
  );
  const body = request.body
    .replace(/"[0-9a-f]{64}"/g, '"<sha256>"')
    .replace(
      /"(ip|user_agent|client_ip_address|client_user_agent|fbc|fbp|ttclid|ttp|url|event_source_url|referrer)":"[^"]*"/g,
      '"$1":"<redacted>"',
    );
  log.info('dry-run: destination is off, not sent', { destination: destination.name, event_ids: rows.map((r) => r.event_id), body });
}
