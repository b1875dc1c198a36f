/**
 * Admission of not-yet-authenticated connections, fair across sources.
 *
 * A global cap alone lets one address fill every pending slot and keep every device out for as
 * long as it keeps reopening sockets. So: each source (see source-address.ts) may hold at most
 * `maxPendingPerSource` pending connections (more are refused on accept), and when the global
 * cap is reached the newcomer is still admitted: the OLDEST pending connection of the source
 * holding the most pending connections is shed instead. A flood from a few addresses then only
 * ever sheds its own sockets; a device on another address always gets its handshake slot.
 *
 * Pure bookkeeping (no sockets, no timers), so the policy is table-testable.
 */
export interface PendingLimits {
  maxPending: number
  maxPendingPerSource: number
}

export type Admission<T> = { admitted: false } | { admitted: true; shed: T | undefined }

export class PendingAdmission<T> {
  /** Per source, in admission order (a Set iterates in insertion order: the first is the oldest). */
  private readonly bySource = new Map<string, Set<T>>()
  private readonly sourceOf = new Map<T, string>()

  constructor(private readonly limits: PendingLimits) {}

  get size(): number {
    return this.sourceOf.size
  }

  pendingFrom(source: string): number {
    return this.bySource.get(source)?.size ?? 0
  }

  /** Decides about `item` arriving from `source`; a shed item is no longer tracked (the caller closes it). */
  admit(source: string, item: T): Admission<T> {
    if (this.pendingFrom(source) >= this.limits.maxPendingPerSource) return { admitted: false }
    let shed: T | undefined
    if (this.sourceOf.size >= this.limits.maxPending) {
      shed = this.oldestOfLargestSource()
      if (shed !== undefined) this.remove(shed)
    }
    let set = this.bySource.get(source)
    if (set === undefined) {
      set = new Set()
      this.bySource.set(source, set)
    }
    set.add(item)
    this.sourceOf.set(item, source)
    return { admitted: true, shed }
  }

  /** The item authenticated or closed: it no longer counts. Unknown items are ignored. */
  remove(item: T): void {
    const source = this.sourceOf.get(item)
    if (source === undefined) return
    this.sourceOf.delete(item)
    const set = this.bySource.get(source)
    set?.delete(item)
    if (set?.size === 0) this.bySource.delete(source)
  }

  // O(sources) and only when the global cap is reached; sources <= maxPending.
  private oldestOfLargestSource(): T | undefined {
    let largest: Set<T> | undefined
    for (const set of this.bySource.values()) {
      if (largest === undefined || set.size > largest.size) largest = set
    }
    if (largest === undefined) return undefined
    for (const item of largest) return item
    return undefined
  }
}
