/**
 * Summarizes a V8 .cpuprofile (e.g. from BENCH_PROFILE=<dir> npm run bench): top functions by
 * self time, self time by package, and inclusive time of the functions that matter for ingest.
 *
 *   npx tsx test/bench/profile-top.ts <file.cpuprofile> [topN]
 */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

const [file, topArg] = process.argv.slice(2)
if (!file) {
  console.error('usage: tsx test/bench/profile-top.ts <file.cpuprofile> [topN]')
  process.exit(2)
}
const top = Number(topArg ?? 25)
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile

const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)

const shortUrl = (url: string): string => {
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length)
  const root = url.indexOf('/work/main/')
  if (root >= 0) return url.slice(root + '/work/main/'.length)
  return url.replace(/^file:\/\//, '')
}
const frameKey = (n: ProfileNode): string =>
  `${n.callFrame.functionName || '(anonymous)'}  ${shortUrl(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`
const packageOf = (n: ProfileNode): string => {
  const url = n.callFrame.url
  if (!url) return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : '(native / builtin)'
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!
  }
  if (url.startsWith('node:')) return 'node: core'
  const root = url.indexOf('/work/main/')
  if (root >= 0) return url.slice(root + '/work/main/'.length).split('/').slice(0, 2).join('/')
  return url
}

const self = new Map<string, number>()
const pkg = new Map<string, number>()
const inclusive = new Map<string, number>()
let total = 0
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0
  total += dt
  const node = byId.get(id)
  if (!node) return
  self.set(frameKey(node), (self.get(frameKey(node)) ?? 0) + dt)
  pkg.set(packageOf(node), (pkg.get(packageOf(node)) ?? 0) + dt)
  const seen = new Set<string>()
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur)!
    const k = frameKey(n)
    if (seen.has(k)) continue
    seen.add(k)
    inclusive.set(k, (inclusive.get(k) ?? 0) + dt)
  }
})

const idle = [...self.entries()].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0)
const busy = total - idle
const pct = (us: number, of: number): string => `${((100 * us) / of).toFixed(1)}%`.padStart(6)
const ms = (us: number): string => `${(us / 1000).toFixed(0)} ms`.padStart(9)

console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s not idle (percentages below are of not-idle time)\n`)
console.log('self time by package')
for (const [k, v] of [...pkg.entries()].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${ms(v)} ${pct(v, busy)}  ${k}`)
console.log(`\ntop ${top} functions by self time`)
for (const [k, v] of [...self.entries()].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(v)} ${pct(v, busy)}  ${k}`)
const interesting = /parseTelemetry|parseItem|safeParse|parseJson|JSON|handle |append|flush|tracedFlush|storeOne|commitBatch|run  |transaction|authorizePublish|settle|receiveTimeFor|nextBatch|writeToStream|parse  .*mqtt-packet|_parsePublish|enqueuePublish|handlePublish|guardedRead|scan/
// The InfluxDB forwarder's side (same event loop): outbox reads, point building, node-influx, HTTP.
const forwarding = /cycle  gateway\/forwarder|forward  gateway\/forwarder|write  gateway\/forwarder|read  gateway\/forwarder|batch  gateway\/forwarder|forwarded  gateway|routePoints|writePoints|parsePoint|request  influx|_flushOutput/
console.log('\ninclusive time of ingest-path functions')
for (const [k, v] of [...inclusive.entries()].filter(([k]) => interesting.test(k)).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(v)} ${pct(v, busy)}  ${k}`)
const forwarder = [...inclusive.entries()].filter(([k]) => forwarding.test(k)).sort((a, b) => b[1] - a[1])
if (forwarder.length > 0) {
  console.log('\ninclusive time of InfluxDB forwarder functions')
  for (const [k, v] of forwarder.slice(0, top)) console.log(`${ms(v)} ${pct(v, busy)}  ${k}`)
}
