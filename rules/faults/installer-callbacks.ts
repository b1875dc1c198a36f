/**
 * T4 (seed addendum art.11): a leak call-back within 30 days of installation counts against
 * the job's installer; more than 2 of them within 30 days, or more than 4 within a year,
 * flags (disqualifies) the installer. Pure: a list of call-back events in, each installer's
 * standing out. Windows are sliding ("any 30 days"), both ends inclusive.
 */
import type { Deadlines } from './fault-pack-schema.js'

export interface CallbackEvent {
  installerId: string
  jobId: string
  /** When the installation was done (job closed), ms. */
  installedAt: number
  /** When the customer called back, ms. */
  callbackAt: number
  /** Only leak call-backs (refrigerant or water) count under T4. */
  leak: boolean
}

export interface InstallerCallbackStanding {
  installerId: string
  /** Leak call-backs within afterInstallS of their installation, by call-back time. */
  counted: { jobId: string; callbackAt: number }[]
  /** Most counted call-backs in any short window (30 days) and any long window (a year). */
  maxInShortWindow: number
  maxInLongWindow: number
  flagged: boolean
  /** Why flagged, citing T4; null when not. */
  reason: string | null
}

/** Most times within any window of `windowMs` (inclusive), times ascending. */
function mostInWindow(times: readonly number[], windowMs: number): number {
  let best = 0
  let lo = 0
  for (let hi = 0; hi < times.length; hi++) {
    while ((times[hi] ?? 0) - (times[lo] ?? 0) > windowMs) lo++
    best = Math.max(best, hi - lo + 1)
  }
  return best
}

export function installerCallbacks(d: Deadlines, events: readonly CallbackEvent[]): InstallerCallbackStanding[] {
  const c = d.installerCallbacks
  const afterMs = c.afterInstallS.value * 1000
  const byInstaller = new Map<string, { jobId: string; callbackAt: number }[]>()
  for (const e of events) {
    if (!byInstaller.has(e.installerId)) byInstaller.set(e.installerId, [])
    const since = e.callbackAt - e.installedAt
    if (e.leak && since >= 0 && since <= afterMs) byInstaller.get(e.installerId)?.push({ jobId: e.jobId, callbackAt: e.callbackAt })
  }
  const out: InstallerCallbackStanding[] = []
  for (const [installerId, counted] of byInstaller) {
    counted.sort((a, b) => a.callbackAt - b.callbackAt)
    const times = counted.map((x) => x.callbackAt)
    const short = mostInWindow(times, c.shortWindowS.value * 1000)
    const long = mostInWindow(times, c.longWindowS.value * 1000)
    const reasons: string[] = []
    if (short > c.maxInShortWindow.value) reasons.push(`${short} leak call-backs within ${c.shortWindowS.value / 86400} days (more than ${c.maxInShortWindow.value})`)
    if (long > c.maxInLongWindow.value) reasons.push(`${long} within ${c.longWindowS.value / 86400} days (more than ${c.maxInLongWindow.value})`)
    out.push({
      installerId,
      counted,
      maxInShortWindow: short,
      maxInLongWindow: long,
      flagged: reasons.length > 0,
      reason: reasons.length > 0 ? `T4 (seed addendum art.11): ${reasons.join('; ')}` : null,
    })
  }
  out.sort((a, b) => (a.installerId < b.installerId ? -1 : a.installerId > b.installerId ? 1 : 0))
  return out
}
