import { destinationByName } from '../destinations/registry.ts';
import type { BaseSettings, Destination } from '../destinations/types.ts';
import { errorText, type Logger } from '../log.ts';
import { completed, conversionsOf, type ClaimedRow, type CompletedRow } from './claimed-row.ts';
import { sendBatch, type BatchContext } from './send-batch.ts';
import type { HttpSend } from './send.ts';

export interface GroupDeps {
  send: HttpSend;
  now: () => number;
  log: Logger;
  settings: Readonly<Record<string, BaseSettings | null>>;
  batchSize: number;
  timeoutMs: number;
  dryRun?: boolean;
}

/** This run's rate-limit pause of one destination, shared by everything that sends to it. */
export interface Pause {
  pausedFor(): number;
  pause(seconds: number): void;
}

/**
 * Rows of one destination and one mode (test_event_code is per request): decided without a request
 * where possible (off, test mode without a code, too old, refused), the rest sent in batches.
 */
export async function deliverGroup(deps: GroupDeps, rows: ClaimedRow[], pause: (destination: string) => Pause): Promise<CompletedRow[]> {
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
  const ctx: BatchContext = {
    destination,
    settings,
    options: first.livemode ? {} : { testEventCode: settings.testEventCode },
    send: deps.send,
    timeoutMs: deps.timeoutMs,
    now: deps.now,
    log: deps.log,
    ...pause(destination.name),
  };
  const batches: ClaimedRow[][] = [];
  for (let i = 0; i < sendable.length; i += size) batches.push(sendable.slice(i, i + size));
  const sent = await Promise.all(
    batches.map((batch) =>
      sendBatch(ctx, batch).catch((error: unknown) => {
        // A bug in a builder must not strand the rows in 'sending' until the lease runs out.
        deps.log.error('building a request failed', { destination: destination.name, error: errorText(error) });
        return batch.map((r) => completed(r, { outcome: 'retryable', reason: errorText(error) }));
      }),
    ),
  );
  return [...out, ...sent.flat()];
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
