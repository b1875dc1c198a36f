/**
 * The HTTP API as a host: modules hand it their routes while they start, it serves them under
 * /api/v1 behind the admin token; without sockets it answers inject() and opens no port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApiHarness, type ApiHarness } from '../helpers/api-harness.js'

let h: ApiHarness
beforeAll(async () => {
  h = await startApiHarness()
})
afterAll(async () => {
  await h.close()
})

describe('the API host', () => {
  it('serves the routes each module handed it, behind the admin token, with no socket open', async () => {
    expect(h.gateway.httpPort).toBe(0)
    expect(h.gateway.mqttPort).toBe(0)
    expect((await h.api('POST', '/api/v1/devices', { id: 'meter-1', kind: 'meter' })).status).toBe(201) // devices
    const unit = { model: 'KFR-35GW', invoiceModel: 'KFR-35GW', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 7.5, type: 'split' }
    expect((await h.api('POST', '/api/v1/jobs', { id: 'j1', rulePack: 'split-ac', unit })).status).toBe(201) // commissioning
    expect((await h.api('GET', '/api/v1/quarantine')).status).toBe(200) // ingest
    const anonymous = await h.gateway.http!.inject({ method: 'GET', url: '/api/v1/jobs/j1' })
    expect(anonymous.statusCode).toBe(401)
    const health = await h.api<Record<string, unknown>>('GET', '/healthz')
    expect(health.status).toBe(200)
    expect(Object.keys(health.body)).toEqual(expect.arrayContaining(['status', 'reasons', 'ingest', 'jobs', 'forwarder', 'quarantine']))
    expect(health.body).not.toHaveProperty('mqtt') // no broker in this gateway
  })

  it('a write through a route re-evaluates the job with nobody asking for the verdict (the repository told the bus)', async () => {
    const heard: string[] = []
    h.gateway.bus.on('verdict.changed', 'test', ({ verdict }) => heard.push(verdict.jobId))
    expect((await h.api('POST', '/api/v1/jobs/j1/steps/power_test/start', {})).status).toBe(201)
    await h.gateway.monitor!.settled()
    expect(heard).toEqual(['j1'])
    h.gateway.bus.removeListeners('test')
  })
})
