/**
 * Server-side fixtures of the bench's job scenarios, through the gateway's own interfaces:
 * devices registered and jobs set up over the HTTP API, bulk readings through its MQTT
 * ingest (a real mqtt.js client over TCP, QoS 1, so every reading was acknowledged = stored).
 *
 * The big job is a 24 h VRF tightness hold (vrf-r410a pack, holdS 86,400): one manifold on
 * the pressurised system reporting the three channels the tightness step reads, loaded
 * before the device is attached (so the load itself triggers no evaluation), then attached
 * and the step started with device times before the first bulk reading.
 */
import mqtt from 'mqtt'
import type { Harness } from '../helpers/gateway-harness.js'
import { TELEMETRY_TOPIC } from './payloads.js'
import type { Credentials } from './server.js'

export interface JobSetupArg {
  jobId: string
  deviceId: string
  /** Bulk readings to load first (samples × 3 channels), or none. */
  bulk?: { samples: number; stepMs: number; samplesPerMessage: number }
}

export interface JobSetupResult {
  cred: Credentials
  /** Readings the bulk load stored (the ingest's own counter) and how long it took. */
  bulkStored: number
  bulkMs: number
  /** Device time just after the last bulk reading: live readings start later. */
  liveFrom: number
  /** GET /verdict right after the step started: the first evaluation over all the readings. */
  firstVerdictMs: number
  /** The tightness step's checks as the first verdict showed them (id: status, measured). */
  tightness: string
}

/** A unit the vrf-r410a pack applies to (R410A; the nameplate and invoice agree). */
const VRF_UNIT = { model: 'VRF-280', invoiceModel: 'VRF-280', capacityHp: 10, refrigerant: 'R410A', phases: 3, ratedCurrentA: 22, type: 'vrf' } as const

/**
 * Filled in the VRF manuals' stages (0.3 MPa(g), then 1.5 MPa(g), 4 minutes each at 2 Hz: the
 * pack's staged_pressurisation), then held at 4.0 MPa(g) with a ±1 kPa digit and a pipe
 * temperature drifting within ±0.5 K.
 */
const STAGE_SAMPLES = 480
function sample(ts: number, i: number): string {
  const level = i < STAGE_SAMPLES ? 300 : i < 2 * STAGE_SAMPLES ? 1500 : 4000
  const p = (level + ((i * 7919) % 3) - 1).toFixed(1)
  const t = (20 + 0.5 * Math.sin(i / 5000)).toFixed(2)
  return `{"ts":${ts},"values":{"pressure_high_kpag":${p},"pressure_low_kpag":${p},"temp_pipe_c":${t}}}`
}

export const BULK_CHANNELS = 3

async function api<T>(h: Harness, method: string, path: string, body?: unknown): Promise<T> {
  const res = await h.api<T>(method, path, body)
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

/** Loads `samples` samples as arrays of `perMessage`, 4 messages in flight, through the meter's own MQTT connection. */
async function bulkLoad(h: Harness, deviceId: string, secret: string, bulk: NonNullable<JobSetupArg['bulk']>, startTs: number): Promise<void> {
  const client = await mqtt.connectAsync(h.mqttUrl, { clientId: `${deviceId}-bulk`, username: deviceId, password: secret, reconnectPeriod: 0, protocolVersion: 4 })
  try {
    let next = 0
    const publishOne = async (): Promise<void> => {
      while (next < bulk.samples) {
        const from = next
        const to = Math.min(bulk.samples, from + bulk.samplesPerMessage)
        next = to
        const parts: string[] = []
        for (let i = from; i < to; i++) parts.push(sample(startTs + i * bulk.stepMs, i))
        await client.publishAsync(TELEMETRY_TOPIC, `[${parts.join(',')}]`, { qos: 1 })
      }
    }
    await Promise.all([publishOne(), publishOne(), publishOne(), publishOne()])
  } finally {
    await client.endAsync()
  }
}

export async function setUpJob(h: Harness, arg: JobSetupArg): Promise<JobSetupResult> {
  const secret = await h.register(arg.deviceId)
  const now = Date.now()
  const bulk = arg.bulk
  // The hold started (samples × step) ago, and a minute more: the live readings continue it.
  const startTs = now - (bulk ? bulk.samples * bulk.stepMs : 0) - 60_000
  const ingest = h.gateway.ingest
  if (!ingest) throw new Error('the gateway has no ingest')
  const stored0 = ingest.counters.readingsStored
  const quarantined0 = ingest.counters.quarantined
  const t0 = performance.now()
  if (bulk) await bulkLoad(h, arg.deviceId, secret, bulk, startTs)
  const bulkMs = performance.now() - t0
  const bulkStored = ingest.counters.readingsStored - stored0
  const expected = bulk ? bulk.samples * BULK_CHANNELS : 0
  if (bulkStored !== expected) {
    throw new Error(
      `bulk load of ${arg.deviceId}: ${bulkStored} readings stored of ${expected} sent (${ingest.counters.quarantined - quarantined0} messages quarantined: ` +
        `see the gateway's limits on samples per message; samplesPerMessage was ${bulk?.samplesPerMessage})`,
    )
  }
  await api(h, 'POST', '/api/v1/jobs', { id: arg.jobId, rulePack: 'vrf-r410a', unit: VRF_UNIT })
  await api(h, 'POST', `/api/v1/jobs/${arg.jobId}/devices`, { deviceId: arg.deviceId, at: startTs - 1000 })
  await api(h, 'POST', `/api/v1/jobs/${arg.jobId}/steps/tightness/start`, { at: startTs - 500, facts: { gas: 'nitrogen' } })
  const t1 = performance.now()
  const verdict = await api<{ steps: { id: string; checks: { id: string; status: string; measured?: number }[] }[] }>(h, 'GET', `/api/v1/jobs/${arg.jobId}/verdict`)
  const firstVerdictMs = performance.now() - t1
  const step = verdict.steps.find((s) => s.id === 'tightness')
  const tightness = step ? step.checks.map((c) => `${c.id}: ${c.status}${c.measured === undefined ? '' : ` ${c.measured}`}`).join(', ') : 'no tightness step in the verdict'
  return {
    cred: { clientId: `${arg.deviceId}-live`, username: arg.deviceId, password: secret },
    bulkStored,
    bulkMs,
    liveFrom: bulk ? startTs + bulk.samples * bulk.stepMs : startTs,
    firstVerdictMs,
    tightness,
  }
}

/** When the tightness step's current hold started (the hold_duration check's evidence), from GET /verdict. */
export async function holdStart(h: Harness, jobId: string): Promise<number> {
  const v = await api<{ steps: { id: string; checks: { id: string; evidence?: { from: number; to: number }[] }[] }[] }>(h, 'GET', `/api/v1/jobs/${jobId}/verdict`)
  const check = v.steps.find((s) => s.id === 'tightness')?.checks.find((c) => c.id === 'hold_duration')
  const from = check?.evidence?.[0]?.from
  if (from === undefined) throw new Error(`job ${jobId}: no hold in the tightness step (hold_duration: ${JSON.stringify(check)})`)
  return from
}
