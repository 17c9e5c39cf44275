import type { MetricsRow } from '@clipfed/protocol';

export type { MetricsRow };

/** A numeric field of a metrics row, or null when the round lacks it (round 0 has no traffic, JSON turns NaN into null). */
export function numberField(row: MetricsRow, key: string): number | null {
  const v = row[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Per-set accuracies of a row (perSet: { 'noto': 0.8, 'openmoji (held out)': 0.6 }). */
export function perSetOf(row: MetricsRow): Record<string, number> {
  const v = row.perSet;
  if (!v || typeof v !== 'object') return {};
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter((e): e is [string, number] => typeof e[1] === 'number'));
}

export function participantsOf(row: MetricsRow): string[] {
  return Array.isArray(row.participants) ? row.participants.filter((p): p is string => typeof p === 'string') : [];
}

/** Adds or replaces a round's row, keeping rows ordered by round (a snapshot and a live push may both carry it). */
export function upsertRow(rows: readonly MetricsRow[], row: MetricsRow): MetricsRow[] {
  const rest = rows.filter((r) => r.round !== row.round);
  return [...rest, row].sort((a, b) => a.round - b.round);
}

/** A nested numeric field ('balancedHead.accuracy', 'shots.few'), or null when the row lacks it. */
export function nestedNumber(row: MetricsRow, path: string): number | null {
  let v: unknown = row;
  for (const key of path.split('.')) {
    if (!v || typeof v !== 'object') return null;
    v = (v as Record<string, unknown>)[key];
  }
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
