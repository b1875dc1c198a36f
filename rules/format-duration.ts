/** "12:30", "1:02:03". Whole seconds, rounded down: elapsed time is never overstated. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--'
  const total = Math.floor(Math.abs(seconds))
  const sign = seconds < 0 && total > 0 ? '-' : ''
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  const pad = (n: number) => String(n).padStart(2, '0')
  return h > 0 ? `${sign}${h}:${pad(m)}:${pad(s)}` : `${sign}${m}:${pad(s)}`
}
