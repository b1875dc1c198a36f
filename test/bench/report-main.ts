/**
 * The bench's main tables and verdict lines: MQTT ingest against plain aedes and the ceiling,
 * then the InfluxDB path against influxd alone.
 */
import { report, reportInflux, type InfluxBaseOutcome, type Outcome } from './report.js'
import { fmtInt, fmtMs } from './stats.js'

export interface MainResults {
  outcomes: Outcome[]
  influxBases: InfluxBaseOutcome[]
  influxVersion: string | undefined
  /** Points per InfluxDB write request (GW_INFLUX_BATCH). */
  influxBatch: number
}

export function reportMain(r: MainResults): string[] {
  const { outcomes, influxBases } = r
  const out: string[] = []
  const base = outcomes.find((o) => o.scenario.mode === 'baseline')
  const mqttOnly = outcomes.filter((o) => !o.scenario.forwards)
  const forwarding = outcomes.filter((o) => o.scenario.forwards)
  out.push('')
  if (mqttOnly.length > 0) out.push(report(mqttOnly, base))
  out.push('')
  for (const o of outcomes) {
    if (o.start.sqlite) {
      const q = o.start.sqlite
      const c = o.commits
      out.push(
        `${o.scenario.id}: measured SQLite synchronous=${q.synchronous}, journal_mode=${q.journalMode}, data dir on ${q.fsType}` +
          (c
            ? `; ${fmtInt(c.commits)} group commits, mean ${c.meanBatch.toFixed(0)} msgs (max ${c.maxBatch}), ` +
              `${c.meanMs.toFixed(2)} ms each = ${Math.round(c.loopShare * 100)}% of wall time in commit`
            : ''),
      )
    }
  }
  out.push('')
  if (mqttOnly.length > 0) {
    out.push('Baseline msg/s = messages received by the subscriber / (first publish → last message received).')
    out.push('Ceiling msg/s = messages acknowledged by an aedes whose authorizePublish resolves at once (no store, no subscriber) / (first publish → last PUBACK).')
    out.push('Gateway msg/s = messages acknowledged / (first publish → last PUBACK); a PUBACK follows the commit.')
    out.push('CPU = CPU time / wall time of each bench process (1 core = 100%); other CPU = the rest of the machine')
    out.push('(other processes, and kernel time not charged to ours) during the run; ⚠ = over 25%: that row is disturbed.')
    out.push('RSS and heap: server process after the run.')
  }
  if (outcomes.some((o) => o.attempts > 1)) out.push('² measured twice because the first run was disturbed; the less disturbed run is shown (retries only in the first 70 s).')
  out.push('')
  for (const o of mqttOnly.filter((x) => x.scenario.kind === 'single' && x.scenario.mode === 'gateway')) {
    if (!base) break
    const ratio = o.msgPerSec / base.msgPerSec
    out.push(
      `QoS1 single (${o.scenario.sync}): ratio ${ratio.toFixed(2)}× of baseline (${fmtInt(o.msgPerSec)} vs ${fmtInt(base.msgPerSec)} msg/s) ` +
        `(target ≥ 0.8×) ${ratio >= 0.8 ? 'MET' : 'MISSED'}`,
    )
  }
  for (const o of mqttOnly.filter((x) => x.scenario.kind === 'eight' && x.scenario.mode === 'gateway')) {
    out.push(
      `8-reading (${o.scenario.sync}): ${fmtInt(o.readingsPerSec)} readings/s (target ≥ 150,000) ${o.readingsPerSec >= 150_000 ? 'MET' : 'MISSED'}`,
    )
  }
  for (const o of mqttOnly.filter((x) => x.scenario.mode === 'gateway')) {
    const ceiling = mqttOnly.find((x) => x.scenario.mode === 'ceiling' && x.scenario.kind === o.scenario.kind)
    if (!ceiling) continue
    out.push(
      `ceiling (${o.scenario.kind === 'single' ? '1 reading' : '8 readings'}/msg, ${o.scenario.sync}): the gateway acknowledges ${fmtInt(o.msgPerSec)} msg/s = ` +
        `${(o.msgPerSec / ceiling.msgPerSec).toFixed(2)}× of aedes acknowledging with nothing stored (${fmtInt(ceiling.msgPerSec)} msg/s)`,
    )
  }
  if (influxBases.length > 0 || forwarding.length > 0) {
    out.push('')
    out.push(`InfluxDB path: Debian influxd ${r.influxVersion ?? '?'} on the same machine, loopback; the gateway forwards batches of ${r.influxBatch} points (GW_INFLUX_BATCH), one request in flight.`)
    out.push('')
    out.push(reportInflux(influxBases, forwarding))
    out.push('')
    out.push('InfluxDB alone: pre-encoded line protocol of the same points (same measurement, tag, fields, rp, precision, batch size), POSTed')
    out.push('to /write one request at a time by a bare client; readings/s = readings / (first request → last 204).')
    out.push('Gateway → InfluxDB: readings / (first publish → forwarder backlog empty), i.e. acknowledged over MQTT, stored in SQLite and in InfluxDB;')
    out.push('lag = age of the oldest acknowledged reading not yet in InfluxDB, sampled every 50 ms while the load ran; drain = last PUBACK → backlog empty.')
    out.push('CPU gw = gateway process (both threads) over the whole run, drain included; RSS and heap after the run.')
    out.push('"in InfluxDB" counts the readings there after the run (warm-up included).')
    for (const o of forwarding) {
      const f = o.forwarding!
      const b = influxBases.find((x) => x.scenario.kind === o.scenario.kind)
      // The same gateway scenario without InfluxDB: what forwarding costs the ingest.
      const plain = mqttOnly.find((x) => x.scenario.mode === 'gateway' && x.scenario.kind === o.scenario.kind && x.scenario.sync === o.scenario.sync)
      out.push(
        `InfluxDB path (${o.scenario.kind === 'single' ? '1 reading' : '8 readings'}/msg): ${fmtInt(f.readingsPerSec)} readings/s into InfluxDB` +
          (b ? ` = ${(f.readingsPerSec / b.readingsPerSec).toFixed(2)}× of InfluxDB alone (${fmtInt(b.readingsPerSec)})` : '') +
          (plain ? `, ${(o.readingsPerSec / plain.readingsPerSec).toFixed(2)}× of the gateway's ingest without InfluxDB (${fmtInt(plain.readingsPerSec)})` : '') +
          `; lag under load p99 ${fmtMs(f.lag.lagP99)} ms, backlog ≤ ${fmtInt(f.lag.backlogMax)} readings, empty ${fmtInt(f.lag.drainMs)} ms after the last PUBACK`,
      )
    }
  }
  return out
}
