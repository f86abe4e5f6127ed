import type { Database } from '../db/port.ts';

export const MATCH_KEYS = ['email', 'phone', 'external_id', 'ip', 'user_agent', 'fbc', 'fbp', 'ttclid', 'ttp'] as const;

export interface ReportDay {
  day: string;
  destination: string;
  purchases_paid: number;
  delivered: number;
  retrying: number;
  dead: number;
  skipped: number;
}

export interface Report {
  since: string;
  days: ReportDay[];
  reasons: { destination: string; status: 'dead' | 'skipped'; reason: string; count: number }[];
  /** Per destination: delivered rows and how many carried each match key; `share` is count / delivered. */
  coverage: { destination: string; delivered: number; keys: Record<string, number>; share: Record<string, number> }[];
}

/** One SQL call; coverage shares are derived here so the JSON carries both counts and shares. */
export async function readReport(db: Database, range: { since?: Date; days?: number }): Promise<Report> {
  const raw = await db.call<Omit<Report, 'coverage'> & { coverage: Omit<Report['coverage'][number], 'share'>[] }>('ops_report', {
    since: range.since?.toISOString(),
    days: range.days,
  });
  const coverage = raw.coverage.map((c) => ({
    ...c,
    share: Object.fromEntries(MATCH_KEYS.map((k) => [k, c.delivered ? round((c.keys[k] ?? 0) / c.delivered) : 0])),
  }));
  return { ...raw, coverage };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** The readable form: one table per section, fixed-width columns. */
export function formatReport(report: Report): string {
  const out: string[] = [`Since ${report.since}`, ''];
  out.push(...table(['day', 'destination', 'paid', 'delivered', 'retrying', 'dead', 'skipped'],
    report.days.map((d) => [d.day, d.destination, d.purchases_paid, d.delivered, d.retrying, d.dead, d.skipped])));
  out.push('', 'Reasons (dead and skipped)');
  out.push(...(report.reasons.length === 0 ? ['  none']
    : table(['destination', 'status', 'count', 'reason'], report.reasons.map((r) => [r.destination, r.status, r.count, r.reason]))));
  out.push('', 'Match-key coverage of delivered conversions');
  out.push(...(report.coverage.length === 0 ? ['  nothing delivered']
    : table(['destination', 'delivered', ...MATCH_KEYS], report.coverage.map((c) => [
        c.destination, c.delivered, ...MATCH_KEYS.map((k) => `${Math.round((c.share[k] ?? 0) * 100)}%`)]))));
  return out.join('\n');
}

function table(head: string[], rows: (string | number)[][]): string[] {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd();
  return [line(cells[0]!), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)];
}
