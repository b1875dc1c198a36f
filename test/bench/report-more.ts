/**
 * The bench's tables and verdict lines for the scenarios with their own drivers: PUBACK latency
 * with a big open step, reading-to-verdict latency, mosquitto → Node-RED → InfluxDB, and idle
 * connections. Each figure is printed with its same-run comparison and MET / MISSED.
 */
import { CONN_TARGET_BYTES, type ConnOutcome } from './conn-scenario.js'
import type { AckLatencyOutcome, VerdictOutcome } from './job-scenarios.js'
import { pct, rssMb, type Outcome } from './report.js'
import type { StackInstall } from './stack-install.js'
import type { StackOutcome } from './stack.js'
import { median } from '../../rules/steps/test-run/series.js'
import { fmtInt, fmtMs, mb, table } from './stats.js'

/** A stack run and, for the ratio, the gateway → InfluxDB run right after it (same payload shape). */
export interface StackRun {
  stack: StackOutcome
  gateway?: Outcome
}

export interface MoreResults {
  ackLatency: AckLatencyOutcome[]
  verdict: VerdictOutcome | undefined
  stacks: StackRun[]
  install: StackInstall | undefined
  /** The gateway → InfluxDB outcomes of the main run (a stack run without a pair is compared with these). */
  forwarding: Outcome[]
  conns: readonly ConnOutcome[]
  clients: number
  window: number
}

/** Lines to print, and every acknowledged reading found missing. */
export function reportMore(r: MoreResults): { text: string[]; lost: string[] } {
  const out: string[] = []
  const lost: string[] = []
  const section = (lines: string[]): void => {
    out.push('')
    for (const line of lines) out.push(line)
  }
  if (r.ackLatency.length > 0) section(ackLines(r.ackLatency, lost))
  if (r.verdict) section(verdictLines(r.verdict))
  if (r.stacks.length > 0 && r.install) section(stackLines(r, r.install))
  if (r.conns.length > 0) section(r.conns.flatMap(connLines))
  return { text: out, lost }
}

function ackLines(rows: AckLatencyOutcome[], lost: string[]): string[] {
  const out = [
    `PUBACK latency of 4 unrelated devices (one single-reading QoS 1 message each every 20 ms, GW_SYNC=normal) while a job's meter ` +
      'sends 3-channel readings at 10 Hz into an open 24 h VRF tightness step (vrf-r410a), without and with a bulk of readings loaded into that step first:',
    '',
    reportAckLatency(rows),
    "bulk load = the meter's own MQTT ingest, arrays of 500 samples, before it was attached; first verdict = GET /verdict right after the step started.",
  ]
  out.push(
    'reading→verdict = after the PUBACK run, readings that continue the hold, one at a time: publish → the first v1/jobs/<id>/status message ' +
      "whose hold_duration shows that reading's device time (the hold's start from GET /verdict's evidence).",
  )
  // Shows that the bulk really is in the open step: the hold's measured duration covers it.
  for (const o of rows) out.push(`${o.id}: the tightness step in the first verdict: ${o.setup.tightness}`)
  const quiet = rows.find((o) => o.id === 'ack-quiet')
  const big = rows.find((o) => o.id === 'ack-500k')
  if (quiet && big) {
    const ratio = big.paced.latency.p99 / quiet.paced.latency.p99
    out.push(
      `PUBACK p99 with ${fmtInt(big.jobReadings)} readings in an open step: ${fmtMs(big.paced.latency.p99)} ms vs ${fmtMs(quiet.paced.latency.p99)} ms without = ` +
        `${ratio.toFixed(2)}× (target ≤ 1.5×) ${ratio <= 1.5 && big.paced.unanswered === 0 ? 'MET' : 'MISSED'}` +
        (big.paced.unanswered > 0 ? `; ${fmtInt(big.paced.unanswered)} publishes got no PUBACK` : ''),
    )
  }
  if (quiet && big) {
    out.push(
      `reading-to-verdict p99 with ${fmtInt(big.jobReadings)} readings in the open step: ${fmtMs(big.probe.latency.p99)} ms vs ${fmtMs(quiet.probe.latency.p99)} ms without` +
        (big.probe.missed > 0 ? `; ${big.probe.missed} of ${big.probe.probes} readings never shown within 10 s: MISSED` : ''),
    )
  }
  for (const o of rows) {
    if (o.stored.rows < o.stored.acknowledged) lost.push(`${o.id}: ${o.stored.rows} readings in SQLite of ${o.stored.acknowledged} acknowledged`)
    if (o.live.acked !== o.live.sent) out.push(`${o.id}: MISSED: the live meter got ${o.live.acked} PUBACKs for ${o.live.sent} readings within 30 s`)
  }
  return out
}

function verdictLines(verdict: VerdictOutcome): string[] {
  const v = verdict.probe
  return [
    `reading-to-verdict: ${fmtInt(v.probes)} readings of an attached meter, one at a time, into an open tightness step; each raises the pressure, ` +
      "so the step's test_pressure check shows it as `measured`; latency = publish → the first v1/jobs/<id>/status message (subscribed by that meter) showing it.",
    `reading-to-verdict p50 ${fmtMs(v.latency.p50)} ms, p99 ${fmtMs(v.latency.p99)} ms, max ${fmtMs(v.latency.max)} ms` +
      (v.missed > 0 ? `; ${fmtInt(v.missed)} of ${fmtInt(v.probes)} readings never showed in a status message within 10 s: MISSED` : ''),
  ]
}

const stackConfig = (st: StackOutcome): string => (st.maxQueued === undefined ? 'mosquitto defaults' : st.maxQueued === 0 ? 'no queue limit' : `max_queued_messages ${st.maxQueued}`)

function stackLines(r: MoreResults, i: StackInstall): string[] {
  const out = [
    `What users build instead: Debian mosquitto ${i.mosquittoVersion} (its defaults: max_queued_messages 1000, max_inflight_messages 20; -nolimit: max_queued_messages 0) ` +
      `→ Node-RED ${i.nodeRedVersion} (node ${process.version}) mqtt in, QoS 1 → function (points, batches of ≤ 5000 or 50 ms) → influxdb batch ` +
      `(node-red-contrib-influxdb ${i.influxNodeVersion}) → the same influxd; the same load (${r.clients} connections × ${r.window} in flight). ` +
      (i.installed.length > 0 ? `Installed by this run, on demand: ${i.installed.join('; ')}.` : `Installed on demand by the bench (apt-get mosquitto; npm into ${i.nodeRedDir}); already there.`),
    '',
    reportStack(r.stacks, r.forwarding),
    'readings/s = readings in InfluxDB / (first publish → the last time influxd took points, from its write statistics); lost = acknowledged by mosquitto (PUBACK), never in InfluxDB.',
    'With mosquitto defaults each stack run is paired with the gateway scenario of the same shape, run just before or after it (the gateway first in every other pair), each side started once the machine is quiet (under 15 % busy, at most BENCH_QUIET_WAIT_S); the ratio is the median of the pairs.',
  ]
  const shape = (st: StackOutcome) => `${st.kind === 'single' ? '1 reading' : '8 readings'}/msg, ${stackConfig(st)}`
  const lossOf = (st: StackOutcome) => `${fmtInt(st.acknowledged - st.inInflux)} of ${fmtInt(st.acknowledged)} (${((100 * (st.acknowledged - st.inInflux)) / st.acknowledged).toFixed(1)}%)`
  const gatewayLost = (o: Outcome) => (o.forwarding ? o.forwarding.acknowledged - o.forwarding.inInflux : 0)
  for (const id of [...new Set(r.stacks.map((x) => x.stack.id))]) {
    const runs = r.stacks.filter((x) => x.stack.id === id)
    const st = runs[0]!.stack
    const pairs = runs.filter((x) => x.gateway?.forwarding)
    const unpaired = r.forwarding.find((o) => o.scenario.kind === st.kind)
    const gateways = pairs.length > 0 ? pairs.map((x) => x.gateway!) : unpaired ? [unpaired] : []
    let ratio = `the stack ${fmtInt(st.readingsPerSec)} readings/s (run gw-influx / gw8-influx for the ratio); `
    if (pairs.length > 0) {
      const ratios = pairs.map((x) => x.gateway!.forwarding!.readingsPerSec / x.stack.readingsPerSec)
      const m = median(ratios)
      ratio =
        `${pairs.length} pair${pairs.length > 1 ? 's' : ''} side by side: gateway/stack ${ratios.map((x) => `${x.toFixed(2)}×`).join(', ')}; ` +
        `median ${m.toFixed(2)}× (target ≥ 1.5×) ${m >= 1.5 ? 'MET' : 'MISSED'}; `
    } else if (unpaired?.forwarding) {
      ratio = `gateway ${fmtInt(unpaired.forwarding.readingsPerSec)} readings/s into InfluxDB (main run, not paired) = ${(unpaired.forwarding.readingsPerSec / st.readingsPerSec).toFixed(2)}× the stack's ${fmtInt(st.readingsPerSec)}; `
    }
    out.push(
      `vs the stack (${shape(st)}): ${ratio}the stack lost ${runs.map((x) => lossOf(x.stack)).join(', ')} acknowledged readings` +
        (gateways.length > 0 ? `; the gateway lost ${fmtInt(gateways.reduce((n, o) => n + gatewayLost(o), 0))}` : ''),
    )
    for (const x of runs) for (const l of x.stack.logs) out.push(`  ${x.stack.id} log /${l.pattern}/ × ${fmtInt(l.count)}, first: ${l.first}`)
  }
  return out
}

function connLines(c: ConnOutcome): string[] {
  const failures = Object.entries(c.connect.failed).map(([why, n]) => `${n} × ${why}`).join(', ')
  const u = c.unforced
  if (u !== undefined) {
    // Not a MET/MISSED figure: "before" was taken after a forced GC, "after" is whatever the gateway did by itself.
    const collected = u.heapAtLowest < 0.8 * u.heapFirst
    return [
      `RSS per idle connection, connected all at once, NO forced GC (what the gateway does by itself)${failures ? `, FAILED: ${failures}` : ''}: ` +
        `1 s after the last CONNACK ${fmtInt(u.perConnBytesFirst)} bytes (RSS ${mb(c.rssBefore)} → ${mb(u.rssFirst)} MB; JS heap ${mb(u.heapFirst)} MB, the handshakes' garbage included); ` +
        (collected
          ? `after its own GC (V8's memory reducer) ${u.lowestAtS} s later ${fmtInt(u.perConnBytesLowest)} bytes (RSS ${mb(u.rssLowest)} MB, heap ${mb(u.heapAtLowest)} MB; ` +
            `its young generation shrank ${mb(c.youngBefore)} → ${mb(u.youngAfter)} MB, taken out of "before" too)`
          : `NO GC of its own within ${u.watchedS} s (lowest RSS ${mb(u.rssLowest)} MB, heap ${mb(u.heapAtLowest)} MB)`),
    ]
  }
  return [
    `idle connections: ${fmtInt(c.devices)} devices registered over the HTTP API in ${(c.registerMs / 1000).toFixed(1)} s (32 requests in parallel), ` +
      `then one raw-socket MQTT connection each from 127.0.0.2-127.0.0.9 (separate process, waves of 200 waiting for CONNACK, ` +
      `${c.steps === 1 ? 'all at once' : `in ${c.steps} parts a second apart`}): ` +
      `${fmtInt(c.connect.connected)} connected in ${(c.connect.ms / 1000).toFixed(1)} s${failures ? `, FAILED: ${failures}` : ''}; ` +
      `aedes counted ${fmtInt(c.brokerClients)}, ${fmtInt(c.stillOpen)} still open after 1 s idle.`,
    `RSS per idle connection, ${c.steps === 1 ? 'connected all at once' : `connected in ${c.steps} parts (slope over ${c.steps + 1} points)`} (gateway process, after a full GC): ${fmtInt(c.perConnBytes)} bytes ` +
      `(RSS ${mb(c.rssBefore)} → ${mb(c.rssAfter)} MB${c.steps === 1 ? '' : `, ${fmtInt(c.perConnBytesTwoPoint)} bytes each by the two ends`}; JS heap ${fmtInt(c.perConnHeapBytes)} bytes each) ` +
      `(target ≤ ${fmtInt(CONN_TARGET_BYTES)}) ${c.perConnBytes <= CONN_TARGET_BYTES && !failures ? 'MET' : 'MISSED'}`,
  ]
}

/** PUBACK latency of unrelated devices with and without 500k readings in an open step. */
export function reportAckLatency(rows: AckLatencyOutcome[]): string {
  const out: string[][] = [
    ['scenario', 'readings in step', 'bulk load s', 'first verdict ms', 'unrelated msgs', 'rate msg/s', 'PUBACK p50 ms', 'p99 ms', 'max ms', 'no PUBACK', 'live meter sent/acked', 'reading→verdict p50/p99 ms', 'CPU srv', 'srv RSS MB', 'heap MB', 'stored check'],
  ]
  for (const o of rows) {
    out.push([
      `${o.id}: ${o.label}`,
      fmtInt(o.jobReadings),
      (o.setup.bulkMs / 1000).toFixed(1),
      fmtInt(o.setup.firstVerdictMs),
      fmtInt(o.paced.messages),
      fmtInt(o.rateMsgPerSec),
      fmtMs(o.paced.latency.p50),
      fmtMs(o.paced.latency.p99),
      fmtMs(o.paced.latency.max),
      fmtInt(o.paced.unanswered),
      `${fmtInt(o.live.sent)}/${fmtInt(o.live.acked)}`,
      `${fmtMs(o.probe.latency.p50)}/${fmtMs(o.probe.latency.p99)}${o.probe.missed > 0 ? ` (${o.probe.missed} of ${o.probe.probes} never shown)` : ''}`,
      pct(o.serverCpu),
      mb(o.rss),
      mb(o.heapUsed),
      o.stored.rows >= o.stored.acknowledged ? `ok ${fmtInt(o.stored.rows)}` : `LOST: ${fmtInt(o.stored.rows)} rows of ${fmtInt(o.stored.acknowledged)} acknowledged`,
    ])
  }
  return table(out)
}

/** mosquitto → Node-RED → InfluxDB against the gateway → InfluxDB, per payload shape: each stack run and its pair. */
export function reportStack(runs: StackRun[], gateways: Outcome[]): string {
  const rows: string[][] = [['scenario', 'messages', 'acknowledged readings', 'in InfluxDB', 'lost', 's', 'readings/s into InfluxDB', 'PUBACK p50/p99 ms', 'CPU mosq/node-red/influxd', 'RSS MB mosq/node-red']]
  const gatewayRow = (gw: Outcome, label: string): void => {
    const f = gw.forwarding
    if (!f) return
    // The gateway's counts cover its whole run (warm-up included): lost = acknowledged − in InfluxDB.
    rows.push([
      label,
      fmtInt(gw.messages),
      fmtInt(f.acknowledged),
      fmtInt(f.inInflux),
      String(f.acknowledged - f.inInflux),
      f.seconds.toFixed(2),
      fmtInt(f.readingsPerSec),
      `${fmtMs(gw.run.latency.p50)}/${fmtMs(gw.run.latency.p99)}`,
      `-/${pct(gw.serverCpu)} gw/${pct(f.influxCpu)}`,
      `-/${mb(gw.after.rss)} gw`,
    ])
  }
  for (const kind of ['single', 'eight'] as const) {
    const ofKind = runs.filter((x) => x.stack.kind === kind)
    for (const { stack: st, gateway } of ofKind) {
      const missing = st.acknowledged - st.inInflux
      rows.push([
        `${st.id}: mosquitto → Node-RED → InfluxDB, ${kind === 'single' ? '1 reading' : '8 readings'}/msg, ${stackConfig(st)}`,
        fmtInt(st.messages),
        fmtInt(st.acknowledged),
        fmtInt(st.inInflux),
        missing === 0 ? '0' : `${fmtInt(missing)} (${((100 * missing) / st.acknowledged).toFixed(1)}%)`,
        st.seconds.toFixed(2),
        fmtInt(st.readingsPerSec),
        `${fmtMs(st.run.latency.p50)}/${fmtMs(st.run.latency.p99)}`,
        `${pct(st.cpu.mosquitto)}/${pct(st.cpu.nodeRed)}/${pct(st.cpu.influxd)}`,
        `${rssMb(st.rss.mosquitto)}/${rssMb(st.rss.nodeRed)}`,
      ])
      if (gateway) gatewayRow(gateway, `  its pair: ${gateway.scenario.id}: ${gateway.scenario.label}`)
    }
    const main = gateways.find((o) => o.scenario.kind === kind)
    if (main && ofKind.length > 0 && !ofKind.some((x) => x.gateway)) gatewayRow(main, `${main.scenario.id}: ${main.scenario.label}`)
  }
  return table(rows)
}
