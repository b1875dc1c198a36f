/** The HTTP API's contract: auth, coded errors, validation messages, OpenAPI. Real gateway, real HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from '../helpers/gateway-harness.js'

let h: Harness
const unit = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 7.5, type: 'split' }

beforeAll(async () => {
  h = await startHarness()
})
afterAll(async () => {
  await h.close()
})

describe('HTTP API', () => {
  it('refuses requests without the admin token', async () => {
    const res = await fetch(`${h.httpUrl}/api/v1/quarantine`)
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ error: { code: 'GW_ERR_UNAUTHORIZED', message: expect.stringMatching(/bearer token/) } })
    const wrong = await fetch(`${h.httpUrl}/api/v1/quarantine`, { headers: { authorization: 'Bearer nope' } })
    expect(wrong.status).toBe(401)
  })

  it('serves /healthz without a token as the status only, with the admin token in detail, and refuses a wrong token', async () => {
    const open = await fetch(`${h.httpUrl}/healthz`)
    expect(open.status).toBe(200)
    expect(await open.json()).toEqual({ status: 'ok' })
    const detailed = await h.api<Record<string, unknown>>('GET', '/healthz')
    expect(detailed.status).toBe(200)
    expect(detailed.body).toMatchObject({ status: 'ok', reasons: [], mqtt: { connected: 0 }, ingest: { messages: 0 }, forwarder: { enabled: false } })
    const wrong = await fetch(`${h.httpUrl}/healthz`, { headers: { authorization: 'Bearer not-the-token' } })
    expect(wrong.status).toBe(401)
    expect(await wrong.json()).toEqual({ error: { code: 'GW_ERR_UNAUTHORIZED', message: expect.stringMatching(/wrong bearer token/) } })
  })

  it('serves /metrics only with a token', async () => {
    expect((await fetch(`${h.httpUrl}/metrics`)).status).toBe(401)
    expect((await fetch(`${h.httpUrl}/metrics`, { headers: { authorization: 'Bearer not-the-token' } })).status).toBe(401)
    const res = await fetch(`${h.httpUrl}/metrics`, { headers: { authorization: `Bearer ${h.token}` } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(await res.text()).toMatch(/^gw_ingest_messages_total 0$/m)
  })

  it('serves OpenAPI without a token, with every route', async () => {
    const doc = (await (await fetch(`${h.httpUrl}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> }
    expect(doc.openapi).toMatch(/^3\./)
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/devices',
        '/api/v1/jobs',
        '/api/v1/jobs/{id}/devices',
        '/api/v1/jobs/{id}/steps/{step}/{action}',
        '/api/v1/jobs/{id}/verdict',
        '/api/v1/jobs/{id}/readings',
        '/api/v1/quarantine',
      ]),
    )
  })

  it('returns the secret once and refuses a second device with the same id', async () => {
    const first = await h.api<{ id: string; secret: string }>('POST', '/api/v1/devices', { id: 'dev-a', kind: 'meter' })
    expect(first.status).toBe(201)
    expect(first.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const again = await h.api('POST', '/api/v1/devices', { id: 'dev-a', kind: 'unit' })
    expect(again).toEqual({ status: 409, body: { error: { code: 'GW_ERR_CONFLICT', message: 'device "dev-a" is already registered' } } })
  })

  it.each([
    [{ id: 'has/slash', kind: 'meter' }, /body\.id: must be 1-64 characters/],
    [{ id: 'me', kind: 'meter' }, /"me" is reserved/],
    [{ id: 'x', kind: 'toaster' }, /body\.kind/],
    [{ id: 'x', kind: 'meter', bridgeFor: ['y'] }, /only a bridge/],
    [{ id: 'x', kind: 'meter', colour: 'red' }, /colour/],
  ])('refuses a bad device body %j with a message saying what is wrong', async (body, message) => {
    const res = await h.api<{ error: { code: string; message: string } }>('POST', '/api/v1/devices', body)
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('GW_ERR_VALIDATION')
    expect(res.body.error.message).toMatch(message)
  })

  it('refuses malformed JSON with a 400, not a 500', async () => {
    const res = await fetch(`${h.httpUrl}/api/v1/devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' },
      body: '{"id": ',
    })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('GW_ERR_BAD_REQUEST')
    expect(body.error.message).toMatch(/JSON/i)
  })

  it('jobs: unknown pack, unknown job, unknown device, duplicate job', async () => {
    const badPack = await h.api<{ error: { message: string } }>('POST', '/api/v1/jobs', { id: 'j1', rulePack: 'no-such-pack', unit })
    expect(badPack.status).toBe(400)
    expect(badPack.body.error.message).toMatch(/unknown rule pack "no-such-pack"; available: .*split-ac/)
    expect((await h.api('POST', '/api/v1/jobs', { id: 'j1', rulePack: 'split-ac', unit })).status).toBe(201)
    expect((await h.api('POST', '/api/v1/jobs', { id: 'j1', rulePack: 'split-ac', unit })).status).toBe(409)
    expect((await h.api('GET', '/api/v1/jobs/nope/verdict')).status).toBe(404)
    const noDevice = await h.api<{ error: { code: string } }>('POST', '/api/v1/jobs/j1/devices', { deviceId: 'ghost' })
    expect(noDevice).toEqual({ status: 404, body: { error: { code: 'GW_ERR_NOT_FOUND', message: 'device "ghost" not found' } } })
    const badStep = await h.api('POST', '/api/v1/jobs/j1/steps/dancing/start', {})
    expect(badStep.status).toBe(400)
  })

  it('a job with no test run yet is incomplete and names the pack version it is judged by', async () => {
    await h.api('POST', '/api/v1/jobs', { id: 'j2', rulePack: 'split-ac', unit })
    const v = await h.api<{ status: string; rulePack: { id: string; version: string }; steps: { id: string; status: string }[] }>('GET', '/api/v1/jobs/j2/verdict')
    expect(v.status).toBe(200)
    expect(v.body.status).toBe('incomplete')
    expect(v.body.rulePack).toEqual({ id: 'split-ac', version: '1.1.0', hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) })
    expect(v.body.steps.map((s) => s.id)).toEqual(['power_test', 'factory_charge', 'tightness', 'evacuation', 'electrical', 'test_run', 'installation_record'])
    expect(v.body.steps.find((s) => s.id === 'test_run')).toMatchObject({ status: 'incomplete' })
  })
})
