/**
 * The lifecycle every module shares: started in order, stopped in reverse, each failure named,
 * a failed start stopping what it started (the failed module too), start/stop idempotent.
 */
import { describe, expect, it } from 'vitest'
import { EventBus } from '../../gateway/bus/event-bus.js'
import { systemClock } from '../../gateway/clock.js'
import { ConfigError, loadConfig } from '../../gateway/config.js'
import type { Log } from '../../gateway/log.js'
import { GatewayMetrics } from '../../gateway/metrics/gateway-metrics.js'
import { GatewayModule, type ModuleContext } from '../../gateway/modules/module.js'
import { ModuleRunner } from '../../gateway/modules/module-runner.js'

const silent: Log = () => {}

function context(): ModuleContext {
  return { config: loadConfig({}), clock: systemClock, log: silent, bus: new EventBus(), metrics: new GatewayMetrics(() => ({ status: 'ok', reasons: [] })) }
}

/** A module that records what happens to it, and fails where told. */
class Probe extends GatewayModule {
  constructor(
    ctx: ModuleContext,
    readonly name: string,
    private readonly events: string[],
    private readonly fail: { open?: Error; close?: Error } = {},
  ) {
    super(ctx)
  }
  protected async open(): Promise<void> {
    this.events.push(`open ${this.name}`)
    this.on('job.changed', () => this.events.push(`${this.name} heard`))
    await new Promise((r) => setImmediate(r))
    if (this.fail.open) throw this.fail.open
  }
  protected close(): void {
    this.events.push(`close ${this.name}`)
    if (this.fail.close) throw this.fail.close
  }
}

describe('ModuleRunner', () => {
  it('starts in order, stops in reverse; a stopped module hears nothing on the bus', async () => {
    const ctx = context()
    const events: string[] = []
    const runner = new ModuleRunner(['a', 'b', 'c'].map((n) => new Probe(ctx, n, events)), silent)
    await runner.start()
    ctx.bus.emit('job.changed', { jobId: 'j', change: 'marker' })
    await runner.stop()
    ctx.bus.emit('job.changed', { jobId: 'j', change: 'marker' })
    expect(events).toEqual(['open a', 'open b', 'open c', 'a heard', 'b heard', 'c heard', 'close c', 'close b', 'close a'])
    expect(ctx.bus.has('job.changed')).toBe(false)
  })

  it('a failed start is named, and stops the failed module and every one started before it, in reverse', async () => {
    const events: string[] = []
    const ctx = context()
    const lines: string[] = []
    const runner = new ModuleRunner(
      [new Probe(ctx, 'store', events), new Probe(ctx, 'broker', events, { open: new Error('port taken') }), new Probe(ctx, 'api', events)],
      (_level, msg) => lines.push(msg),
    )
    await expect(runner.start()).rejects.toThrow("module 'broker' failed to start: port taken")
    expect(events).toEqual(['open store', 'open broker', 'close broker', 'close store'])
    expect(lines).toEqual(["module 'broker' failed to start; stopping the ones started"])
    await runner.stop() // nothing left to stop
    expect(events).toHaveLength(4)
  })

  it('a configuration error passes unchanged (the operator reads one line naming the variable)', async () => {
    const err = new ConfigError('GW_BIND="x": cannot resolve this address')
    const runner = new ModuleRunner([new Probe(context(), 'preflight', [], { open: err })], silent)
    await expect(runner.start()).rejects.toBe(err)
  })

  it('a failed stop is named; the other modules are still stopped', async () => {
    const events: string[] = []
    const ctx = context()
    const runner = new ModuleRunner([new Probe(ctx, 'a', events), new Probe(ctx, 'b', events, { close: new Error('stuck') }), new Probe(ctx, 'c', events)], silent)
    await runner.start()
    await expect(runner.stop()).rejects.toThrow("module 'b' failed to stop: stuck")
    expect(events.filter((e) => e.startsWith('close'))).toEqual(['close c', 'close b', 'close a'])
  })

  it('start and stop of a module are idempotent; stop before start does nothing', async () => {
    const events: string[] = []
    const m = new Probe(context(), 'm', events)
    await m.stop()
    await Promise.all([m.start(), m.start()])
    await m.start()
    await Promise.all([m.stop(), m.stop()])
    await m.stop()
    expect(events).toEqual(['open m', 'close m'])
  })

  it('refuses two modules of one name (listeners and errors are kept by name)', () => {
    const ctx = context()
    expect(() => new ModuleRunner([new Probe(ctx, 'x', []), new Probe(ctx, 'x', [])], silent)).toThrow("two modules are named 'x'")
  })
})
