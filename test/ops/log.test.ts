/** The JSON log (pino): the line shape call sites rely on, levels, redaction of secrets, and the rate limit for repeated lines. */
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../gateway/clock.js'
import { createLog } from '../../gateway/log.js'
import { rateLimitedLog } from '../../gateway/log-rate-limit.js'

function capture(level: Parameters<typeof createLog>[0] = 'debug') {
  const lines: string[] = []
  const log = createLog(level, (l) => lines.push(l))
  return { log, lines, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) }
}

describe('the log', () => {
  it('writes one JSON object per line with time, level, msg and the fields', () => {
    const { log, lines, entries } = capture()
    log('warn', 'could not publish device error', { deviceId: 'm-1', n: 3 })
    expect(lines).toHaveLength(1)
    expect(lines[0]).not.toContain('\n')
    expect(entries()[0]).toEqual({ level: 'warn', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), msg: 'could not publish device error', deviceId: 'm-1', n: 3 })
  })

  it('drops lines below the configured level; silent writes nothing', () => {
    const info = capture('info')
    info.log('debug', 'noise')
    info.log('info', 'kept')
    expect(info.entries().map((e) => e.msg)).toEqual(['kept'])
    const silent = capture('silent')
    silent.log('error', 'nothing')
    expect(silent.lines).toEqual([])
  })

  it('redacts secrets at the top level and nested, whatever the call site passes', () => {
    const { log, lines, entries } = capture()
    log('info', 'request', {
      password: 'pw-top',
      adminToken: 'tok-admin',
      device: { id: 'm-1', secret: 'sec-1', creds: { password: 'pw-2', deeper: { token: 'tok-3' } } },
      req: { headers: { authorization: 'Bearer hdr-secret', host: 'gw' } },
      env: { GW_INFLUX_PASSWORD: 'influx-pw' },
    })
    for (const secret of ['pw-top', 'tok-admin', 'sec-1', 'pw-2', 'tok-3', 'hdr-secret', 'influx-pw']) expect(lines[0]).not.toContain(secret)
    expect(entries()[0]).toMatchObject({
      password: '[redacted]',
      adminToken: '[redacted]',
      device: { id: 'm-1', secret: '[redacted]', creds: { password: '[redacted]', deeper: { token: '[redacted]' } } },
      req: { headers: { authorization: '[redacted]', host: 'gw' } },
      env: { GW_INFLUX_PASSWORD: '[redacted]' },
    })
  })
})

describe('rate-limited log lines', () => {
  it('writes one line per key per interval and says how many were suppressed', () => {
    const clock = new ManualClock(0)
    const { log, entries } = capture()
    const limited = rateLimitedLog(log, { clock, intervalMs: 60_000 })
    for (let i = 0; i < 1000; i++) limited('refused-sub:m-1', 'warn', 'subscription refused', { deviceId: 'm-1' })
    limited('refused-sub:m-2', 'warn', 'subscription refused', { deviceId: 'm-2' })
    expect(entries()).toEqual([
      expect.objectContaining({ msg: 'subscription refused', deviceId: 'm-1' }),
      expect.objectContaining({ msg: 'subscription refused', deviceId: 'm-2' }),
    ])
    expect(entries()[0]).not.toHaveProperty('suppressed')

    clock.advance(59_999)
    limited('refused-sub:m-1', 'warn', 'subscription refused', { deviceId: 'm-1' })
    expect(entries()).toHaveLength(2)
    clock.advance(1)
    limited('refused-sub:m-1', 'warn', 'subscription refused', { deviceId: 'm-1' })
    expect(entries()[2]).toMatchObject({ msg: 'subscription refused', deviceId: 'm-1', suppressed: 1000 })
    clock.advance(60_000)
    limited('refused-sub:m-1', 'warn', 'subscription refused', { deviceId: 'm-1' })
    expect(entries()[3]).not.toHaveProperty('suppressed')
  })

  it('remembers a bounded number of keys: the least recently logged is forgotten', () => {
    const clock = new ManualClock(0)
    const { log, entries } = capture()
    const limited = rateLimitedLog(log, { clock, intervalMs: 60_000, maxKeys: 2 })
    limited('a', 'info', 'a')
    limited('b', 'info', 'b')
    limited('c', 'info', 'c') // forgets a
    limited('b', 'info', 'b') // still limited
    limited('a', 'info', 'a') // new again: logged
    expect(entries().map((e) => e.msg)).toEqual(['a', 'b', 'c', 'a'])
  })
})
