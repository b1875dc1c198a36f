import { spawn } from 'node:child_process'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TOPICS } from '../../contract/topics.js'
import { type Harness, startHarness } from './harness.js'
import { RawClient, connectPacket, publishPacket } from './raw-mqtt.js'

const CONNACK = 2

/** CONNECT and a QoS 1 PUBLISH pipelined in one write; returns the CONNACK return code. */
async function connectAndPublish(port: number, username: string | undefined, password: string | undefined): Promise<number> {
  const raw = await RawClient.open(port)
  const connect = connectPacket({ clientId: 'raw-auth', ...(username && { username }), ...(password && { password }) })
  raw.send(Buffer.concat([connect, publishPacket(TOPICS.telemetry, '{"current_a":1}', 1, 1)]))
  const connack = await raw.waitFor(CONNACK)
  await raw.closed // [MQTT-3.2.2-5]: the server closes after a non-zero CONNACK
  return connack.body[1] as number
}

describe('device authentication', () => {
  let h: Harness
  beforeEach(async () => {
    h = await startHarness()
  })
  afterEach(async () => {
    await h.close()
  })

  it.each([
    ['wrong secret', 'meter-1', 'nope'],
    ['unknown device', 'meter-9', 's3cret-1'],
    ['another device\'s secret', 'meter-1', 's3cret-2'],
    ['no password', 'meter-1', undefined],
    ['no credentials', undefined, undefined],
  ])('%s: CONNACK 4 and the pipelined publish is never ingested', { timeout: 10_000 }, async (_case, user, pass) => {
    expect(await connectAndPublish(h.port, user, pass)).toBe(4)
    expect(h.ingested).toEqual([])
    expect(h.broker.stats().refusedAuth).toBe(1)
    expect(h.broker.stats().connected).toBe(0)
  })

  it('mqtt.js sees "Bad username or password" (code 4)', { timeout: 10_000 }, async () => {
    await expect(h.connect('meter-1', { secret: 'wrong' })).rejects.toMatchObject({ code: 4 })
  })

  it('right secret: connected, and the publish carries the registry identity', { timeout: 10_000 }, async () => {
    const client = await h.connect('unit-1')
    await client.publishAsync(TOPICS.telemetry, '{"current_a":1}', { qos: 1 })
    expect(h.ingested).toHaveLength(1)
    expect(h.ingested[0]?.identity).toEqual({ id: 'unit-1', kind: 'unit', bridgeFor: [] })
    expect(h.ingested[0]?.packet).toMatchObject({ topic: TOPICS.telemetry, qos: 1, dup: false })
    expect(h.ingested[0]?.packet.payload.toString()).toBe('{"current_a":1}')
    expect(h.broker.stats()).toMatchObject({ connected: 1, refusedAuth: 0, pending: 0 })
  })
})

describe('device authentication: registry failures', () => {
  it('a registry that throws gives CONNACK 3 (server unavailable), not 4', { timeout: 10_000 }, async () => {
    const h = await startHarness({
      authenticate: async () => {
        throw new Error('db down')
      },
    })
    try {
      expect(await connectAndPublish(h.port, 'meter-1', 's3cret-1')).toBe(3)
      expect(h.broker.stats().refusedAuth).toBe(0)
    } finally {
      await h.close()
    }
  })

  it('an identity id that cannot be a topic level is refused (CONNACK 5)', { timeout: 10_000 }, async () => {
    const h = await startHarness({ authenticate: async () => ({ id: 'a/#', kind: 'meter', bridgeFor: [] }) })
    try {
      expect(await connectAndPublish(h.port, 'a/#', 'x')).toBe(5)
    } finally {
      await h.close()
    }
  })
})

describe('mosquitto_pub', () => {
  let h: Harness
  beforeEach(async () => {
    h = await startHarness()
  })
  afterEach(async () => {
    await h.close()
  })

  function mosquittoPub(args: string[]): Promise<number | null> {
    return new Promise((resolve, reject) => {
      const child = spawn('/usr/bin/mosquitto_pub', ['-h', '127.0.0.1', '-p', String(h.port), ...args], { stdio: 'ignore' })
      child.once('error', reject)
      child.once('exit', (code) => resolve(code))
    })
  }

  it('is accepted at QoS 1 and reaches onDevicePublish', { timeout: 10_000 }, async () => {
    const code = await mosquittoPub(['-u', 'meter-1', '-P', 's3cret-1', '-t', TOPICS.telemetry, '-m', '{"current_a":1}', '-q', '1'])
    expect(code).toBe(0)
    expect(h.ingested).toHaveLength(1)
    expect(h.ingested[0]?.identity.id).toBe('meter-1')
    expect(h.ingested[0]?.packet.payload.toString()).toBe('{"current_a":1}')
    expect(h.ingested[0]?.packet.qos).toBe(1)
  })

  it('with a wrong password fails and publishes nothing', { timeout: 10_000 }, async () => {
    const code = await mosquittoPub(['-u', 'meter-1', '-P', 'wrong', '-t', TOPICS.telemetry, '-m', '{}', '-q', '1'])
    expect(code).not.toBe(0)
    expect(h.ingested).toEqual([])
  })
})
