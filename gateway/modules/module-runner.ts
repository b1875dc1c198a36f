/**
 * Starts modules in order and stops them in reverse; each failure names its module. A start
 * that fails stops every module started before it, and the failed one too (it may have opened
 * part of what it owns), so a failed start leaves nothing listening, open or locked.
 */
import { ConfigError } from '../config.js'
import type { Log } from '../log.js'
import type { Module } from './module.js'

export class ModuleRunner {
  private readonly started: Module[] = []

  constructor(
    readonly modules: readonly Module[],
    private readonly log: Log,
  ) {
    const names = new Set<string>()
    for (const m of modules) {
      if (names.has(m.name)) throw new Error(`two modules are named '${m.name}': bus listeners and errors are kept by name`)
      names.add(m.name)
    }
  }

  async start(): Promise<void> {
    for (const m of this.modules) {
      if (this.started.includes(m)) continue
      this.started.push(m)
      try {
        await m.start()
      } catch (err) {
        this.log('error', `module '${m.name}' failed to start; stopping the ones started`, { err: describe(err) })
        await this.stop().catch(() => {}) // each stop failure is logged; the start's failure is the one to report
        throw named(m.name, 'start', err)
      }
    }
  }

  /** Stops every started module, last first; each failure is logged, the first one thrown after all are stopped. */
  async stop(): Promise<void> {
    let first: Error | undefined
    while (this.started.length > 0) {
      const m = this.started.pop()!
      try {
        await m.stop()
      } catch (err) {
        this.log('error', `module '${m.name}' failed to stop`, { err: describe(err) })
        first ??= named(m.name, 'stop', err)
      }
    }
    if (first) throw first
  }
}

function named(module: string, phase: 'start' | 'stop', err: unknown): Error {
  // A configuration error already is the one line an operator needs (the variable and what to
  // change; server.ts prints it alone and test/ops asserts it starts with the variable): it
  // passes unchanged, and the log line above names the module.
  if (err instanceof ConfigError) return err
  return new Error(`module '${module}' failed to ${phase}: ${describe(err)}`, { cause: err })
}

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err))
