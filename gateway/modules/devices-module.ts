/** devices: the registry of devices and their credentials, and its routes (/api/v1/devices). */
import { deviceRoutes } from '../api/routes/devices.js'
import { DeviceRegistry } from '../devices/device-registry.js'
import type { ApiModule } from './api-module.js'
import { GatewayModule, started, type ModuleContext } from './module.js'
import type { StoreModule } from './store-module.js'

export class DevicesModule extends GatewayModule {
  readonly name = 'devices'
  private devices: DeviceRegistry | undefined

  constructor(
    ctx: ModuleContext,
    private readonly deps: { store: StoreModule; api: ApiModule },
  ) {
    super(ctx)
  }

  get registry(): DeviceRegistry {
    return started(this.devices, this.name, 'device registry')
  }

  protected open(): void {
    const devices = (this.devices = new DeviceRegistry(this.deps.store.db, this.ctx.bus))
    this.deps.api.routes(this.name, deviceRoutes({ devices, clock: this.ctx.clock }))
  }

  protected close(): void {}
}
