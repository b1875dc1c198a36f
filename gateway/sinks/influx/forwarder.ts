/**
 * Forwards acknowledged readings from the local log to InfluxDB. The local log stays where a
 * reading becomes "acknowledged" (ARCHITECTURE.md principle 2); the forwarder drains the
 * outbox in order, one batch in flight at a time, deleting queued points only once InfluxDB
 * has them all. While InfluxDB is down it retries with capped, jittered exponential back-off and
 * then catches up; a batch sent twice (crash between write and delete) rewrites identical
 * points, so InfluxDB ends up with every reading exactly once.
 *
 * Each cycle first sets up the database layout (at start and after a failure: InfluxDB may
 * have come back empty), then does one of, in this order: re-route a window whose job
 * attachments changed, forward queued verdicts, forward queued alert changes (sink
 * 'influx-alerts', gateway/alerts/alert-points-relay.ts), recompute the roll-up of late hours (when
 * the backlog is forwarded, or once a minute), forward a batch of readings.
 *
 * The gateway runs it in a thread of its own (forwarder-thread.ts, forwarder-host.ts); the
 * tests drive it directly, with a fake sink and timers or with drain().
 */
import type { IPoint } from 'influx'
import type { Clock } from '../../clock.js'
import type { Log } from '../../log.js'
import type { Db } from '../../store/database.js'
import { InfluxRefusedError, type InfluxSink } from './influx-client.js'
import { alertPoint, queuedVerdict, routePoints, verdictPoints, type VerdictRecord } from './influx-points.js'
import { RESAMPLE_COVERS_MS } from './influx-schema.js'
import { Backoff, systemTimer, type Timer } from '../../shared/backoff.js'
import { PollLoop } from '../../shared/poll-loop.js'
import { InfluxOutbox, type OutboxBatch, type QueueStats } from './influx-outbox.js'
import { AttachmentLookup, PointReader } from './routing.js'

export interface ForwarderOptions {
  db: Db
  sink: InfluxSink
  clock: Clock
  log: Log
  /** Points per write request (GW_INFLUX_BATCH); a cycle reads up to twice as many queued points. */
  batchPoints: number
  timer?: Timer
  random?: () => number
  /** Wait between looks at an empty outbox. */
  pollMs?: number
  backoff?: { baseMs: number; capMs: number }
  /** Called after each attempt (a cycle done or failed): the thread host reports progress then. */
  onProgress?: () => void
}

/** The forwarder's own state and counters (the rest of its stats is what waits in the outbox). */
export interface ForwarderProgress {
  running: boolean
  retrying: boolean
  /** Readings forwarded since start. */
  forwarded: number
  /** Points written since start, rewrites after a failure included (readings of one device and time are one point per job). */
  points: number
  /** Failed attempts since start, and the last one's message. */
  failures: number
  lastError: string | null
  lastForwardedAt: number | null
}

export type ForwarderStats = { enabled: true; state: 'stopped' | 'forwarding' | 'idle' | 'retrying' } & Omit<ForwarderProgress, 'running' | 'retrying'> & QueueStats

export function forwarderStats(progress: ForwarderProgress, queue: QueueStats): ForwarderStats {
  const { running, retrying, ...counters } = progress
  const state = !running ? 'stopped' : retrying ? 'retrying' : queue.backlog > 0 ? 'forwarding' : 'idle'
  return { enabled: true, state, ...queue, ...counters }
}

type Cycle = 'more' | 'idle'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const ROLLUP_EVERY_MS = 60_000
/** Alert changes per cycle (one write request: within any GW_INFLUX_BATCH). */
const ALERT_BATCH = 500

export class InfluxForwarder {
  private readonly outbox: InfluxOutbox
  private readonly attachments: AttachmentLookup
  private readonly reader: PointReader
  private readonly backoff: Backoff
  private readonly pollMs: number
  private readonly loop: PollLoop
  private ready = false
  private retrying = false
  private counters = { forwarded: 0, points: 0, failures: 0 }
  private lastError: string | null = null
  private lastForwardedAt: number | null = null
  private lastRollupAt = Number.NEGATIVE_INFINITY

  constructor(private readonly opts: ForwarderOptions) {
    this.outbox = new InfluxOutbox(opts.db)
    this.attachments = new AttachmentLookup(opts.db)
    this.reader = new PointReader(opts.db)
    this.backoff = new Backoff({ ...(opts.backoff ?? { baseMs: 250, capMs: 30_000 }), ...(opts.random ? { random: opts.random } : {}) })
    this.pollMs = opts.pollMs ?? 100
    this.loop = new PollLoop(opts.timer ?? systemTimer, () => this.tick())
  }

  /** Starts the loop (idempotent). */
  start(): void {
    this.loop.start()
  }

  /** Stops the loop and waits for a write in flight (idempotent). What is left stays in the outbox. */
  stop(): Promise<void> {
    return this.loop.stop()
  }

  /**
   * Queues a job's verdict (verdict and check_result points) durably; it reaches InfluxDB
   * with the readings' retries. Call when a job's verdict changes.
   */
  writeVerdict(v: VerdictRecord): void {
    this.outbox.addVerdict(queuedVerdict(v), this.opts.clock.now())
  }

  /** Forwards everything queued now, on a forwarder not started (tests, benches). Throws on the first failure. */
  async drain(): Promise<void> {
    if (this.loop.isRunning) throw new Error('drain() is for a forwarder that is not started')
    while ((await this.cycle()) === 'more') {
      // next batch
    }
  }

  progress(): ForwarderProgress {
    return { running: this.loop.isRunning, retrying: this.retrying, ...this.counters, lastError: this.lastError, lastForwardedAt: this.lastForwardedAt }
  }

  stats(): ForwarderStats {
    return forwarderStats(this.progress(), this.outbox.queued(this.opts.clock.now()))
  }

  /** One round of the loop; resolves to the wait before the next. */
  private async tick(): Promise<number> {
    let delay: number
    try {
      const result = await this.cycle()
      this.backoff.reset()
      this.retrying = false
      delay = result === 'more' ? 0 : this.pollMs
    } catch (err) {
      this.counters.failures++
      this.lastError = err instanceof Error ? err.message : String(err)
      this.retrying = true
      // Set up again before the next try: the server may have come back empty (database not found).
      this.ready = false
      delay = this.backoff.next()
      this.opts.log(this.backoff.failures === 1 ? 'warn' : 'debug', 'influx forwarding failed, will retry', { err: this.lastError, retryInMs: delay })
    }
    this.opts.onProgress?.()
    return delay
  }

  private async cycle(): Promise<Cycle> {
    const { sink } = this.opts
    if (!this.ready) {
      await sink.setup()
      this.ready = true
    }
    const now = this.opts.clock.now()
    const window = this.outbox.nextRequeue()
    if (window) {
      if (!window.purged) {
        // Old routing out first; the window's readings then go through the outbox again.
        try {
          await sink.purge(window.deviceId, window.from, Math.min(window.to, now + DAY))
        } catch (err) {
          // InfluxDB 2.x/3.x v1 endpoints have no DELETE: the old points stay beside the new ones.
          if (!(err instanceof InfluxRefusedError)) throw err
          this.opts.log('warn', 'influx refused to delete re-routed points; they stay beside the re-routed ones', { deviceId: window.deviceId, err: err.message })
        }
        this.outbox.markRequeuePurged(window.id)
      }
      this.outbox.copyRequeued(this.opts.batchPoints, now)
      return 'more'
    }
    const verdicts = this.outbox.verdicts(100)
    const alerts = verdicts.length === 0 ? this.outbox.alertChanges(ALERT_BATCH) : []
    for (const why of this.outbox.takeParked()) this.opts.log('error', 'influx outbox row parked: it does not parse', { err: why })
    if (verdicts.length > 0) {
      const points = { verdict: [] as IPoint[], check_result: [] as IPoint[] }
      for (const row of verdicts) {
        const p = verdictPoints(row.verdict)
        for (const v of p.verdict) points.verdict.push(v)
        for (const c of p.check_result) points.check_result.push(c)
      }
      await this.write('verdict', points.verdict)
      await this.write('check_result', points.check_result)
      this.outbox.verdictsForwarded(verdicts[verdicts.length - 1]!.id)
      return 'more'
    }
    if (alerts.length > 0) {
      // Alert changes are few (one per change, not per reading): with the verdicts, ahead of the readings' backlog.
      await this.write('alert', alerts.map((r) => alertPoint(r.change)))
      this.outbox.alertsForwarded(alerts[alerts.length - 1]!.id)
      return 'more'
    }
    // Roll-ups wait until the backlog is forwarded (one recomputation per hour, not per batch), or a minute at most.
    if (now - this.lastRollupAt >= ROLLUP_EVERY_MS && (await this.rollUp(now))) return 'more'
    // Up to 2 × batchPoints queued points per cycle (one point per job, so maybe more written).
    const batch = this.outbox.batch(this.opts.batchPoints * 2)
    if (!batch) return (await this.rollUp(now)) ? 'more' : 'idle'
    const lateHours = await this.forward(batch, now)
    this.outbox.forwarded(batch.lastId, lateHours)
    this.counters.forwarded += batch.readings
    this.lastForwardedAt = now
    return 'more'
  }

  /** Writes the batch; returns the (device, hour)s of telemetry too late for the continuous query. */
  private async forward(batch: OutboxBatch, now: number): Promise<[string, number][]> {
    const points = this.reader.read(batch.points)
    this.attachments.refresh()
    const routed = routePoints(points, this.attachments.jobsAt)
    await this.write('commissioning', routed.commissioning)
    await this.write('telemetry', routed.telemetry)
    const late = new Map<string, [string, number]>()
    for (const p of routed.telemetry) {
      const ts = p.timestamp as number
      if (ts >= now - RESAMPLE_COVERS_MS) continue
      const hour = Math.floor(ts / HOUR) * HOUR
      late.set(`${p.tags!.device_id!}@${hour}`, [p.tags!.device_id!, hour])
    }
    return [...late.values()]
  }

  /** Recomputes the roll-up of late hours, one query per device and run of consecutive hours. False if none waited. */
  private async rollUp(now: number): Promise<boolean> {
    this.lastRollupAt = now
    const due = this.outbox.rollupsDue(1000)
    if (due.size === 0) return false
    for (const [device, hours] of due) {
      for (let i = 0; i < hours.length; ) {
        let j = i
        while (j + 1 < hours.length && hours[j + 1] === hours[j]! + HOUR) j++
        try {
          await this.opts.sink.downsample([device], hours[i]!, hours[j]! + HOUR - 1)
        } catch (err) {
          // InfluxDB 2.x/3.x v1 endpoints have no SELECT ... INTO: their roll-up is a task of theirs.
          if (!(err instanceof InfluxRefusedError)) throw err
          this.opts.log('warn', 'influx refused the roll-up of late telemetry', { deviceId: device, err: err.message })
        }
        this.outbox.rolledUp(device, hours.slice(i, j + 1))
        i = j + 1
      }
    }
    return true
  }

  /** Writes in requests of at most batchPoints points. */
  private async write(measurement: 'commissioning' | 'telemetry' | 'verdict' | 'check_result' | 'alert', points: IPoint[]): Promise<void> {
    const size = this.opts.batchPoints
    for (let i = 0; i < points.length; i += size) {
      const chunk = points.length <= size ? points : points.slice(i, i + size)
      await this.opts.sink.write(measurement, chunk)
      this.counters.points += chunk.length
    }
  }
}
