/**
 * One device's readings of one channel for the job cache, in time order, kept as columns
 * of doubles (ts, value, receivedAt: 24 bytes a reading, against ~110 for a Reading
 * object) that grow by doubling. A meter's readings arrive almost always in order and are
 * appended; the few that do not wait in a side list and are merged in one pass when the
 * series is next read, so a buffered upload of k old readings costs O(n + k log k), not
 * O(n·k). Optional fields of a Reading beyond the five columns (e.g. a flag the ingest
 * adds) are kept beside, keyed by device time and value, and given back on every read.
 *
 * The Reading objects handed to evaluators are kept too, while the cache allows it (the
 * `view`, one per column index from the start): the columns only grow at the end between
 * two evaluations, so the next read materializes only the readings added since (issue 8:
 * rebuilding 500,000 objects took a third of each evaluation). A merge of late readings,
 * dropBefore() or a changed extra field (a conflict flag on a reading already viewed)
 * discards the view; it is rebuilt on the next read.
 */
import type { ChannelName } from '../../contract/channels.js'
import type { Reading } from '../../contract/reading.js'
import type { SeriesWindow } from '../../rules/steps/series-window.js'

const BASE_KEYS = new Set(['deviceId', 'channel', 'ts', 'value', 'receivedAt'])
const MIN_CAPACITY = 64

type Extras = Record<string, unknown>

export class ReadingColumns {
  private ts = new Float64Array(MIN_CAPACITY)
  private value = new Float64Array(MIN_CAPACITY)
  private receivedAt = new Float64Array(MIN_CAPACITY)
  private length = 0
  /** Readings older than the last one: merged before the next read. */
  private late: Reading[] = []
  private readonly extras = new Map<string, Extras>()
  /** Extras that carry a `conflict`: none, and a range of this series has no conflict to show. */
  private conflicts = 0
  /** view[i] is the Reading of column index i, for i < view.length (see the file comment). */
  private view: Reading[] = []

  constructor(
    readonly deviceId: string,
    readonly channel: ChannelName,
  ) {}

  /** Readings held (merged or waiting to be). */
  get size(): number {
    return this.length + this.late.length
  }

  /** Bytes of the columns as allocated (extras not counted: a handful in practice). */
  get bytes(): number {
    return this.ts.length * 24
  }

  /** Reading objects kept for the next read (see the file comment). */
  get viewSize(): number {
    return this.view.length
  }

  /** Do any readings of this series carry a conflict (a re-send with another value)? */
  get hasConflicts(): boolean {
    return this.conflicts > 0
  }

  /** Lets the kept Reading objects go (the cache's memory bound); the next read rebuilds what it needs. */
  dropView(): void {
    this.view = []
  }

  /** Adds a reading; the same device time with the same value is the same reading and kept once. */
  add(r: Reading): void {
    this.keepExtras(r)
    const n = this.length
    if (n > 0 && r.ts < this.ts[n - 1]!) {
      this.late.push(r)
      return
    }
    // A repeated device time: the same value is a duplicate; another value is a second reading.
    for (let i = n - 1; i >= 0 && this.ts[i] === r.ts; i--) if (this.value[i] === r.value) return
    this.grow(n + 1)
    this.put(n, r.ts, r.value, r.receivedAt)
    this.length = n + 1
  }

  /** Forgets the readings before ts (no open step needs them any more). */
  dropBefore(ts: number): void {
    this.merge()
    const cut = this.lowerBound(ts)
    if (cut === 0) return
    this.ts.copyWithin(0, cut, this.length)
    this.value.copyWithin(0, cut, this.length)
    this.receivedAt.copyWithin(0, cut, this.length)
    this.length -= cut
    this.view = []
    for (const [key, extra] of this.extras) {
      if (Number(key.slice(0, key.indexOf(':'))) >= ts) continue
      if ('conflict' in extra) this.conflicts--
      this.extras.delete(key)
    }
    if (this.length * 4 < this.ts.length && this.ts.length > MIN_CAPACITY) this.resize(Math.max(MIN_CAPACITY, this.length * 2))
  }

  /** The readings with from <= ts <= to, as new Reading objects, in time order. */
  range(from: number, to: number, out: Reading[]): void {
    this.merge()
    for (let i = this.lowerBound(from); i < this.length && this.ts[i]! <= to; i++) out.push(this.reading(i))
  }

  /**
   * range(), from the kept Reading objects: only those added since the last call are built
   * (`built` says how many). Callers must not change them: they are shared between evaluations.
   */
  kept(from: number, to: number): { readings: Reading[]; built: number } {
    this.merge()
    const lo = this.lowerBound(from)
    const hi = Math.max(lo, this.lowerBound(to, true))
    const built = Math.max(0, hi - this.view.length)
    for (let i = this.view.length; i < hi; i++) this.view.push(this.reading(i))
    return { readings: this.view.slice(lo, hi), built }
  }

  /**
   * kept() without the copy: the readings with from <= ts <= to as a window onto the kept
   * objects (rules/steps/series-window.ts). The array only grows at its end until the view
   * is discarded (a merge, dropBefore, a changed extra field), which replaces every object:
   * a summary of the window can tell by its first and last object.
   */
  window(from: number, to: number): { window: SeriesWindow; built: number } {
    this.merge()
    const lo = this.lowerBound(from)
    const hi = Math.max(lo, this.lowerBound(to, true))
    const built = Math.max(0, hi - this.view.length)
    for (let i = this.view.length; i < hi; i++) this.view.push(this.reading(i))
    return { window: { deviceId: this.deviceId, channel: this.channel, readings: this.view, lo, hi }, built }
  }

  /** The kept objects of [lo, hi) that carry a conflict, in order: found from the extras (a handful), not by a scan. */
  conflictedIn(lo: number, hi: number): Reading[] {
    if (this.conflicts === 0) return []
    const at: number[] = []
    for (const [key, extra] of this.extras) {
      if (!('conflict' in extra)) continue
      const colon = key.indexOf(':')
      const ts = Number(key.slice(0, colon))
      const value = Number(key.slice(colon + 1))
      for (let i = this.lowerBound(ts); i < this.length && this.ts[i] === ts; i++) if (this.value[i] === value && i >= lo && i < hi) at.push(i)
    }
    at.sort((a, b) => a - b)
    return at.map((i) => this.view[i] ?? this.reading(i))
  }

  private reading(i: number): Reading {
    const ts = this.ts[i]!
    const value = this.value[i]!
    const r: Reading = { deviceId: this.deviceId, channel: this.channel, ts, value, receivedAt: this.receivedAt[i]! }
    const extra = this.extras.size > 0 ? this.extras.get(extraKey(ts, value)) : undefined
    return extra ? { ...r, ...extra } : r
  }

  private keepExtras(r: Reading): void {
    let extra: Extras | undefined
    for (const key in r) {
      if (BASE_KEYS.has(key)) continue
      ;(extra ??= {})[key] = (r as unknown as Extras)[key]
    }
    if (!extra) return
    const key = extraKey(r.ts, r.value)
    const before = this.extras.get(key)
    if (before && 'conflict' in before) this.conflicts--
    if ('conflict' in extra) this.conflicts++
    this.extras.set(key, extra)
    // A reading already built without this field (or with an older one) must be built again.
    const lastViewed = this.view.at(-1)
    if (lastViewed && r.ts <= lastViewed.ts) this.view = []
  }

  /** Merges the late readings into the columns in one pass. */
  private merge(): void {
    if (this.late.length === 0) return
    const late = this.late.sort((a, b) => a.ts - b.ts || a.receivedAt - b.receivedAt)
    this.late = []
    this.view = []
    const oldTs = this.ts
    const oldValue = this.value
    const oldReceived = this.receivedAt
    const oldLength = this.length
    const capacity = Math.max(MIN_CAPACITY, Math.ceil((oldLength + late.length) * 1.25))
    this.ts = new Float64Array(capacity)
    this.value = new Float64Array(capacity)
    this.receivedAt = new Float64Array(capacity)
    this.length = 0
    let i = 0
    let j = 0
    while (i < oldLength || j < late.length) {
      const takeOld = j >= late.length || (i < oldLength && oldTs[i]! <= late[j]!.ts)
      if (takeOld) {
        this.appendUnique(oldTs[i]!, oldValue[i]!, oldReceived[i]!)
        i++
      } else {
        const r = late[j++]!
        this.appendUnique(r.ts, r.value, r.receivedAt)
      }
    }
  }

  private appendUnique(ts: number, value: number, receivedAt: number): void {
    for (let k = this.length - 1; k >= 0 && this.ts[k] === ts; k--) if (this.value[k] === value) return
    this.put(this.length++, ts, value, receivedAt)
  }

  private put(i: number, ts: number, value: number, receivedAt: number): void {
    this.ts[i] = ts
    this.value[i] = value
    this.receivedAt[i] = receivedAt
  }

  private grow(needed: number): void {
    if (needed > this.ts.length) this.resize(Math.max(needed, this.ts.length * 2))
  }

  private resize(capacity: number): void {
    const copy = (a: Float64Array) => {
      const b = new Float64Array(capacity)
      b.set(a.subarray(0, Math.min(this.length, capacity)))
      return b
    }
    this.ts = copy(this.ts)
    this.value = copy(this.value)
    this.receivedAt = copy(this.receivedAt)
  }

  /** First index whose ts >= ts (with `after`: > ts). */
  private lowerBound(ts: number, after = false): number {
    let lo = 0
    let hi = this.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.ts[mid]! < ts || (after && this.ts[mid] === ts)) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

const extraKey = (ts: number, value: number) => `${ts}:${value}`
