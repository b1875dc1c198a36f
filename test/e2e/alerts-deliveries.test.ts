/**
 * A leakage alert's deliveries and escalation end to end (issue 11): the north team's webhook
 * receiver refuses the first 3 requests, then accepts; every request is signed (checked with
 * the receiver's own HMAC), a retry keeps its webhook-id, nothing is lost. North's MQTT topic
 * holds the alert retained; the SSE stream shows it and resumes from Last-Event-ID. Nobody
 * acknowledges: past the 20-minute acknowledge deadline (T2) the supervisors get it.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { InServiceRun } from '../../firmware-sim/in-service-run.js'
import { ManualClock } from '../../gateway/clock.js'
import { startHarness, type Harness } from '../helpers/gateway-harness.js'
import { readSse } from './alerts-deliveries-site.js'
import { eventually, INSTALLER, startReceiver, writeTeamsFile, type AlertView, type Receiver } from './alerts-site.js'

const T0 = Date.UTC(2026, 10, 3, 8, 0, 0)
const clock = new ManualClock(T0 - 2 * 3_600_000)
const dir = mkdtempSync(join(tmpdir(), 'gw-alert-deliveries-'))
const UNIT = 'e2e-deliveries-unit'
let h: Harness
let receiver: Receiver

beforeAll(async () => {
  receiver = await startReceiver(3)
  h = await startHarness({ clock, env: { GW_ALERT_TEAMS_FILE: writeTeamsFile(dir, receiver.url) } })
})
afterAll(async () => {
  await h?.close()
  await receiver?.close()
  rmSync(dir, { recursive: true, force: true })
})

async function serviceClient(id: string, team: string) {
  const res = await h.api<{ secret: string }>('POST', '/api/v1/devices', { id, kind: 'service', team })
  expect(res.status).toBe(201)
  return h.connect(id, res.body.secret)
}

it('leakage: webhook retried until it succeeds (signed, same id), MQTT retained, SSE with resume, escalated to the next team', async () => {
  // A north service app subscribes to its team's topics before anything happens; one of supervisors' may not read north's.
  const north = await serviceClient('svc-north', 'north')
  const got: { topic: string; payload: string; retain: boolean }[] = []
  north.on('message', (topic, payload, packet) => got.push({ topic, payload: payload.toString(), retain: packet.retain }))
  expect((await north.subscribeAsync('v1/teams/north/#', { qos: 1 }))[0]!.qos).toBe(1)
  const sup = await serviceClient('svc-sup', 'supervisors')
  // mqtt.js rejects a refused subscription, with the SUBACK packet.
  const refused = await sup.subscribeAsync('v1/teams/north/#', { qos: 1 }).then(
    (granted) => granted[0]!.qos,
    (e: { packet?: { granted?: number[] } }) => e.packet?.granted?.[0],
  )
  expect(refused).toBe(128)

  const run = await InServiceRun.prepare({
    mqttUrl: h.mqttUrl,
    httpUrl: h.httpUrl,
    adminToken: h.token,
    scenario: 'leakage-rising',
    unitId: UNIT,
    installerId: INSTALLER,
    startTs: T0,
    beforeEvent: (ts) => clock.set(Math.max(clock.now(), ts)),
  })
  await run.play()
  await run.close()

  const list = await h.api<{ alerts: AlertView[] }>('GET', `/api/v1/alerts?deviceId=${UNIT}`)
  expect(list.body.alerts).toHaveLength(1)
  const alert = list.body.alerts[0]!
  expect(alert).toMatchObject({ fault: 'leakage', severity: 'critical', state: 'active' })

  // Webhook: the first 3 requests were refused; the raise arrives in the end (backoff on the gateway clock), signed.
  const north$ = () => receiver.accepted.filter((d) => d.path === '/north' && d.raw.includes(alert.id))
  await eventually(clock, () => north$().some((d) => d.body.type === 'alert.raised'), 'alert.raised at north after the refusals', { maxAdvanceMs: 5 * 60_000 })
  expect(receiver.refused.length).toBe(3)
  for (const d of [...receiver.refused, ...receiver.accepted]) expect(d.signatureOk).toBe(true)
  // A retry is the same message: every refused webhook-id arrives again, accepted.
  const acceptedIds = new Set(receiver.accepted.map((d) => d.id))
  for (const d of receiver.refused) expect(acceptedIds).toContain(d.id)

  // MQTT: north's retained state of the alert, and events.
  await eventually(clock, () => got.some((m) => m.topic === `v1/teams/north/alerts/${alert.id}`), 'the retained alert on north')
  expect(JSON.parse(got.find((m) => m.topic === `v1/teams/north/alerts/${alert.id}`)!.payload)).toMatchObject({ id: alert.id, fault: 'leakage' })

  // Escalation: raised ~minute 18, nobody acknowledged, the scenario ran to minute 45 (> 20 min): supervisors got it.
  const escalated = async () => {
    const a = (await h.api<AlertView & { audit?: { action: string }[] }>('GET', `/api/v1/alerts/${alert.id}`)).body
    return a.escalations.length > 0 && a.chain[a.teamIndex] === 'supervisors'
  }
  await eventually(clock, escalated, 'the escalation to supervisors')
  const detail = (await h.api<AlertView>('GET', `/api/v1/alerts/${alert.id}`)).body
  expect(detail.escalations[0]).toMatchObject({ level: 1, fromTeam: 'north', toTeam: 'supervisors', missed: 'acknowledge' })
  await eventually(clock, () => receiver.accepted.some((d) => d.path === '/supervisors' && d.body.type === 'alert.escalated' && d.raw.includes(alert.id)), 'alert.escalated at supervisors', { maxAdvanceMs: 60_000 })
  expect((await h.api('GET', '/api/v1/alerts?team=supervisors&state=active')).status).toBe(200)

  // SSE for supervisors: the escalation is in the stream; resuming after its id gives only later events.
  const sse = await teamStream('supervisors', undefined, (evs) => evs.some((e) => e.data.includes(alert.id)))
  const first = sse.find((e) => e.data.includes(alert.id))!
  expect(first.id).toMatch(/^\d+$/)
  // Acknowledging stops the acknowledge escalations; the stream resumed after `first` shows the acknowledgement and not `first` again.
  const ack = await h.api('POST', `/api/v1/alerts/${alert.id}/acknowledge`, { by: 'li.wei', note: 'customer called, unit off at the breaker' })
  expect(ack.status).toBeGreaterThanOrEqual(200)
  expect(ack.status).toBeLessThan(300)
  const resumed = await teamStream('supervisors', first.id, (evs) => evs.some((e) => e.data.includes('acknowledge')))
  expect(resumed.every((e) => Number(e.id) > Number(first.id))).toBe(true)
})

/** The stream of `team`, read until `done` says so (or 10 s); `done` must then hold. */
async function teamStream(team: string, lastEventId: string | undefined, done: (evs: { id: string; data: string }[]) => boolean) {
  const events = await readSse(h.httpUrl, h.token, team, lastEventId, done)
  expect(done(events)).toBe(true)
  return events
}
