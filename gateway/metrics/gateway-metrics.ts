/**
 * The gateway's metrics registry: one prom-client Registry per gateway (never the global
 * default one, so two gateways in one test process do not share counters). Modules that
 * have metrics of their own get `registry` passed in and register on it
 * (`new Counter({ ..., registers: [metrics.registry] })`); /metrics serves them all in the
 * Prometheus text format, each with HELP and TYPE.
 */
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { registerHealthMetrics } from './health-metrics.js'

// A PUBACK path is parse + group commit + ack: sub-millisecond to a few tens of ms.
const PUBACK_BUCKETS = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5]

export class GatewayMetrics {
  readonly registry = new Registry()
  /** Per device publish: from the broker handing it to the ingest until it may be acknowledged (stored or quarantined). */
  readonly publishAckPath: Histogram
  private snapshot: Record<string, unknown> | undefined

  constructor(private readonly health: () => Record<string, unknown>) {
    this.publishAckPath = new Histogram({
      name: 'gw_ingest_publish_ack_path_seconds',
      help: 'Time from a device publish reaching the ingest to it being stored or quarantined (what the PUBACK waits for), per message',
      buckets: PUBACK_BUCKETS,
      registers: [this.registry],
    })
    registerHealthMetrics(this.registry, () => (this.snapshot ??= this.health()))
  }

  /** Adds the process metrics (RSS, CPU, heap, event-loop lag) of prom-client; called once at start. */
  collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry })
  }

  readonly contentType = this.registry.contentType

  /** The scrape: every registered metric, reading the health object once. */
  async text(): Promise<string> {
    this.snapshot = undefined
    try {
      return await this.registry.metrics()
    } finally {
      this.snapshot = undefined
    }
  }
}
