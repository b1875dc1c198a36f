/**
 * One lifecycle for every part of the gateway (learned from zigbee2mqtt's lib/extension/*):
 * a module has a name, start() and stop(), and nothing else is asked of it.
 *
 * - The constructor only keeps its arguments: no I/O, no timers, no listeners (modules are all
 *   built before any starts, so they can be handed to each other).
 * - start() opens what the module owns; stop() closes it. Both are idempotent, and stop() also
 *   undoes a start() that failed half-way (close() sees whatever open() got to).
 * - The composition root (app.ts) starts modules in order and stops them in reverse.
 *
 * GatewayModule below does the bookkeeping: a module implements open() and close(), listens
 * with this.on() (removed on stop), and may report a /healthz section.
 */
import type { EventBus, BusListener } from '../bus/event-bus.js'
import type { BusEventName } from '../bus/events.js'
import type { Clock } from '../clock.js'
import type { GatewayConfig } from '../config.js'
import type { Log } from '../log.js'
import type { GatewayMetrics } from '../metrics/gateway-metrics.js'

export interface Module {
  /** Names it in logs, start/stop failures ("module 'broker' failed to start: ...") and bus listeners. */
  readonly name: string
  start(): Promise<void>
  stop(): Promise<void>
  /** Its section of /healthz (key → stats), while started. */
  health?(): Record<string, unknown>
}

/** What every module is given. */
export interface ModuleContext {
  config: GatewayConfig
  clock: Clock
  log: Log
  bus: EventBus
  /** The one metrics registry /metrics serves; a module registers its own on `metrics.registry`. */
  metrics: GatewayMetrics
}

export abstract class GatewayModule implements Module {
  abstract readonly name: string
  private opening: Promise<void> | undefined
  private closing: Promise<void> | undefined

  constructor(protected readonly ctx: ModuleContext) {}

  /** A module runs once: start() after stop() does not reopen it. */
  start(): Promise<void> {
    this.opening ??= Promise.resolve().then(() => this.open())
    return this.opening
  }

  stop(): Promise<void> {
    if (!this.opening) return Promise.resolve()
    this.closing ??= this.opening
      .catch(() => {}) // the start's failure was reported by start(); close what it opened
      .then(async () => {
        this.ctx.bus.removeListeners(this.name)
        await this.close()
      })
    return this.closing
  }

  protected abstract open(): Promise<void> | void
  /** Must cope with a half-done open() (fields still undefined). */
  protected abstract close(): Promise<void> | void

  /** Listens on the bus under this module's name, until stop(). */
  protected on<E extends BusEventName>(event: E, listener: BusListener<E>): void {
    this.ctx.bus.on(event, this.name, listener)
  }
}

/** For a module's getters: what it owns exists only between start() and stop(). */
export function started<T>(value: T | undefined, module: string, what: string): T {
  if (value === undefined) throw new Error(`module '${module}' is not started: no ${what} yet`)
  return value
}
