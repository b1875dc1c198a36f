/**
 * When each watched unit's silence becomes an "offline" fault, for many units at once
 * (issue 11: detecting silence for 10,000 units must not need 10,000 timers). One index,
 * one periodic tick: `set` moves a unit to the bucket of its new due time in O(1) (on every
 * telemetry message), `takeDue` hands back the units whose time has come.
 *
 * Due times are kept in buckets of `resolutionMs`, rounded up, so a unit is never taken
 * early and at most one resolution late. The buckets span at most the silence time (a due
 * time is "last seen + silenceS"), so there are at most silenceS / resolution of them
 * (900 for 15 min at 1 s) whatever the number of units. Memory: one map entry per unit.
 * No I/O and no clock: the caller passes `now` (the injected clock) and rebuilds the index
 * on start from the persisted offline states (silenceDueAt).
 */
export class SilenceIndex {
  private readonly bucketOf = new Map<string, number>()
  private readonly buckets = new Map<number, Set<string>>()

  constructor(private readonly resolutionMs = 1000) {
    if (!(resolutionMs > 0)) throw new Error(`SilenceIndex: resolutionMs must be positive, got ${resolutionMs}`)
  }

  /** Units watched. */
  get size(): number {
    return this.bucketOf.size
  }

  /** The unit's silence is due at `dueAt` (ms); null stops watching it (offline, or out of service). */
  set(deviceId: string, dueAt: number | null): void {
    const old = this.bucketOf.get(deviceId)
    const key = dueAt === null ? undefined : Math.ceil(dueAt / this.resolutionMs) * this.resolutionMs
    if (old === key) return
    if (old !== undefined) {
      const set = this.buckets.get(old)
      set?.delete(deviceId)
      if (set?.size === 0) this.buckets.delete(old)
    }
    if (key === undefined) {
      this.bucketOf.delete(deviceId)
      return
    }
    this.bucketOf.set(deviceId, key)
    let set = this.buckets.get(key)
    if (!set) this.buckets.set(key, (set = new Set()))
    set.add(deviceId)
  }

  /** Removes and returns the units due at or before `now`, earliest bucket first. */
  takeDue(now: number): string[] {
    const keys: number[] = []
    for (const key of this.buckets.keys()) if (key <= now) keys.push(key)
    keys.sort((a, b) => a - b)
    const out: string[] = []
    for (const key of keys) {
      for (const id of this.buckets.get(key) ?? []) {
        out.push(id)
        this.bucketOf.delete(id)
      }
      this.buckets.delete(key)
    }
    return out
  }

  /** The earliest due time (rounded up to the resolution), or null: what one timer waits for. */
  nextDueAt(): number | null {
    let min: number | null = null
    for (const key of this.buckets.keys()) if (min === null || key < min) min = key
    return min
  }
}
