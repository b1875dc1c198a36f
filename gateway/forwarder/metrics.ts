/**
 * `GET /metrics`: the health numbers in Prometheus text format (version 0.0.4), so the
 * ingest counters and the forwarder's backlog and lag can be scraped and alerted on.
 * Built from the same object /healthz returns; a numeric figure without an entry here is
 * still exported, as an untyped `gw_<section>_<name>`.
 */
interface MetricSpec {
  name: string
  type: 'counter' | 'gauge'
  help: string
  /** Section and key in the health object. */
  path: [string, string]
  scale?: number
}

const METRICS: MetricSpec[] = [
  { name: 'gw_ingest_messages_total', type: 'counter', help: 'MQTT publishes handled by the ingest', path: ['ingest', 'messages'] },
  { name: 'gw_ingest_readings_stored_total', type: 'counter', help: 'Readings committed to the local log (acknowledged)', path: ['ingest', 'readingsStored'] },
  { name: 'gw_ingest_duplicates_total', type: 'counter', help: 'Readings already stored (QoS 1 redelivery, seen seq)', path: ['ingest', 'duplicates'] },
  { name: 'gw_ingest_conflicts_total', type: 'counter', help: 'Re-sent readings with a stored device time but another value (kept, flagged)', path: ['ingest', 'conflicts'] },
  { name: 'gw_ingest_quarantined_total', type: 'counter', help: 'Messages quarantined', path: ['ingest', 'quarantined'] },
  { name: 'gw_mqtt_connected', type: 'gauge', help: 'Authenticated MQTT clients connected', path: ['mqtt', 'connected'] },
  { name: 'gw_forwarder_backlog_readings', type: 'gauge', help: 'Acknowledged readings not yet in InfluxDB', path: ['forwarder', 'backlog'] },
  { name: 'gw_forwarder_lag_seconds', type: 'gauge', help: 'How long the oldest reading not yet in InfluxDB has waited', path: ['forwarder', 'lagMs'], scale: 1 / 1000 },
  { name: 'gw_forwarder_forwarded_readings_total', type: 'counter', help: 'Readings written to InfluxDB since start', path: ['forwarder', 'forwarded'] },
  { name: 'gw_forwarder_points_total', type: 'counter', help: 'Points written to InfluxDB since start', path: ['forwarder', 'points'] },
  { name: 'gw_forwarder_failures_total', type: 'counter', help: 'Failed attempts to reach InfluxDB since start', path: ['forwarder', 'failures'] },
  { name: 'gw_forwarder_reroutes_pending', type: 'gauge', help: 'Attachment windows waiting to be re-routed', path: ['forwarder', 'reroutes'] },
  { name: 'gw_forwarder_verdicts_pending', type: 'gauge', help: 'Verdict changes waiting for InfluxDB', path: ['forwarder', 'verdicts'] },
]

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/[^a-z0-9_]/g, '_')

export function prometheusText(health: Record<string, unknown>): string {
  const lines: string[] = []
  const done = new Set<string>()
  const section = (name: string) => (health[name] && typeof health[name] === 'object' ? (health[name] as Record<string, unknown>) : undefined)
  const forwarder = section('forwarder')
  if (forwarder) {
    lines.push('# HELP gw_forwarder_enabled 1 when readings are forwarded to InfluxDB', '# TYPE gw_forwarder_enabled gauge', `gw_forwarder_enabled ${forwarder.enabled ? 1 : 0}`)
    done.add('forwarder.enabled')
  }
  for (const m of METRICS) {
    const value = section(m.path[0])?.[m.path[1]]
    if (typeof value !== 'number') continue
    lines.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`, `${m.name} ${value * (m.scale ?? 1)}`)
    done.add(m.path.join('.'))
  }
  for (const [name, obj] of Object.entries(health)) {
    if (!obj || typeof obj !== 'object') continue
    for (const [key, value] of Object.entries(obj as Record<string, unknown>)) {
      if (typeof value !== 'number' || done.has(`${name}.${key}`)) continue
      const metric = `gw_${snake(name)}_${snake(key)}`
      lines.push(`# TYPE ${metric} untyped`, `${metric} ${value}`)
    }
  }
  return lines.join('\n') + '\n'
}
