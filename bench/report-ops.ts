import type { OpsQueriesResult } from './ops-queries.ts';
import { ms, table } from './stats.ts';

/** Section of docs/benchmarks.md for the operations queries (bench/ops-queries.ts). */
export function opsSection(o: OpsQueriesResult): string[] {
  const row = (name: string, s: OpsQueriesResult['status']) => [name, String(s.n), ms(s.p50), ms(s.p90), ms(s.max)];
  return [
    '## 5. Operations queries on a large outbox',
    '',
    `${o.rows.toLocaleString('en')} outbox rows over 30 days (both destinations, every state) with their attempts, ` +
      'queried through the product\'s own database adapter. Times in ms.',
    '',
    table(['SQL call', 'calls', 'p50', 'p90', 'max'], [
      row('ops_status (tracking-status, the whole page)', o.status),
      row('ops_report, 14 days', o.report),
      ['ops_retention, first pass', '1', ms(o.retentionFirstMs), '', `${o.retentionFirstCleared.toLocaleString('en')} payloads cleared`],
      row('ops_retention, each later drain', o.retentionSteady),
    ]),
    '',
    `What it shows: the status page costs one round trip of about ${ms(o.status.p50)} ms at this size, and the ` +
      `retention that rides on every scheduled drain costs ${ms(o.retentionSteady.p50)} ms once its backlog is cleared ` +
      '(a partial index holds only the rows it may still clear).',
    '',
  ];
}
