/** Columns that lead every export, in this order; any other field follows in the order first seen. */
const LEADING_COLUMNS = ['runId', 'round', 'time', 'accuracy', 'heldOutAccuracy', 'zeroShotAccuracy', 'zeroShotHeldOutAccuracy'];

type Cell = string | number | boolean | null | undefined;

/**
 * Flattens one metrics row: nested objects become dotted columns (perSet.noto), arrays a space-separated cell
 * (participants), so every row is one CSV line.
 */
export function flattenRow(row: Record<string, unknown>, prefix = '', out: Record<string, Cell> = {}): Record<string, Cell> {
  for (const [key, value] of Object.entries(row)) {
    const name = prefix + key;
    if (Array.isArray(value)) out[name] = value.map(String).join(' ');
    else if (value !== null && typeof value === 'object') flattenRow(value as Record<string, unknown>, `${name}.`, out);
    else out[name] = value as Cell;
  }
  return out;
}

/**
 * One RFC 4180 field. Numbers keep full precision; missing and non-finite numbers are empty. Text that a
 * spreadsheet would run as a formula (=, +, -, @ first) is prefixed with a quote mark, since run names and
 * set names come from people.
 */
export function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Metrics rows as CSV text: a header line, then one line per round, CRLF line ends. */
export function metricsToCsv(rows: readonly Record<string, unknown>[]): string {
  const flat = rows.map((r) => flattenRow(r));
  const seen = new Set<string>();
  for (const r of flat) for (const key of Object.keys(r)) seen.add(key);
  const columns = [...LEADING_COLUMNS.filter((c) => seen.has(c)), ...[...seen].filter((c) => !LEADING_COLUMNS.includes(c))];
  const lines = [columns.map(csvField), ...flat.map((r) => columns.map((c) => csvField(r[c])))];
  return lines.map((cells) => cells.join(',')).join('\r\n') + '\r\n';
}
