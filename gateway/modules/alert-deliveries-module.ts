/**
 * alert-deliveries: tells maintenance teams about alert changes (issue 11, "Routing"). Reads
 * the alerts' audit trail through its cursor (at start, and on each 'alert.changed', emitted by
 * the alerts module once the change is committed) and queues each team's deliveries in the
 * durable outbox: MQTT (retained state + events topic), signed
 * webhooks, and the SSE stream route GET /api/v1/alerts/stream (gateway/alerts/deliveries/).
 *
 * Starts after the broker (it publishes through it) and before the api (it hands it a route);
 * stops before the broker, so the MQTT rows left wait in the outbox for the next start.
 *
 * The teams (GW_ALERT_TEAMS_FILE) are the alerts module's, loaded once there; without a teams
 * file no team is configured and nothing is delivered.
 */
import { currentTeam } from '../alerts/alert-lifecycle.js'
import { AlertDeliveries, UNASSIGNED_TEAM } from '../alerts/deliveries/alert-deliveries.js'
import { alertStreamRoutes } from '../alerts/deliveries/alert-stream-route.js'
import type { AlertsModule } from './alerts-module.js'
import type { ApiModule } from './api-module.js'
import type { BrokerModule } from './broker-module.js'
import { GatewayModule, started, type ModuleContext } from './module.js'
import type { StoreModule } from './store-module.js'

export class AlertDeliveriesModule extends GatewayModule {
  readonly name = 'alert-deliveries'
  private service: AlertDeliveries | undefined

  constructor(
    ctx: ModuleContext,
    private readonly deps: { store: StoreModule; alerts: AlertsModule; broker: BrokerModule; api: ApiModule },
  ) {
    super(ctx)
  }

  get deliveries(): AlertDeliveries {
    return started(this.service, this.name, 'alert deliveries')
  }

  /** Undefined while not started. */
  get deliveriesIfStarted(): AlertDeliveries | undefined {
    return this.service
  }

  health(): Record<string, unknown> {
    if (!this.service) return {}
    const h = this.service.health()
    return { alerts: { deliveries: h.deliveries, heldForGroups: h.held, stream: h.stream, mqttHeldUntil: h.mqttHeldUntil } }
  }

  /** Why /healthz is degraded (a delivery waiting more than 15 min), or undefined. */
  problem(): string | undefined {
    return this.service?.problem()
  }

  protected open(): void {
    const { config, clock, log } = this.ctx
    const teams = this.deps.alerts.teams
    const broker = this.deps.broker
    const service = (this.service = new AlertDeliveries({
      db: this.deps.store.db,
      store: this.deps.alerts.store,
      clock,
      log,
      teams,
      // BrokerModule.publish does nothing while the broker is down; a delivery must then wait.
      publish: async (topic, payload, opts) => {
        if (broker.port === 0) throw new Error('the MQTT broker is not running')
        await broker.publish(topic, payload, opts)
      },
      webhookTimeoutMs: config.alertDeliveries.webhookTimeoutMs,
      pollMs: config.alertDeliveries.pollMs,
      mqttResumeMs: config.alertDeliveries.mqttResumeMs,
      stream: { maxLag: config.alertDeliveries.streamMaxLag, maxClients: 100 },
    }))
    service.start()
    // A trigger: the deliveries read the change from the audit trail (and caught up at start).
    this.on('alert.changed', ({ alert, entry }) => service.onAlertChanged(entry.seq, currentTeam(alert) || UNASSIGNED_TEAM))
    this.deps.api.routes(this.name, alertStreamRoutes(() => service.events))
  }

  protected async close(): Promise<void> {
    await this.service?.stop()
  }
}
