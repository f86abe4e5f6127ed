/**
 * `--since` for the operations scripts: an ISO date or timestamp (`2026-11-01`,
 * `2026-11-01T12:00:00Z`) or a duration back from now (`90m`, `12h`, `7d`, `2w`).
 */
const UNIT_SECONDS: Record<string, number> = { m: 60, h: 3600, d: 86_400, w: 604_800 };

export function parseSince(text: string, nowMs: number): Date | { error: string } {
  const duration = /^(\d+)\s*([mhdw])$/i.exec(text.trim());
  if (duration) {
    const [, amount, unit] = duration;
    return new Date(nowMs - Number(amount) * (UNIT_SECONDS[unit!.toLowerCase()] ?? 0) * 1000);
  }
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) {
    // A bare date is midnight UTC, not midnight wherever the script happens to run.
    const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text.trim()) ? `${text.trim()}T00:00:00Z` : text.trim());
    if (!Number.isNaN(date.getTime())) return date;
  }
  return { error: `--since: expected a date (2026-11-01) or a duration (12h, 7d, 2w), got "${text}"` };
}
