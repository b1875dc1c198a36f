/**
 * The ingest path of one MQTT publish: topic → device(s), parse, validate, convert, then a
 * durable append of the readings and of any quarantine record; only then does the promise
 * resolve (and the broker send PUBACK). Bad input never throws out of here: it is
 * quarantined verbatim and answered on the device's error topic. What was stored is told on the
 * bus ('readings.stored', before the PUBACK): the job monitor and any other listener hear it there.
 */
import type { DeviceIdentity } from '../../contract/device-identity.js'
import { BridgedDeviceSchema, ingestParserOf } from '../../contract/mqtt-api.js'
import { AttributesSchema, type Attributes, type DeviceConflictNotice, type DeviceErrorMessage } from '../../contract/telemetry.js'
import type { EventBus } from '../bus/event-bus.js'
import type { Clock } from '../clock.js'
import type { DeviceRegistry } from '../devices/device-registry.js'
import type { AttributeUpdate, IngestLog, IngestOutcome, SampleToStore } from '../store/ingest-log.js'
import { ConflictNotices } from './conflict-notices.js'
import { ImplicitClock, MessageTimes } from './implicit-clock.js'
import { DEFAULT_MESSAGE_LIMITS, parseTelemetry, tooManySamples, type MessageLimits, type ParseContext } from './parse-telemetry.js'
import { parseJson } from './parse-json.js'
import { describeIssues, pathKey, PROBLEM_CODES, ProblemCollector, quote } from './problems.js'
import { readingsStoredEvent } from './readings-stored.js'
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
  /** Told of committed readings ('readings.stored'). */
  bus?: EventBus | undefined
  /** Samples per message and values per sample; over them the message is quarantined. */
  limits?: MessageLimits | undefined
  /** Told of each quarantine record written (retention keeps the table's size bounded). */
  onQuarantined?: ((bytes: number) => void) | undefined
}

/** Attribute names per message and kept per device (model, serial, firmware, calibrationDue and the device's own). */
export const ATTRIBUTE_LIMITS = { perMessage: 64, perDevice: 256 } as const

// Device clocks that lost power restart at 1970 or 2000; nothing this product measures predates 2020.
const MIN_DEVICE_TS = Date.UTC(2020, 0, 1)

export class Ingest {
  readonly counters: IngestCounters = { messages: 0, readingsStored: 0, duplicates: 0, conflicts: 0, quarantined: 0 }
  private readonly redelivery = new RedeliveryMemory()
  private readonly implicitClock: ImplicitClock
  private readonly conflictNotices = new ConflictNotices()
  /** Bridge connect / disconnect found by the (synchronous) route() of the message being parsed. */
  private links: { deviceId: string; bridgeId: string; connected: boolean }[] = []

  constructor(private readonly deps: IngestDeps) {
    this.implicitClock = new ImplicitClock((deviceId) => deps.log.lastImplicitTs(deviceId))
  }

  async handle(identity: DeviceIdentity, packet: IncomingPublish): Promise<void> {
    this.counters.messages++
    const receivedAt = this.deps.clock.now()
    const samples: SampleToStore[] = []
    const attributes: AttributeUpdate[] = []
    const problems = new ProblemCollector()
    const links: { deviceId: string; bridgeId: string; connected: boolean }[] = []
    const json = parseJson(packet.payload, problems)
    if (json !== undefined) {
      const ctx: ParseContext = { implicitTs: receivedAt, minTs: MIN_DEVICE_TS, maxTs: receivedAt + this.deps.futureToleranceMs }
      const replay = this.redelivery.replayFor(identity.id, packet.messageId, packet.dup)
      const times = new MessageTimes(this.implicitClock, receivedAt, replay)
      this.links = links
      this.route(identity, packet.topic, json, ctx, times, samples, attributes, problems)
      this.links = []
      if (!replay) this.redelivery.remember(identity.id, packet.messageId, times.firsts)
    }
    // The raw payload is kept once, as the evidence; the reason is bounded (ProblemCollector).
    const reason = problems.total === 0 ? undefined : problems.reason()
    // Attributes are kept in the same commit as the message's readings and quarantine record.
    const outcome = await this.deps.log.append({
      receivedAt,
      samples,
      attributes,
      quarantine:
        reason === undefined
          ? undefined
          : { deviceId: identity.id, topic: packet.topic, code: problems.firstCode!, reason, raw: packet.payload },
    })
    this.count(outcome)
    for (const l of links) this.deps.bus?.emit('device.bridge_link', { ...l, at: receivedAt })
    // Committed with the readings: a meter's declared calibration or accuracy is a fact of its jobs' verdicts.
    for (const a of attributes) this.deps.bus?.emit('attributes.changed', { deviceId: a.deviceId, changed: a.attributes })
    if (this.deps.bus?.has('readings.stored')) {
      const event = readingsStoredEvent(samples, receivedAt, outcome)
      if (event) this.deps.bus.emit('readings.stored', event)
    }
    if (outcome.conflicts.length > 0) {
      const notice = this.conflictNotices.note(identity.id, packet.topic, outcome.conflicts, receivedAt)
      if (notice) this.deps.sendError(identity.id, notice)
    }
    if (outcome.quarantineId !== undefined) this.answer(identity.id, packet.topic, problems, outcome, receivedAt)
    if (outcome.quarantineId !== undefined) this.deps.onQuarantined?.(packet.payload.length + (reason?.length ?? 0))
  }

  private route(identity: DeviceIdentity, topic: string, json: unknown, ctx: ParseContext, times: MessageTimes, samples: SampleToStore[], attributes: AttributeUpdate[], problems: ProblemCollector): void {
    switch (ingestParserOf(topic)) {
      case 'telemetry':
        return this.collect(identity.id, json, ctx, times, 'payload', samples, problems)
      case 'attributes':
        return this.attributes(identity.id, json, 'payload', attributes, problems)
      case 'bridged-telemetry':
        // The sample limit is per message: a bridge's devices share it.
        if (tooManySamples(countBridgedSamples(json), this.limits, 'payload', problems)) return
        return this.forEachBridged(identity, json, problems, (id, value, where) => this.collect(id, value, ctx, times, where, samples, problems))
      case 'bridged-attributes':
        return this.forEachBridged(identity, json, problems, (id, value, where) => this.attributes(id, value, where, attributes, problems))
      case 'bridged-connect':
      case 'bridged-disconnect':
        return this.bridgeLink(identity, json, ingestParserOf(topic) === 'bridged-connect', problems)
      default:
        // The broker's ACL lets only the topics above through; anything else is a bug worth seeing.
        problems.add({ code: PROBLEM_CODES.shape, message: `topic ${quote(topic)} carries no readings` })
    }
  }

  /** v1/gateway/connect / disconnect {"device": id}: told on the bus once the message is kept. */
  private bridgeLink(identity: DeviceIdentity, json: unknown, connected: boolean, problems: ProblemCollector): void {
    const parsed = BridgedDeviceSchema.safeParse(json)
    if (!parsed.success) {
      problems.add({ code: PROBLEM_CODES.shape, message: 'payload: expected {"device": "<device id>"}' })
      return
    }
    const deviceId = parsed.data.device
    if (!identity.bridgeFor.includes(deviceId)) {
      problems.add({ code: PROBLEM_CODES.notAuthorized, message: `payload.device: bridge ${identity.id} may not speak for device ${quote(deviceId)}` })
      return
    }
    this.links.push({ deviceId, bridgeId: identity.id, connected })
  }

  private get limits(): MessageLimits {
    return this.deps.limits ?? DEFAULT_MESSAGE_LIMITS
  }

  private collect(deviceId: string, json: unknown, ctx: ParseContext, times: MessageTimes, where: string, samples: SampleToStore[], problems: ProblemCollector): void {
    // Problems go straight into the message's bounded collector (no spread of a 128k-long array).
    const parsed = parseTelemetry(json, ctx, { where, problems, limits: this.limits })
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
  }

  private attributes(deviceId: string, json: unknown, where: string, out: AttributeUpdate[], problems: ProblemCollector): void {
    // zod drops a "__proto__" key without a word (it would set the copy's prototype); the device is told instead.
    if (typeof json === 'object' && json !== null && Object.hasOwn(json, '__proto__')) {
      problems.add({ code: PROBLEM_CODES.shape, message: `${where}.__proto__: not accepted as an attribute name` })
      return
    }
    if (typeof json === 'object' && json !== null && !this.attributesFit(deviceId, json, where, problems)) return
    const parsed = AttributesSchema.safeParse(json)
    if (!parsed.success) {
      problems.add({ code: PROBLEM_CODES.shape, message: describeIssues(where, parsed.error.issues) })
      return
    }
    out.push({ deviceId, attributes: parsed.data as Attributes })
  }

  /**
   * Attributes are merged into what the device said before and kept with the device: without a
   * bound, messages with new names each would grow that record without end.
   */
  private attributesFit(deviceId: string, json: object, where: string, problems: ProblemCollector): boolean {
    let fresh = 0
    let n = 0
    const known = this.deps.devices.get(deviceId)?.attributes ?? {}
    for (const key in json) {
      if (!Object.hasOwn(json, key)) continue
      n++
      if (!Object.hasOwn(known, key)) fresh++
    }
    const kept = Object.keys(known).length
    if (n <= ATTRIBUTE_LIMITS.perMessage && kept + fresh <= ATTRIBUTE_LIMITS.perDevice) return true
    problems.add({
      code: PROBLEM_CODES.tooLarge,
      message:
        n > ATTRIBUTE_LIMITS.perMessage
          ? `${where}: ${n} attributes in one message; at most ${ATTRIBUTE_LIMITS.perMessage} are accepted`
          : `${where}: ${fresh} new attribute(s) would make ${kept + fresh}; a device keeps at most ${ATTRIBUTE_LIMITS.perDevice}`,
    })
    return false
  }

  /** v1/gateway/*: {"meter-7": ...}; a bridge speaks only for the devices it was granted. */
  private forEachBridged(identity: DeviceIdentity, json: unknown, problems: ProblemCollector, each: (deviceId: string, value: unknown, where: string) => void): void {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      problems.add({ code: PROBLEM_CODES.shape, message: 'payload: expected an object keyed by device id, e.g. {"meter-7": [{"ts": ..., "values": {...}}]}' })
      return
    }
    for (const [deviceId, value] of Object.entries(json)) {
      if (!identity.bridgeFor.includes(deviceId)) {
        problems.add({ code: PROBLEM_CODES.notAuthorized, message: `payload.${pathKey(deviceId)}: bridge ${identity.id} may not speak for device ${quote(deviceId)}` })
        continue
      }
      each(deviceId, value, `payload.${pathKey(deviceId)}`)
    }
  }

  private count(outcome: IngestOutcome): void {
    this.counters.readingsStored += outcome.stored
    this.counters.duplicates += outcome.duplicates
    this.counters.conflicts += outcome.conflicts.length
    if (outcome.quarantineId !== undefined) this.counters.quarantined++
  }

  /** The device's answer: bounded like the reason (first problems, then "and K more"), never the payload. */
  private answer(deviceId: string, topic: string, problems: ProblemCollector, outcome: IngestOutcome, receivedAt: number): void {
    this.deps.sendError(deviceId, {
      status: 'error',
      error: {
        code: problems.firstCode!,
        message: `${problems.total} problem(s) in the message on ${topic}; ${outcome.stored} reading(s) from it were stored`,
        details: problems.details(),
      },
      quarantineId: outcome.quarantineId!,
      topic,
      receivedAt,
    })
  }
}

/** v1/gateway/telemetry: {"meter-7": [samples] or one sample, ...}; what the sample limit counts. */
function countBridgedSamples(json: unknown): number {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 0
  let n = 0
  for (const key in json) {
    if (!Object.hasOwn(json, key)) continue
    const v = (json as Record<string, unknown>)[key]
    n += Array.isArray(v) ? v.length : 1
  }
  return n
}
