import type { Database } from '../db/port.ts';
import { destinations } from '../destinations/registry.ts';
import type { ClaimedRow, CompletedRow } from './claimed-row.ts';
import { deliverGroup, type GroupDeps, type Pause } from './deliver-group.ts';
import { MAX_BATCH_SIZE } from './settings.ts';

export interface DeliveryDeps extends GroupDeps {
  db: Database;
  leaseSeconds: number;
  /** Claims in flight at once per destination. */
  concurrency: number;
}

export interface DeliveryRun {
  /** Only these rows (the webhook's fast path); otherwise whatever is due. */
  ids?: number[];
  /** Stop claiming new rows after this instant (ms since the epoch). */
  deadline?: number;
  /** Called once the rows of `ids` are claimed (or the claim failed), before anything is sent. */
  onClaimed?: () => void;
}

export type DeliveryReport = Record<CompletedRow['outcome'], number> & { claimed: number; stale: number };

/**
 * Claims due rows, sends them and records every outcome. The guaranteed path (the scheduled drain)
 * runs `concurrency` claim loops per destination side by side, each claiming one batch of its
 * destination at a time (FOR UPDATE SKIP LOCKED: they never share a row), until nothing is due, the
 * deadline passes or the destination asks to slow down. The fast path (after the webhook's
 * response) is one claim of the rows it made due.
 */
export async function deliverConversions(deps: DeliveryDeps, run: DeliveryRun = {}): Promise<DeliveryReport> {
  const report: DeliveryReport = { claimed: 0, stale: 0, delivered: 0, retryable: 0, permanent: 0, auth: 0, skipped: 0, expired: 0 };
  const pause = pauses(deps.now);
  if (run.ids) {
    const thenSignal: Serial = (claim) => claim().finally(() => run.onClaimed?.());
    await claimAndDeliver(deps, report, pause, { limit: Math.max(run.ids.length, 1), ids: run.ids }, thenSignal);
    return report;
  }
  const deadline = run.deadline ?? Number.POSITIVE_INFINITY;
  const lanes = destinations.flatMap((d) => {
    const limit = Math.max(1, Math.min(deps.batchSize, MAX_BATCH_SIZE, d.maxBatchSize));
    // Claims of one destination take turns (sends overlap): side by side they would split the
    // backlog's head into partial batches, and so spend more requests per conversion.
    const inTurn = serial();
    const lane = async () => {
      while (deps.now() < deadline && pause(d.name).pausedFor() === 0) {
        const claimed = await claimAndDeliver(deps, report, pause, { limit, destination: d.name }, inTurn);
        if (claimed < limit) break;
      }
    };
    return Array.from({ length: Math.max(1, deps.concurrency) }, lane);
  });
  await Promise.all(lanes);
  return report;
}

/** One claim, its requests and one outbox_complete; answers how many rows it claimed. */
async function claimAndDeliver(
  deps: DeliveryDeps,
  report: DeliveryReport,
  pause: (destination: string) => Pause,
  claim: { limit: number; ids?: number[]; destination?: string },
  inTurn: Serial = (fn) => fn(),
): Promise<number> {
  const args = { ...claim, lease_seconds: deps.leaseSeconds };
  const { rows } = await inTurn(() => deps.db.call<{ rows: ClaimedRow[] }>('outbox_claim', args));
  if (rows.length === 0) return 0;
  report.claimed += rows.length;
  const results = (await Promise.all(groupRows(rows).map((group) => deliverGroup(deps, group, pause)))).flat();
  const { stale } = await deps.db.call<{ stale: number }>('outbox_complete', { results });
  report.stale += stale;
  for (const r of results) report[r.outcome] += 1;
  return rows.length;
}

type Serial = <T>(fn: () => Promise<T>) => Promise<T>;

/** Runs the functions given to it one after another, in call order. */
function serial(): Serial {
  let tail: Promise<unknown> = Promise.resolve();
  return (fn) => {
    const run = tail.then(fn);
    tail = run.catch(() => undefined);
    return run;
  };
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

/** Per-destination pauses for one run: a 429 stops this run's requests there, not only the rows'. */
function pauses(now: () => number): (destination: string) => Pause {
  const until = new Map<string, number>();
  return (destination) => ({
    pausedFor: () => Math.max(0, Math.ceil(((until.get(destination) ?? 0) - now()) / 1000)),
    pause: (seconds) => void until.set(destination, Math.max(until.get(destination) ?? 0, now() + seconds * 1000)),
  });
}
