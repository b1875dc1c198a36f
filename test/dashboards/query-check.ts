/**
 * Checks a dashboard's InfluxQL two ways, because InfluxDB answers a misspelt field or tag
 * with an empty result, not an error:
 * - staticProblems: every identifier the query reads must be a field or tag of the
 *   measurements it names in dashboards/influx-schema.ts (or a subquery's alias);
 * - resultProblems: run against real data, the query must return series, with exactly the
 *   columns its SELECT names, each holding values, and every GROUP BY tag set.
 */
import { fieldsOf, MEASUREMENTS, tagsOf, type MeasurementKey } from '../../dashboards/influx-schema.js'
import type { InfluxResponse, InfluxSeries } from './influx-fixture.js'

export interface Substitution {
  vars: Readonly<Record<string, string>>
  from: number
  to: number
  interval: string
}

/** Grafana's interpolation of the InfluxDB macros and dashboard variables. */
export function substitute(query: string, s: Substitution): string {
  let q = query.replaceAll('$timeFilter', `time >= ${s.from}ms and time <= ${s.to}ms`).replaceAll('$__interval', s.interval)
  for (const name of Object.keys(s.vars).sort((a, b) => b.length - a.length)) {
    const value = s.vars[name] ?? ''
    q = q.replaceAll(`\${${name}}`, value).replace(new RegExp(`\\$${name}(?![A-Za-z0-9_])`, 'g'), value)
  }
  const left = /\$\{?[A-Za-z_][A-Za-z0-9_]*/.exec(q)
  if (left) throw new Error(`unresolved variable ${left[0]} in ${q}`)
  return q
}

/** Variables a query refers to, among `known`. */
export function variablesIn(query: string, known: readonly string[]): string[] {
  return known.filter((n) => query.includes(`\${${n}}`) || new RegExp(`\\$${n}(?![A-Za-z0-9_])`).test(query))
}

/** The query with everything inside parentheses and quotes blanked: what is left is the top level. */
function topLevel(query: string): string {
  let depth = 0
  let quote: string | undefined
  let out = ''
  for (const ch of query) {
    if (quote) {
      out += ' '
      if (ch === quote) quote = undefined
      continue
    }
    if (ch === '"' || ch === "'") {
      quote = ch
      out += depth === 0 ? ch : ' '
      continue
    }
    if (ch === '(') depth++
    out += depth === 0 ? ch : ' '
    if (ch === ')') depth--
  }
  return out
}

function measurementOf(rp: string, name: string): MeasurementKey | undefined {
  return (Object.keys(MEASUREMENTS) as MeasurementKey[]).find((k) => MEASUREMENTS[k].rp === rp && MEASUREMENTS[k].name === name)
}

const IDENT = /"((?:[^"\\]|\\.)*)"/g

export function staticProblems(query: string): string[] {
  const problems: string[] = []
  const known = new Set<string>()
  for (const m of query.matchAll(/FROM\s+"([^"]+)"\."([^"]+)"/g)) {
    const [, rp = '', name = ''] = m
    const key = measurementOf(rp, name)
    if (!key) {
      problems.push(`unknown measurement "${rp}"."${name}"`)
      continue
    }
    for (const n of [rp, name, ...fieldsOf(key), ...tagsOf(key)]) known.add(n)
  }
  // Aliases may be read by the query around the subquery that defines them, nowhere else.
  for (const sub of query.matchAll(/FROM\s+\((.*)\)/g)) {
    for (const a of (sub[1] ?? '').matchAll(/AS\s+"([^"]+)"/g)) known.add(a[1] ?? '')
  }
  const withoutAliases = query.replace(/AS\s+"(?:[^"\\]|\\.)*"/g, '').replace(/'(?:[^'\\]|\\.)*'/g, "''")
  for (const m of withoutAliases.matchAll(IDENT)) {
    const ident = m[1] ?? ''
    if (!known.has(ident)) problems.push(`"${ident}" is no field or tag of the measurements queried`)
  }
  return problems
}

/** Column names the top-level SELECT produces (after `time`). */
export function expectedColumns(query: string): string[] {
  const top = topLevel(query)
  const start = top.indexOf('SELECT ') + 'SELECT '.length
  const end = top.indexOf(' FROM ')
  const items: string[] = []
  let from = start
  for (let i = start; i <= end; i++) {
    if (i === end || top[i] === ',') {
      items.push(query.slice(from, i).trim())
      from = i + 1
    }
  }
  return items.map((item) => /AS\s+"([^"]+)"$/.exec(item)?.[1] ?? /^"([^"]+)"$/.exec(item)?.[1] ?? /^(\w+)\(/.exec(item)?.[1] ?? item)
}

/** Tags of the top-level GROUP BY (not `time(...)`). */
export function groupTags(query: string): string[] {
  const top = topLevel(query)
  const at = top.indexOf(' GROUP BY ')
  if (at < 0) return []
  const rest = top.slice(at + ' GROUP BY '.length)
  const end = rest.search(/ fill\(| ORDER BY | LIMIT /)
  const clause = query.slice(at + ' GROUP BY '.length).slice(0, end < 0 ? undefined : end)
  return [...clause.matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? '')
}

/** Problems with the answers to one query run once per variable combination. */
export function resultProblems(query: string, responses: readonly InfluxResponse[]): string[] {
  const problems: string[] = []
  const series: InfluxSeries[] = []
  for (const r of responses) {
    if (r.error) problems.push(`InfluxDB error: ${r.error}`)
    for (const s of r.results) {
      if (s.error) problems.push(`InfluxDB error: ${s.error}`)
      series.push(...(s.series ?? []))
    }
  }
  if (series.length === 0) return [...problems, 'no series returned']
  const columns = expectedColumns(query)
  for (const s of series) {
    const got = s.columns.slice(1).join(', ')
    if (got !== columns.join(', ')) problems.push(`series ${s.name} has columns [${got}], expected [${columns.join(', ')}]`)
  }
  columns.forEach((col, i) => {
    if (!series.some((s) => s.values.some((row) => row[i + 1] !== null && row[i + 1] !== undefined))) {
      problems.push(`column "${col}" has no value in any series`)
    }
  })
  for (const tag of groupTags(query)) {
    if (!series.some((s) => (s.tags?.[tag] ?? '') !== '')) problems.push(`no series carries a value for GROUP BY tag "${tag}"`)
  }
  return problems
}
