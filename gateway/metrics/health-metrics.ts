/**
 * The numbers /healthz reports, exported on /metrics too, so the ingest counters, the
 * broker's refusals and the forwarder's backlog and lag can be scraped and alerted on.
 * Each is a prom-client metric that reads its value from the health snapshot taken once per
 * scrape. The names are the ones the dashboards and docs/influx-schema.md use.
 */
import { Counter, Gauge, type Registry } from 'prom-client'

interface HealthMetricSpec {
  name: string
  type: 'counter' | 'gauge'
  help: string
  /** Section and key in the health object. */
  path: readonly [string, string]
  scale?: number
}

const METRICS: readonly HealthMetricSpec[] = [
  { name: 'gw_ingest_messages_total', type: 'counter', help: 'MQTT publishes handled by the ingest', path: ['ingest', 'messages'] },
  { name: 'gw_ingest_readings_stored_total', type: 'counter', help: 'Readings committed to the local log (acknowledged)', path: ['ingest', 'readingsStored'] },
  { name: 'gw_ingest_duplicates_total', type: 'counter', help: 'Readings already stored (QoS 1 redelivery, seen seq)', path: ['ingest', 'duplicates'] },
  { name: 'gw_ingest_quarantined_total', type: 'counter', help: 'Messages quarantined', path: ['ingest', 'quarantined'] },
  { name: 'gw_mqtt_connected', type: 'gauge', help: 'Authenticated MQTT clients connected', path: ['mqtt', 'connected'] },
  { name: 'gw_mqtt_pending_connections', type: 'gauge', help: 'Accepted sockets that have not completed CONNECT yet', path: ['mqtt', 'pending'] },
  { name: 'gw_mqtt_rejected_packets_total', type: 'counter', help: 'Connections dropped by the packet guard (oversized, malformed, not starting with CONNECT)', path: ['mqtt', 'rejectedPackets'] },
  { name: 'gw_mqtt_refused_auth_total', type: 'counter', help: 'CONNECTs refused for missing or wrong credentials', path: ['mqtt', 'refusedAuth'] },
  { name: 'gw_mqtt_refused_connections_total', type: 'counter', help: 'Sockets closed on accept because too many connections were pending', path: ['mqtt', 'refusedConnections'] },
  { name: 'gw_jobs_evaluations_total', type: 'counter', help: 'Job evaluations run (coalesced per job, in the evaluation thread)', path: ['jobs', 'evaluations'] },
  { name: 'gw_jobs_evaluation_failures_total', type: 'counter', help: 'Job evaluations that failed (the job shows GW_ERR_EVALUATION_FAILED)', path: ['jobs', 'failures'] },
  { name: 'gw_jobs_last_evaluation_seconds', type: 'gauge', help: 'Duration of the last job evaluation', path: ['jobs', 'lastEvaluationMs'], scale: 1 / 1000 },
  { name: 'gw_jobs_cached_readings', type: 'gauge', help: 'Readings of open steps held in the evaluation cache', path: ['jobs', 'cachedReadings'] },
  { name: 'gw_jobs_cache_evictions_total', type: 'counter', help: 'Jobs dropped from the evaluation cache to stay within its bound', path: ['jobs', 'cacheEvictions'] },
  { name: 'gw_sqlite_checkpoints_total', type: 'counter', help: 'Write-ahead log checkpoints run by the checkpoint thread', path: ['checkpoint', 'checkpoints'] },
  { name: 'gw_sqlite_checkpoint_failures_total', type: 'counter', help: 'Checkpoints that failed (the ingest connection then checkpoints past its safety net)', path: ['checkpoint', 'failures'] },
  { name: 'gw_sqlite_wal_frames', type: 'gauge', help: 'Frames in the write-ahead log at the last checkpoint', path: ['checkpoint', 'walFrames'] },
  { name: 'gw_quarantine_bytes', type: 'gauge', help: 'Payload and reason bytes kept in quarantine', path: ['quarantine', 'bytes'] },
  { name: 'gw_quarantine_pruned_rows_total', type: 'counter', help: 'Quarantine records deleted by retention (age or size)', path: ['quarantine', 'prunedRows'] },
  { name: 'gw_quarantine_prune_failures_total', type: 'counter', help: 'Retention passes that failed', path: ['quarantine', 'pruneFailures'] },
  { name: 'gw_forwarder_backlog_readings', type: 'gauge', help: 'Acknowledged readings not yet in InfluxDB', path: ['forwarder', 'backlog'] },
  { name: 'gw_forwarder_lag_seconds', type: 'gauge', help: 'How long the oldest reading not yet in InfluxDB has waited', path: ['forwarder', 'lagMs'], scale: 1 / 1000 },
  { name: 'gw_forwarder_forwarded_readings_total', type: 'counter', help: 'Readings written to InfluxDB since start', path: ['forwarder', 'forwarded'] },
  { name: 'gw_forwarder_points_total', type: 'counter', help: 'Points written to InfluxDB since start', path: ['forwarder', 'points'] },
  { name: 'gw_forwarder_failures_total', type: 'counter', help: 'Failed attempts to reach InfluxDB since start', path: ['forwarder', 'failures'] },
  { name: 'gw_forwarder_reroutes_pending', type: 'gauge', help: 'Attachment windows waiting to be re-routed', path: ['forwarder', 'reroutes'] },
  { name: 'gw_forwarder_verdicts_pending', type: 'gauge', help: 'Verdict changes waiting for InfluxDB', path: ['forwarder', 'verdicts'] },
  { name: 'gw_forwarder_alerts_pending', type: 'gauge', help: 'Alert changes waiting for InfluxDB (parked ones included)', path: ['forwarder', 'alerts'] },
]

type Snapshot = Record<string, unknown>

const field = (snapshot: Snapshot, [section, key]: readonly [string, string]): unknown => {
  const obj = snapshot[section]
  return obj && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined
}

/**
 * Registers the health-derived metrics in `registry`; `snapshot()` is called at each scrape
 * (through `current`, so one scrape reads the health object once, not once per metric).
 */
export function registerHealthMetrics(registry: Registry, current: () => Snapshot): void {
  new Gauge({
    name: 'gw_forwarder_enabled',
    help: '1 when readings are forwarded to InfluxDB',
    registers: [registry],
    collect() {
      const forwarder = current().forwarder as { enabled?: unknown } | undefined
      this.set(forwarder?.enabled ? 1 : 0)
    },
  })
  for (const spec of METRICS) {
    const read = (): number | undefined => {
      const value = field(current(), spec.path)
      return typeof value === 'number' && Number.isFinite(value) ? value * (spec.scale ?? 1) : undefined
    }
    if (spec.type === 'gauge') {
      new Gauge({
        name: spec.name,
        help: spec.help,
        registers: [registry],
        collect() {
          const value = read()
          if (value === undefined) this.reset()
          else this.set(value)
        },
      })
    } else {
      // The count lives in the component (it survives nothing but the process); the counter mirrors it.
      new Counter({
        name: spec.name,
        help: spec.help,
        registers: [registry],
        collect() {
          const value = read()
          this.reset()
          if (value !== undefined && value > 0) this.inc(value)
        },
      })
    }
  }
}
