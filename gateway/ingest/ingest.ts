/**
 * The ingest path of one MQTT publish: topic → device(s), parse, validate, convert, then a
 * durable append of the readings and of any quarantine record; only then does the promise
 * resolve (and the broker send PUBACK). Bad input never throws out of here: it is
 * quarantined verbatim and answered on the device's error topic.
 */
import type { DeviceIdentity } from '../../broker/device-identity.js'
import { TOPICS } from '../contract/topics.js'
import { AttributesSchema, type Attributes, type DeviceConflictNotice, type DeviceErrorMessage } from '../contract/telemetry.js'
import type { Clock } from '../clock.js'
import type { Reading } from '../contract/reading.js'
import type { DeviceRegistry } from '../devices/device-registry.js'
import type { IngestLog, IngestOutcome, SampleToStore } from '../store/ingest-log.js'
import { ConflictNotices } from './conflict-notices.js'
import { ImplicitClock, MessageTimes } from './implicit-clock.js'
import { parseTelemetry, type ParseContext } from './parse-telemetry.js'
import { describeIssues, PROBLEM_CODES, type Problem } from './problems.js'
import { RedeliveryMemory } from './redelivery-memory.js'

export interface IncomingPublish {
  topic: string
  payload: Buffer
  qos: 0 | 1 | 2
  messageId?: number | undefined
  dup: boolean
}

export interface IngestCounters {
  messages: number
  readingsStored: number
  duplicates: number
  /** Re-sends of a stored point with another value: kept and flagged, not duplicates. */
  conflicts: number
  quarantined: number
}

export interface IngestDeps {
  log: IngestLog
  devices: DeviceRegistry
  clock: Clock
  futureToleranceMs: number
  /** Publishes the gateway's answer on the device's own error topic. */
  sendError: (deviceId: string, message: DeviceErrorMessage | DeviceConflictNotice) => void
  /** Told of committed readings of the devices it wants (live evaluation of active jobs). */
  watcher?: ReadingWatcher | undefined
}

export interface ReadingWatcher {
  wants(deviceId: string): boolean
  stored(readings: Reading[]): void
}

// Device clocks that lost power restart at 1970 or 2000; nothing this product measures predates 2020.
const MIN_DEVICE_TS = Date.UTC(2020, 0, 1)

export class Ingest {
  readonly counters: IngestCounters = { messages: 0, readingsStored: 0, duplicates: 0, conflicts: 0, quarantined: 0 }
  private readonly redelivery = new RedeliveryMemory()
  private readonly implicitClock: ImplicitClock
  private readonly conflictNotices = new ConflictNotices()

  constructor(private readonly deps: IngestDeps) {
    this.implicitClock = new ImplicitClock((deviceId) => deps.log.lastImplicitTs(deviceId))
  }

  async handle(identity: DeviceIdentity, packet: IncomingPublish): Promise<void> {
    this.counters.messages++
    const receivedAt = this.deps.clock.now()
    const samples: SampleToStore[] = []
    const problems: Problem[] = []
    const json = parseJson(packet.payload, problems)
    if (json !== undefined) {
      const ctx: ParseContext = { implicitTs: receivedAt, minTs: MIN_DEVICE_TS, maxTs: receivedAt + this.deps.futureToleranceMs }
      const replay = this.redelivery.replayFor(identity.id, packet.messageId, packet.dup)
      const times = new MessageTimes(this.implicitClock, receivedAt, replay)
      this.route(identity, packet.topic, json, ctx, times, samples, problems)
      if (!replay) this.redelivery.remember(identity.id, packet.messageId, times.firsts)
    }
    const outcome = await this.deps.log.append({
      receivedAt,
      samples,
      quarantine:
        problems.length === 0
          ? undefined
          : {
              deviceId: identity.id,
              topic: packet.topic,
              code: problems[0]!.code,
              reason: problems.map((p) => p.message).join('; '),
              raw: packet.payload,
            },
    })
    this.count(outcome)
    this.notifyWatcher(samples, receivedAt, outcome)
    if (outcome.conflicts.length > 0) {
      const notice = this.conflictNotices.note(identity.id, packet.topic, outcome.conflicts, receivedAt)
      if (notice) this.deps.sendError(identity.id, notice)
    }
    if (outcome.quarantineId !== undefined) this.answer(identity.id, packet.topic, problems, outcome, receivedAt)
  }

  private route(identity: DeviceIdentity, topic: string, json: unknown, ctx: ParseContext, times: MessageTimes, samples: SampleToStore[], problems: Problem[]): void {
    switch (topic) {
      case TOPICS.telemetry:
        return this.collect(identity.id, json, ctx, times, 'payload', samples, problems)
      case TOPICS.attributes:
        return this.attributes(identity.id, json, 'payload', problems)
      case TOPICS.gatewayTelemetry:
        return this.forEachBridged(identity, json, problems, (id, value, where) => this.collect(id, value, ctx, times, where, samples, problems))
      case TOPICS.gatewayAttributes:
        return this.forEachBridged(identity, json, problems, (id, value, where) => this.attributes(id, value, where, problems))
      default:
        // The broker's ACL lets only the topics above through; anything else is a bug worth seeing.
        problems.push({ code: PROBLEM_CODES.shape, message: `topic ${topic} carries no readings` })
    }
  }

  private collect(deviceId: string, json: unknown, ctx: ParseContext, times: MessageTimes, where: string, samples: SampleToStore[], problems: Problem[]): void {
    const parsed = parseTelemetry(json, ctx, where)
    let implicit = 0
    for (const s of parsed.samples) if (s.implicit) implicit++
    // Each timestamp-less sample its own device time, in message order (implicit-clock.ts).
    let ts = implicit > 0 ? times.take(deviceId, implicit) : 0
    for (const s of parsed.samples) {
      if (s.implicit) {
        for (const r of s.readings) r.ts = ts
        ts++
      }
      samples.push({ deviceId, seq: s.seq, readings: s.readings, implicit: s.implicit })
    }
    for (const p of parsed.problems) problems.push(p) // no spread: a message can carry very many problems
  }

  private attributes(deviceId: string, json: unknown, where: string, problems: Problem[]): void {
    const parsed = AttributesSchema.safeParse(json)
    if (!parsed.success) {
      problems.push({ code: PROBLEM_CODES.shape, message: describeIssues(where, parsed.error.issues) })
      return
    }
    this.deps.devices.mergeAttributes(deviceId, parsed.data as Attributes)
  }

  /** v1/gateway/*: {"meter-7": ...}; a bridge speaks only for the devices it was granted. */
  private forEachBridged(identity: DeviceIdentity, json: unknown, problems: Problem[], each: (deviceId: string, value: unknown, where: string) => void): void {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      problems.push({ code: PROBLEM_CODES.shape, message: 'payload: expected an object keyed by device id, e.g. {"meter-7": [{"ts": ..., "values": {...}}]}' })
      return
    }
    for (const [deviceId, value] of Object.entries(json)) {
      if (!identity.bridgeFor.includes(deviceId)) {
        problems.push({ code: PROBLEM_CODES.notAuthorized, message: `payload.${deviceId}: bridge ${identity.id} may not speak for device "${deviceId}"` })
        continue
      }
      each(deviceId, value, `payload.${deviceId}`)
    }
  }

  private notifyWatcher(samples: readonly SampleToStore[], receivedAt: number, outcome: IngestOutcome): void {
    const watcher = this.deps.watcher
    if (!watcher) return
    // A conflicting re-send does not replace the point: the watcher gets the point as stored, flagged.
    const conflicts = outcome.conflicts.length === 0 ? undefined : new Map(outcome.conflicts.map((c) => [`${c.deviceId}\0${c.channel}\0${c.ts}`, c]))
    const readings: Reading[] = []
    for (const s of samples) {
      if (s.duplicateSeq || !watcher.wants(s.deviceId)) continue
      for (const r of s.readings) {
        const c = conflicts?.get(`${s.deviceId}\0${r.channel}\0${r.ts}`)
        if (c) readings.push({ deviceId: s.deviceId, channel: r.channel, ts: r.ts, value: c.first.value, receivedAt: c.first.receivedAt, conflict: c.conflict })
        else readings.push({ deviceId: s.deviceId, channel: r.channel, ts: r.ts, value: r.value, receivedAt })
      }
    }
    if (readings.length > 0) watcher.stored(readings)
  }

  private count(outcome: IngestOutcome): void {
    this.counters.readingsStored += outcome.stored
    this.counters.duplicates += outcome.duplicates
    this.counters.conflicts += outcome.conflicts.length
    if (outcome.quarantineId !== undefined) this.counters.quarantined++
  }

  private answer(deviceId: string, topic: string, problems: Problem[], outcome: IngestOutcome, receivedAt: number): void {
    this.deps.sendError(deviceId, {
      status: 'error',
      error: {
        code: problems[0]!.code,
        message: `${problems.length} problem(s) in the message on ${topic}; ${outcome.stored} reading(s) from it were stored`,
        details: problems.map((p) => p.message),
      },
      quarantineId: outcome.quarantineId!,
      topic,
      receivedAt,
    })
  }
}

function parseJson(payload: Buffer, problems: Problem[]): unknown {
  try {
    return JSON.parse(payload.toString('utf8'))
  } catch (err) {
    problems.push({ code: PROBLEM_CODES.notJson, message: `payload is not JSON: ${(err as Error).message}` })
    return undefined
  }
}
