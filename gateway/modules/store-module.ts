/**
 * store: the data dir (one gateway per directory: the lock) and the SQLite database every
 * other module's repositories use. The packs' hashes are checked here: a pack whose content
 * changed under the same version refuses the start (rules/pack-hashes.ts). The checkpoint
 * thread copies the write-ahead log back into the database off the event loop.
 */
import { checkPackHashes } from '../packs/pack-hashes.js'
import { CheckpointHost } from '../store/checkpoint/checkpoint-host.js'
import { DataDirLock } from '../store/data-dir-lock.js'
import { openDatabase, type Db } from '../store/database.js'
import { GatewayModule, started, type ModuleContext } from './module.js'
import type { PreflightModule } from './preflight-module.js'

export class StoreModule extends GatewayModule {
  readonly name = 'store'
  private lock: DataDirLock | undefined
  private database: Db | undefined
  private checkpoints: CheckpointHost | undefined

  constructor(
    ctx: ModuleContext,
    private readonly preflight: PreflightModule,
  ) {
    super(ctx)
  }

  get db(): Db {
    return started(this.database, this.name, 'database')
  }

  /** The database if open (tests and the bench read it). */
  get openDb(): Db | undefined {
    return this.database
  }

  health(): Record<string, unknown> {
    return this.checkpoints ? { checkpoint: this.checkpoints.stats() } : {}
  }

  protected open(): void {
    const { config, clock, log } = this.ctx
    this.lock = DataDirLock.acquire(config.dataDir, clock)
    this.database = openDatabase(config.dataDir, config.sync)
    checkPackHashes(this.database, this.preflight.packs, clock.now())
    // Copies the log back off the event loop (checkpoint-thread.ts).
    this.checkpoints = new CheckpointHost({ db: this.database, dataDir: config.dataDir, log })
    this.checkpoints.start()
  }

  protected async close(): Promise<void> {
    await this.checkpoints?.stop()
    this.checkpoints = undefined
    this.database?.close()
    this.database = undefined
    // Last: until the database is closed another gateway must not open it.
    this.lock?.release()
    this.lock = undefined
  }
}
