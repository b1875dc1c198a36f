/**
 * The real gateway as a child process with a manual clock (the alert-delivery crash tests):
 * the parent kills it with SIGKILL and moves its clock over IPC. With CHILD_KILL_AT_CHANGE=n
 * it SIGKILLs itself when the n-th 'alert.changed' is told, before any other listener runs
 * (this listener is registered before the modules start): the alert change is committed, and
 * whatever the deliveries would make of it is not, which is the crash window the audit feed
 * closes (gateway/alerts/deliveries/alert-deliveries.ts).
 *
 * IPC in: {id, op: 'set', now} | {id, op: 'tick'} | {id, op: 'memory'} (after a full GC; run with
 * --expose-gc). Out: {op: 'ready', mqttPort, httpPort, token} once started, {id, ...} per request.
 */
import { ManualClock } from '../../gateway/clock.js'
import { loadConfig } from '../../gateway/config.js'
import { Gateway } from '../../gateway/gateway.js'

const clock = new ManualClock(Number(process.env['CHILD_CLOCK_MS']))
const gateway = new Gateway(loadConfig(process.env), { clock })
const killAt = Number(process.env['CHILD_KILL_AT_CHANGE'] ?? 0)
let changes = 0
if (killAt > 0) {
  gateway.bus.on('alert.changed', 'crash-test', () => {
    if (++changes === killAt) process.kill(process.pid, 'SIGKILL')
  })
}

type Request = { id: number; op: 'set'; now: number } | { id: number; op: 'tick' } | { id: number; op: 'memory' }

process.on('message', (m: Request) => {
  if (m.op === 'set') clock.set(m.now)
  if (m.op === 'set' || m.op === 'tick') {
    gateway.alerts.tick()
    gateway.alertDeliveries?.tick()
    process.send!({ id: m.id, now: clock.now() })
  } else if (m.op === 'memory') {
    const gc = (globalThis as { gc?: () => void }).gc
    if (gc) for (let i = 0; i < 3; i++) gc()
    const mem = process.memoryUsage()
    process.send!({ id: m.id, heapUsed: mem.heapUsed, rss: mem.rss, external: mem.external, arrayBuffers: mem.arrayBuffers })
  }
})
process.once('SIGTERM', () => void gateway.stop().then(() => process.exit(0)))

await gateway.start()
process.send!({ op: 'ready', mqttPort: gateway.mqttPort, httpPort: gateway.httpPort, token: gateway.adminToken })
