/** Small numeric helpers for the bench report. */

/** q in [0, 1] of an already sorted array (nearest rank). */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank] as number
}

export interface LatencySummary {
  p50: number
  p99: number
  max: number
}

export function summarize(latenciesMs: Float64Array): LatencySummary {
  const sorted = latenciesMs.slice().sort()
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: percentile(sorted, 1) }
}

export const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0)

export function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-'
}

export function fmtMs(n: number): string {
  if (!Number.isFinite(n)) return '-'
  return n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0)
}

/** Renders rows as a plain-text table; the first row is the header. First and last columns left-aligned, the rest right-aligned. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => {
    let w = 0
    for (const r of rows) w = Math.max(w, (r[c] ?? '').length)
    return w
  })
  const last = widths.length - 1
  const line = (r: string[]): string =>
    r.map((cell, c) => (c === 0 || c === last ? cell.padEnd(c === last ? 0 : widths[c]!) : cell.padStart(widths[c]!))).join('  ')
  const sep = widths.map((w) => '-'.repeat(w)).join('  ')
  return [line(rows[0]!), sep].concat(rows.slice(1).map(line)).join('\n')
}
