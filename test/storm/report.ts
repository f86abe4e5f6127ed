/** Prints what the storm did and found, in plain lines. */
import type { Attempt, Plan, Sender } from './deliveries.ts';
import type { Check, DrainResult, Duplicates } from './outcome.ts';
import { countBy } from './outcome.ts';
import type { StormPlatforms } from './platforms.ts';

/** performance.now() instants of what happened. */
export interface Timeline {
  started: number;
  dbStopping?: number;
  dbDown?: number;
  dbStarting?: number;
  dbUp?: number;
  platformsHealthy?: number;
  killed?: { name: string; at: number };
  replacedBy?: string;
  finished?: number;
}

export interface StormReport {
  plan: Plan;
  sender: Sender;
  timeline: Timeline;
  platforms: StormPlatforms;
  drain: DrainResult;
  duplicates: Duplicates;
  checks: Check[];
  processes: number;
  concurrency: number;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))] ?? 0;
const statuses = (attempts: Attempt[]) =>
  Object.entries(countBy(attempts.map((a) => String(a.status)))).map(([k, n]) => `${k} × ${n}`).join(', ');

export function printReport(r: StormReport): void {
  const { timeline: t, sender, plan } = r;
  const pairs = plan.jobs.filter((j) => j.copies === 2).length;
  const ms = sender.attempts.map((a) => a.ms);
  const lines = [
    `storm: ${plan.deliveries} deliveries of ${plan.sessions.length} paid sessions (${pairs} sent at once to two instances, ` +
      `${plan.deliveries - plan.sessions.length - pairs} redelivered later) to ${r.processes} instances of the built functions, ` +
      `${r.concurrency} in flight, in ${s((t.finished ?? t.started) - t.started)}`,
    `webhook answers: ${statuses(sender.attempts)}; p50 ${percentile(ms, 50).toFixed(0)} ms, p99 ${percentile(ms, 99).toFixed(0)} ms, slowest ${Math.max(...ms).toFixed(0)} ms`,
  ];
  if (t.dbStopping !== undefined && t.dbUp !== undefined) {
    const during = sender.attempts.filter((a) => a.at >= t.dbStopping! && a.at < t.dbUp!);
    const failed = during.filter((a) => a.status !== 200);
    const firstOk = sender.attempts.filter((a) => a.at >= t.dbUp! && a.status === 200).map((a) => a.at + a.ms).sort((a, b) => a - b)[0];
    lines.push(
      `PostgreSQL restart (fast stop, down ${s((t.dbStarting ?? t.dbUp) - (t.dbDown ?? t.dbStopping))}): answers meanwhile ${statuses(during) || 'none'}, ` +
        `slowest failure ${Math.max(0, ...failed.map((a) => a.ms)).toFixed(0)} ms; first 200 ${firstOk === undefined ? 'never' : `${(firstOk - t.dbUp).toFixed(0)} ms`} after it was up`,
    );
  }
  if (t.killed) lines.push(`SIGKILL: ${t.killed.name} at ${s(t.killed.at - t.started)}, replaced by ${t.replacedBy ?? 'nothing'}`);
  lines.push(
    `platforms (misbehaving until ${t.platformsHealthy === undefined ? 'the end' : s(t.platformsHealthy - t.started)}): ` +
      Object.entries(r.platforms.answers).sort().map(([k, n]) => `${k} × ${n}`).join(', '),
    `drain: ${r.drain.rounds} runs, ${r.drain.claimed} rows claimed`,
    `duplicate sends accepted by the platforms: ${Object.entries(r.duplicates.extraSends).map(([d, n]) => `${d} ${n}`).join(', ') || 'none'} ` +
      `(for ${r.duplicates.conversions} conversions; the platforms deduplicate them by event_id)`,
    ...r.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`),
  );
  console.log(lines.join('\n'));
}
