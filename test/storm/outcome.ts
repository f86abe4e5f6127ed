/**
 * After the storm: lets time pass for the outbox (retry backoff and the leases of the killed instance
 * run out), runs the drain until nothing is due, then checks what must hold and counts what was sent
 * more than once.
 */
import type postgres from 'postgres';
import type { StormPlatforms } from './platforms.ts';

export interface DrainResult {
  rounds: number;
  claimed: number;
}

/**
 * "Later": rows waiting for a retry become due now, and leases left by a killed instance expire. Only
 * called when no instance is running, so no live lease is cut short.
 */
async function timePasses(sql: postgres.Sql): Promise<void> {
  await sql`update public.conversion_outbox set next_attempt_at = now() where status = 'pending' and next_attempt_at > now()`;
  await sql`update public.conversion_outbox set locked_until = now() - interval '1 second' where status = 'sending'`;
}

export async function drainUntilNothingDue(sql: postgres.Sql, drainUrl: string, maxRounds = 30): Promise<DrainResult> {
  let claimed = 0;
  for (let round = 1; round <= maxRounds; round++) {
    await timePasses(sql);
    const response = await fetch(drainUrl, { method: 'POST', signal: AbortSignal.timeout(60_000) });
    const report = (await response.json()) as { claimed?: number };
    if (response.status !== 200) throw new Error(`drain answered ${response.status}: ${JSON.stringify(report)}`);
    claimed += report.claimed ?? 0;
    const [open] = await sql`select count(*)::int as n from public.conversion_outbox where status in ('pending', 'sending')`;
    if ((report.claimed ?? 0) === 0 && open?.n === 0) return { rounds: round, claimed };
  }
  throw new Error(`conversions still due after ${maxRounds} drain runs`);
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Duplicates {
  /** Conversions the platforms accepted, counted once each. */
  conversions: number;
  /** Accepted sends beyond the first, per destination. */
  extraSends: Record<string, number>;
}

export async function checkOutcome(sql: postgres.Sql, sessions: string[], platforms: StormPlatforms): Promise<{ checks: Check[]; duplicates: Duplicates }> {
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });

  const [events] = await sql`select count(*)::int as n from public.stripe_events`;
  check('one stripe_events row per event', events?.n === sessions.length, `${events?.n} rows, ${sessions.length} events`);

  const purchases = await sql`select checkout_session_id as id, status from public.purchases`;
  const bought = new Set(purchases.map((p) => p.id as string));
  const missing = sessions.filter((s) => !bought.has(s));
  const unpaid = purchases.filter((p) => p.status !== 'paid').length;
  check('one purchase per paid session, paid', purchases.length === sessions.length && missing.length === 0 && unpaid === 0,
    `${purchases.length} purchases for ${sessions.length} sessions, ${missing.length} missing, ${unpaid} not paid`);

  const [twice] = await sql`select count(*)::int as n from (select 1 from public.conversion_outbox
                             group by destination, event_name, event_id having count(*) > 1) d`;
  const rows = await sql`select destination, event_name, event_id, status from public.conversion_outbox`;
  const perSession = new Map<string, Set<string>>();
  for (const r of rows) perSession.set(r.event_id as string, (perSession.get(r.event_id as string) ?? new Set()).add(r.destination as string));
  const incomplete = sessions.filter((s) => perSession.get(s)?.size !== 2).length;
  check('one outbox row per destination × event name × event_id, both destinations for every session',
    twice?.n === 0 && rows.length === 2 * sessions.length && incomplete === 0,
    `${rows.length} rows for ${sessions.length} sessions, ${twice?.n} keys twice, ${incomplete} sessions without both`);

  const notDelivered = rows.filter((r) => r.status !== 'delivered');
  const byStatus = countBy(notDelivered.map((r) => r.status as string));
  check('every outbox row delivered', notDelivered.length === 0, notDelivered.length === 0 ? `${rows.length} delivered` : JSON.stringify(byStatus));

  const neverAccepted = rows.filter((r) => !platforms.accepted.has(`${r.destination} ${r.event_name} ${r.event_id}`)).length;
  check('every conversion accepted by its platform at least once', neverAccepted === 0, `${neverAccepted} never accepted`);

  const extraSends: Record<string, number> = {};
  for (const [key, times] of platforms.accepted) {
    const destination = key.split(' ')[0]!;
    extraSends[destination] = (extraSends[destination] ?? 0) + times - 1;
  }
  return { checks, duplicates: { conversions: platforms.accepted.size, extraSends } };
}

export function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
