/**
 * Evidence kept, not overwritten (issue 10): a value sent with a unit keeps the value and
 * unit as sent beside the canonical value, shown by GET /api/v1/jobs/:id/readings, also for
 * a conflicting re-send; a plain number stores nothing extra. An absolute pressure on a gauge
 * channel is refused with what to send instead. Real broker over TCP, mqtt.js and
 * mosquitto_pub, real SQLite; time from a manual clock.
 *
 * Canonical values are worked by hand: 1 psi = 6.894757 kPa (NIST SP 811 B.8), 1 bar =
 * 100 kPa, 1 MPa = 1000 kPa, °C = (°F − 32) × 5/9, 1 torr = 1000 microns.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../gateway/clock.js'
import { startHarness, waitFor, type Harness } from '../helpers/gateway-harness.js'

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0)
const clock = new ManualClock(T0)
let h: Harness
let jobCounter = 0

interface Sent {
  deviceId: string
  ts: number
  value: number
  unit: string
}
interface ReadingsBody {
  points: [number, number][]
  sent: Sent[]
  conflicts: { deviceId: string; ts: number; value: number; sent?: { value: number; unit: string }; others: { value: number; receivedAt: number; sent?: { value: number; unit: string } }[] }[]
}

async function jobFor(deviceId: string): Promise<string> {
  const id = `sent-job-${++jobCounter}`
  const unit = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 7.5, type: 'split' }
  expect((await h.api('POST', '/api/v1/jobs', { id, rulePack: 'split-ac', unit })).status).toBe(201)
  expect((await h.api('POST', `/api/v1/jobs/${id}/devices`, { deviceId, at: T0 - 86_400_000 })).status).toBe(201)
  return id
}

async function readings(jobId: string, channel: string): Promise<ReadingsBody> {
  const res = await h.api<ReadingsBody>('GET', `/api/v1/jobs/${jobId}/readings?channel=${channel}&to=${T0 + 86_400_000}`)
  expect(res.status).toBe(200)
  return res.body
}

/** Rows as SQLite holds them (read-only second connection beside the gateway's, WAL). */
function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(h.dataDir, 'gateway.db'), { readonly: true })
  try {
    return db.prepare(sql).all(...params) as T[]
  } finally {
    db.close()
  }
}

beforeAll(async () => {
  h = await startHarness({ clock })
})
afterAll(async () => {
  await h.close()
})

describe('the value and unit as sent are kept beside the canonical value', () => {
  // [channel, value, unit as sent (verbatim, odd spellings too), canonical by hand]
  const cases = [
    ['pressure_low_kpag', 118, 'psi', 813.581326],
    ['pressure_high_kpag', 26.5, 'bar', 2650],
    ['pressure_high_kpag', 4.15, 'MPa', 4150],
    ['pressure_low_kpag', 1.2, 'MPag', 1200],
    ['pressure_low_kpag', 0.95, '㎫', 950], // U+33AB, folded to MPa for the conversion, kept as sent
    ['temp_suction_c', 50, 'degF', 10],
    ['temp_liquid_c', 104, '℉', 40],
    ['temp_outdoor_c', 35, '℃', 35], // the canonical unit, but spelled by the device: kept
    ['temp_pipe_c', 293.15, 'K', 20],
    ['vacuum_micron', 0.5, 'Torr', 500],
    ['vacuum_micron', 350, 'microns', 350],
    ['current_a', 5100, 'mA', 5.1],
    ['leakage_ma', 0.0035, 'A', 3.5],
    ['insulation_mohm', 2, 'GΩ', 2000],
    ['voltage_v', 0.23, 'kV', 230],
  ] as const

  it('mqtt.js: each comes back verbatim in `sent`, its point canonical; plain numbers are not listed and store no as-sent row', async () => {
    const secret = await h.register('sent-manifold')
    const job = await jobFor('sent-manifold')
    const c = await h.connect('sent-manifold', secret)
    for (let i = 0; i < cases.length; i++) {
      const [channel, value, unit] = cases[i]!
      await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 - 60_000 + i, values: { [channel]: { value, unit } } }), { qos: 1 })
    }
    // A plain number beside a unit value in one sample: only the latter has an as-sent form.
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 - 1000, values: { pressure_low_kpag: 812.5, current_a: { value: 4.8, unit: 'A' } } }), { qos: 1 })

    for (let i = 0; i < cases.length; i++) {
      const [channel, value, unit, canonical] = cases[i]!
      const body = await readings(job, channel)
      const ts = T0 - 60_000 + i
      const point = body.points.find(([t]) => t === ts)
      expect(point, `${channel} ${value} ${unit}`).toBeDefined()
      expect(point![1]).toBeCloseTo(canonical, 4)
      expect(body.sent).toContainEqual({ deviceId: 'sent-manifold', ts, value, unit })
    }
    const low = await readings(job, 'pressure_low_kpag')
    expect(low.points).toContainEqual([T0 - 1000, 812.5])
    expect(low.sent.map((s) => s.ts)).not.toContain(T0 - 1000)
    expect(low.sent).toHaveLength(3) // psi, MPag, ㎫
    expect((await readings(job, 'current_a')).sent).toContainEqual({ deviceId: 'sent-manifold', ts: T0 - 1000, value: 4.8, unit: 'A' })
    // One readings_sent row per value sent with a unit (16), none for the plain 812.5.
    const sentRows = query<{ channel: string; ts: number; value: number; unit: string }>('SELECT channel, ts, value, unit FROM readings_sent WHERE device_id = ?', 'sent-manifold')
    expect(sentRows).toHaveLength(cases.length + 1)
    expect(sentRows.find((r) => r.ts === T0 - 1000 && r.channel === 'pressure_low_kpag')).toBeUndefined()
    expect(query('SELECT value FROM readings WHERE device_id = ? AND channel = ? AND ts = ?', 'sent-manifold', 'pressure_low_kpag', T0 - 1000)).toEqual([{ value: 812.5 }])
  })

  it('mosquitto_pub: psig and PSI spelled as the device did', async () => {
    const secret = await h.register('sent-mq')
    const job = await jobFor('sent-mq')
    const payload = JSON.stringify([
      { ts: T0 - 30_000, values: { pressure_low_kpag: { value: 118, unit: 'psig' } } },
      { ts: T0 - 20_000, values: { pressure_low_kpag: { value: 120.5, unit: 'PSI' } } },
    ])
    await promisify(execFile)('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(h.gateway.mqttPort), '-u', 'sent-mq', '-P', secret, '-q', '1', '-t', 'v1/devices/me/telemetry', '-m', payload])
    const body = await readings(job, 'pressure_low_kpag')
    expect(body.points.map(([t]) => t)).toEqual([T0 - 30_000, T0 - 20_000])
    expect(body.points[1]![1]).toBeCloseTo(830.818219, 4)
    expect(body.sent).toEqual([
      { deviceId: 'sent-mq', ts: T0 - 30_000, value: 118, unit: 'psig' },
      { deviceId: 'sent-mq', ts: T0 - 20_000, value: 120.5, unit: 'PSI' },
    ])
  })

  it('a conflicting re-send keeps its own as-sent form, and the first keeps its own', async () => {
    const secret = await h.register('sent-conflict')
    const job = await jobFor('sent-conflict')
    const c = await h.connect('sent-conflict', secret)
    const at = T0 - 5000
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: at, values: { pressure_high_kpag: { value: 580, unit: 'psi' } } }), { qos: 1 })
    clock.advance(1000) // arrival order = listing order (others are listed by receive time)
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: at, values: { pressure_high_kpag: { value: 40, unit: 'bar' } } }), { qos: 1 })
    clock.advance(1000)
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: at, values: { pressure_high_kpag: 3990 } }), { qos: 1 })
    // The same canonical value in another unit is the same reading: a duplicate, not a conflict.
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: at, values: { pressure_high_kpag: { value: 4, unit: 'MPa' } } }), { qos: 1 })
    const body = await readings(job, 'pressure_high_kpag')
    expect(body.points).toHaveLength(1)
    expect(body.points[0]![1]).toBeCloseTo(3998.95906, 4)
    expect(body.sent).toEqual([{ deviceId: 'sent-conflict', ts: at, value: 580, unit: 'psi' }])
    expect(body.conflicts).toHaveLength(1)
    const conflict = body.conflicts[0]!
    expect(conflict.sent).toEqual({ value: 580, unit: 'psi' })
    expect(conflict.others.map((o) => [o.value, o.sent])).toEqual([
      [4000, { value: 40, unit: 'bar' }],
      [3990, undefined],
    ])
    expect(query<{ value: number; sent_value: number | null; sent_unit: string | null }>('SELECT value, sent_value, sent_unit FROM readings_conflicts WHERE device_id = ? ORDER BY value', 'sent-conflict').map((r) => [r.value, r.sent_value, r.sent_unit])).toEqual([
      [3990, null, null],
      [4000, 40, 'bar'],
    ])
  })
})

it('8.2 bar and a plain 820 kPa for one point are the same reading (the conversion is decimal-exact): a duplicate, not a conflict', async () => {
  const secret = await h.register('sent-decimal')
  const job = await jobFor('sent-decimal')
  const c = await h.connect('sent-decimal', secret)
  await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 - 7000, values: { pressure_low_kpag: { value: 8.2, unit: 'bar' } } }), { qos: 1 })
  await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 - 7000, values: { pressure_low_kpag: 820 } }), { qos: 1 })
  const body = await readings(job, 'pressure_low_kpag')
  expect(body.points).toEqual([[T0 - 7000, 820]])
  expect(body.conflicts).toEqual([])
  expect(body.sent).toEqual([{ deviceId: 'sent-decimal', ts: T0 - 7000, value: 8.2, unit: 'bar' }])
})

describe('an absolute pressure on a gauge channel', () => {
  it.each(['psia', 'kPa(a)', 'bara', 'MPaa'])('%s is refused, the device told to send gauge; the rest of the message is stored', async (unit) => {
    const id = `sent-abs-${unit.replaceAll(/[^a-z]/gi, '')}`
    const secret = await h.register(id)
    const job = await jobFor(id)
    const c = await h.connect(id, secret)
    const answers: string[] = []
    c.on('message', (_topic, msg) => answers.push(msg.toString()))
    await c.subscribeAsync('v1/devices/me/errors', { qos: 1 })
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 - 100, values: { pressure_low_kpag: { value: 1, unit }, temp_pipe_c: 21.5 } }), { qos: 1 })
    expect((await readings(job, 'pressure_low_kpag')).points).toEqual([])
    expect((await readings(job, 'temp_pipe_c')).points).toEqual([[T0 - 100, 21.5]])
    await waitFor(() => answers.length > 0, 'the answer on the error topic')
    const answer = JSON.parse(answers[0]!) as { error: { code: string; details: string[] } }
    expect(answer.error.code).toBe('GW_ERR_UNIT')
    expect(answer.error.details[0]).toContain(
      `unit "${unit}" is not accepted for pressure_low_kpag; "${unit}" is an absolute pressure and this channel is gauge: the gateway cannot know the site's atmospheric pressure at ingest, so send the gauge pressure the manifold shows`,
    )
  })
})

it('what was sent survives a gateway restart on the same data dir', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-sent-restart-'))
  try {
    const first = await startHarness({ clock, dataDir })
    const secret = await first.register('sent-restart')
    const unit = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 7.5, type: 'split' }
    expect((await first.api('POST', '/api/v1/jobs', { id: 'sent-restart-job', rulePack: 'split-ac', unit })).status).toBe(201)
    expect((await first.api('POST', '/api/v1/jobs/sent-restart-job/devices', { deviceId: 'sent-restart', at: T0 - 86_400_000 })).status).toBe(201)
    const c = await first.connect('sent-restart', secret)
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts: T0 - 3000, values: { pressure_high_kpag: { value: 551, unit: 'psig' } } }), { qos: 1 })
    await first.close()

    const second = await startHarness({ clock, dataDir })
    try {
      const res = await second.api<ReadingsBody>('GET', `/api/v1/jobs/sent-restart-job/readings?channel=pressure_high_kpag&to=${T0}`)
      expect(res.status).toBe(200)
      expect(res.body.points).toHaveLength(1)
      expect(res.body.points[0]![1]).toBeCloseTo(3799.011107, 4) // 551 × 6.894757
      expect(res.body.sent).toEqual([{ deviceId: 'sent-restart', ts: T0 - 3000, value: 551, unit: 'psig' }])
    } finally {
      await second.close()
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
})
