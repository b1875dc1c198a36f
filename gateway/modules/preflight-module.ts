/**
 * preflight: everything that can refuse the configuration, before anything is written to the
 * data dir or listens: the rule packs (a broken pack refuses the start) and the bind address.
 * The ports are checked by listening (broker, api); only then is a new admin token kept.
 */
import type { RulePack } from '../../rules/pack-schema.js'
import { ConfigError } from '../config.js'
import { defaultPacksDir, loadRulePacks } from '../packs/load-packs.js'
import { checkBindAddress } from '../startup-checks.js'
import { GatewayModule } from './module.js'

export class PreflightModule extends GatewayModule {
  readonly name = 'preflight'
  /** The rule packs loaded at start (id → pack); empty before. */
  packs: ReadonlyMap<string, RulePack> = new Map()

  protected async open(): Promise<void> {
    const { rulesDir, bind } = this.ctx.config
    try {
      this.packs = loadRulePacks(rulesDir ?? defaultPacksDir())
    } catch (err) {
      throw rulesDir === undefined ? err : new ConfigError(`GW_RULES_DIR=${JSON.stringify(rulesDir)}: ${(err as Error).message}`)
    }
    await checkBindAddress(bind)
  }

  protected close(): void {}
}
