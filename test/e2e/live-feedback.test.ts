/**
 * Live feedback while a step runs: the retained MQTT status the installer's bridge may
 * subscribe to, the SSE stream, overrides beside the original result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../gateway/clock.js'
import { saturationTempC } from '../../rules/refrigerants/index.js'
import type { Verdict } from '../../gateway/jobs/verdict-service.js'
import { startHarness, waitFor, type Harness } from '../helpers/gateway-harness.js'

const T0 = Date.UTC(2026, 10, 27, 8, 0, 0)
const clock = new ManualClock(T0)
let h: Harness
const unit = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 7.5, type: 'split' }

beforeAll(async () => {
  h = await startHarness({ clock })
})
afterAll(async () => {
  await h.close()
})

// A healthy R32 split in cooling: 6 K superheat, 5 K subcooling, 13 K across the indoor coil.
const sat = (kpag: number, kind: 'dew' | 'bubble') => {
  const r = saturationTempC('R32', kpag, kind)
  if (!r.ok) throw new Error(r.message)
  return r.value
}
const healthy = {
  temp_return_air_c: 26,
  temp_supply_air_c: 13,
  pressure_low_kpag: 900,
  temp_suction_c: sat(900, 'dew') + 6,
  pressure_high_kpag: 2600,
  temp_liquid_c: sat(2600, 'bubble') - 5,
}

/** Publishes a unit's test-run readings every 5 s of device time from `from` to `to`, moving the clock along (live). */
async function run(client: { publishAsync: (t: string, p: string, o: { qos: 1 }) => Promise<unknown> }, from: number, to: number, amps = 5.2) {
  for (let ts = from; ts <= to; ts += 5000) {
    clock.set(ts)
    await client.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts, values: { current_a: amps, ...healthy } }), { qos: 1 })
  }
}

const testRun = (v: Verdict) => v.steps.find((s) => s.id === 'test_run')!
const duration = (v: Verdict) => testRun(v).checks.find((c) => c.id === 'duration')!

describe('live feedback during the test run', () => {
  it('the bridge of an attached meter watches the retained status; other devices may not', async () => {
    const clampSecret = await h.register('lf-clamp')
    const phoneSecret = await h.register('lf-phone', 'bridge', ['lf-clamp'])
    const strangerSecret = await h.register('lf-stranger')
    expect((await h.api('POST', '/api/v1/jobs', { id: 'lf-1', rulePack: 'split-ac', unit })).status).toBe(201)
    await h.api('POST', '/api/v1/jobs/lf-1/devices', { deviceId: 'lf-clamp', at: T0 })
    await h.api('POST', '/api/v1/jobs/lf-1/steps/test_run/start', { at: T0 })

    const clamp = await h.connect('lf-clamp', clampSecret)
    await run(clamp, T0, T0 + 12.5 * 60_000)
    await h.gateway.monitor!.settled()

    const phone = await h.connect('lf-phone', phoneSecret)
    const statuses: Verdict[] = []
    phone.on('message', (topic, payload) => {
      if (topic === 'v1/jobs/lf-1/status') statuses.push(JSON.parse(payload.toString()) as Verdict)
    })
    const granted = await phone.subscribeAsync('v1/jobs/lf-1/status', { qos: 1 })
    expect(granted[0]!.qos).toBe(1)
    // Retained: the phone sees where the run stands the moment it subscribes.
    await waitFor(() => statuses.length > 0, 'the retained status')
    expect(statuses[0]!.status).toBe('in_progress')
    expect(duration(statuses[0]!)).toMatchObject({ status: 'pending', message: expect.stringContaining('12:30 of 30:00') })

    const stranger = await h.connect('lf-stranger', strangerSecret)
    // mqtt.js rejects a SUBACK 0x80; the packet it carries shows the refusal code.
    const refused = await stranger.subscribeAsync('v1/jobs/lf-1/status', { qos: 1 }).catch((err: { packet?: { granted?: number[] } }) => err.packet?.granted)
    expect(refused).toEqual([128])

    // The run goes on to 31 minutes and stops: the status turns green without anyone asking.
    await run(clamp, T0 + 12.5 * 60_000 + 5000, T0 + 31 * 60_000)
    await h.api('POST', '/api/v1/jobs/lf-1/steps/test_run/stop', { at: T0 + 31 * 60_000 })
    await waitFor(() => statuses.length > 0 && testRun(statuses.at(-1)!).status === 'pass', 'a passing test run')
    expect(duration(statuses.at(-1)!).status).toBe('pass')
  })

  it('the SSE stream sends the verdict now and again when it changes', async () => {
    const secret = await h.register('sse-clamp')
    await h.api('POST', '/api/v1/jobs', { id: 'sse-1', rulePack: 'split-ac', unit })
    await h.api('POST', '/api/v1/jobs/sse-1/devices', { deviceId: 'sse-clamp', at: T0 })
    await h.api('POST', '/api/v1/jobs/sse-1/steps/test_run/start', { at: T0 })
    clock.set(T0)

    const abort = new AbortController()
    const res = await fetch(`${h.httpUrl}/api/v1/jobs/sse-1/events`, { headers: { authorization: `Bearer ${h.token}` }, signal: abort.signal })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const events: Verdict[] = []
    const reading = (async () => {
      const decoder = new TextDecoder()
      let buffer = ''
      for await (const chunk of res.body!) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true })
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const data = block.split('\n').find((l) => l.startsWith('data: '))
          if (block.startsWith('event: verdict') && data) events.push(JSON.parse(data.slice(6)) as Verdict)
        }
      }
    })().catch(() => undefined)

    await waitFor(() => events.length === 1, 'the first event')
    expect(duration(events[0]!).message).toMatch(/0:00 of 30:00/)
    const clamp = await h.connect('sse-clamp', secret)
    await run(clamp, T0, T0 + 60_000)
    await waitFor(() => events.some((e) => /1:00 of 30:00/.test(duration(e).message)), 'an event showing one minute')
    abort.abort()
    await reading
  })

  it('an override is kept beside the original result and decides the effective status', async () => {
    const secret = await h.register('ov-clamp')
    await h.api('POST', '/api/v1/jobs', { id: 'ov-1', rulePack: 'split-ac', unit })
    await h.api('POST', '/api/v1/jobs/ov-1/devices', { deviceId: 'ov-clamp', at: T0 })
    await h.api('POST', '/api/v1/jobs/ov-1/steps/test_run/start', { at: T0 })
    await run(await h.connect('ov-clamp', secret), T0, T0 + 25 * 60_000)
    await h.api('POST', '/api/v1/jobs/ov-1/steps/test_run/stop', { at: T0 + 25 * 60_000 })
    const before = await h.api<Verdict>('GET', '/api/v1/jobs/ov-1/verdict')
    expect(before.body.status).toBe('fail')
    expect(before.body.severity).toBe('critical')

    const bad = await h.api<{ error: { message: string } }>('POST', '/api/v1/jobs/ov-1/overrides', { step: 'test_run', check: 'nope', status: 'pass', reason: 'because', by: 'qa-li' })
    expect(bad.status).toBe(400)
    const ok = await h.api('POST', '/api/v1/jobs/ov-1/overrides', {
      step: 'test_run',
      check: 'duration',
      status: 'pass',
      reason: 'customer ended the run; second visit ran 40 min (ticket 88)',
      by: 'qa-li',
    })
    expect(ok.status).toBe(201)
    const after = await h.api<Verdict & { steps: { checks: { id: string; status: string; override?: { by: string; reason: string } }[] }[] }>('GET', '/api/v1/jobs/ov-1/verdict')
    const check = testRun(after.body).checks.find((c) => c.id === 'duration') as { status: string; override?: { by: string; status: string } }
    expect(check.status).toBe('fail') // the evaluated result is never replaced
    expect(check.override).toMatchObject({ by: 'qa-li', status: 'pass' })
    expect(testRun(after.body).status).toBe('pass')
    expect(after.body.status).toBe('incomplete') // no longer failed; the other steps were never run
    const history = await h.api<unknown[]>('GET', '/api/v1/jobs/ov-1/overrides')
    expect(history.body).toHaveLength(1)
  })
})
