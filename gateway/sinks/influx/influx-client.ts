/**
 * The gateway's connection to InfluxDB over the v1 HTTP API (node-influx): InfluxDB 1.x, and
 * 2.x/3.x through their v1 compatibility endpoints. Creates the layout of influx-schema.ts,
 * writes points with ms precision (alert points in µs: writePrecision), deletes re-routed points, recomputes hourly roll-ups.
 * The forwarder owns retrying: node-influx's own host back-off and retries are switched off.
 */
import { FieldType, InfluxDB, type IPoint, type IPoolOptions, type ISchemaOptions } from 'influx'
import type { InfluxConfig } from '../../config.js'
import {
  CONTINUOUS_QUERY,
  DOWNSAMPLED_FIELDS,
  MEASUREMENTS,
  continuousQueryStatement,
  downsampleSelect,
  ident,
  retentionPolicies,
  retentionPolicyStatement,
  tagIn,
  timeRange,
  writePrecision,
  type MeasurementName,
} from './influx-schema.js'
import { InfluxRefusedError } from './influx-errors.js'
import { floatPointLines } from './line-protocol.js'
import { LineWriter } from './line-writer.js'

/** What the forwarder needs from InfluxDB (a fake in unit tests). */
export interface InfluxSink {
  /** Creates the database, retention policies and continuous query where missing. */
  setup(): Promise<void>
  write(measurement: Exclude<MeasurementName, 'telemetry_1h'>, points: IPoint[]): Promise<void>
  /** Deletes the device's reading points (commissioning, telemetry, hourly roll-up) in [from, to]. */
  purge(deviceId: string, from: number, to: number): Promise<void>
  /** Recomputes the hourly roll-up of the devices' telemetry for the hours covering [from, to]. */
  downsample(deviceIds: readonly string[], from: number, to: number): Promise<void>
}

/** InfluxQL results as the v1 /query endpoint returns them. */
export interface QueryResult {
  error?: string
  series?: { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[]
}

export { InfluxRefusedError }

const HOUR = 3600_000
// InfluxDB stores int64 ns: its last representable instant is in 2262; open windows end here.
const MAX_TIME_MS = 9_000_000_000_000

// node-influx would take a failed host out of its pool for a while; the forwarder backs off instead.
const noBackoff: NonNullable<IPoolOptions['backoff']> = { getDelay: () => 0, next: () => noBackoff, reset: () => noBackoff }
const REQUEST_TIMEOUT_MS = 15_000

/** The reading measurements: all-float fields, written through line-protocol.ts instead of node-influx's writePoints. */
const FLOAT_POINTS = new Set<string>(['commissioning', 'telemetry'])

export class InfluxConnection implements InfluxSink {
  readonly client: InfluxDB
  readonly database: string
  private readonly lines: LineWriter

  constructor(private readonly config: InfluxConfig) {
    const url = new URL(config.url)
    this.database = config.database
    this.client = new InfluxDB({
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
      protocol: url.protocol === 'https:' ? 'https' : 'http',
      path: url.pathname.replace(/\/$/, ''),
      database: config.database,
      ...(config.username !== undefined ? { username: config.username, password: config.password ?? '' } : {}),
      pool: { maxRetries: 0, requestTimeout: REQUEST_TIMEOUT_MS, backoff: noBackoff },
      // Integer fields must be declared: node-influx writes plain numbers as floats.
      schema: integerSchemas(),
    })
    this.lines = new LineWriter({ url: config.url, database: config.database, username: config.username, password: config.password, timeoutMs: REQUEST_TIMEOUT_MS })
  }

  async setup(): Promise<void> {
    const db = this.database
    await this.tolerant(`CREATE DATABASE ${ident(db)}`)
    const existing = await this.rows(`SHOW RETENTION POLICIES ON ${ident(db)}`).catch(() => [])
    const names = new Set(existing.map((r) => r.name))
    for (const rp of retentionPolicies(this.config.inServiceRetention)) {
      // An existing policy is left as the operator set it.
      if (names.has(rp.name)) continue
      await this.tolerant(retentionPolicyStatement(db, rp))
    }
    const cqs = await this.rows('SHOW CONTINUOUS QUERIES').catch(() => [])
    const current = cqs.find((r) => r._measurement === db && r.name === CONTINUOUS_QUERY)
    // A query created before a channel was added lacks its fields: replace it.
    const complete = current !== undefined && DOWNSAMPLED_FIELDS.every((f) => String(current.query).includes(f))
    if (current && !complete) await this.tolerant(`DROP CONTINUOUS QUERY ${ident(CONTINUOUS_QUERY)} ON ${ident(db)}`)
    if (!complete) await this.tolerant(continuousQueryStatement(db))
  }

  async write(measurement: Exclude<MeasurementName, 'telemetry_1h'>, points: IPoint[]): Promise<void> {
    if (points.length === 0) return
    const { rp } = MEASUREMENTS[measurement]
    // Readings, by far the most points: one string per request, no per-point schema pass.
    if (FLOAT_POINTS.has(measurement)) return this.lines.write(floatPointLines(points), rp, writePrecision(measurement))
    try {
      await this.client.writePoints(points, { database: this.database, retentionPolicy: rp, precision: writePrecision(measurement) })
    } catch (err) {
      throw classify(err)
    }
  }

  async purge(deviceId: string, from: number, to: number): Promise<void> {
    const end = Math.min(to, MAX_TIME_MS)
    const device = tagIn('device_id', [deviceId])
    await this.run(`DELETE FROM ${ident('commissioning')} WHERE ${device} AND ${timeRange(from, end)}`)
    await this.run(`DELETE FROM ${ident('telemetry')} WHERE ${device} AND ${timeRange(from, end)}`)
    const h0 = Math.floor(from / HOUR) * HOUR
    const h1 = Math.min(Math.floor(end / HOUR) * HOUR + HOUR, MAX_TIME_MS)
    await this.run(`DELETE FROM ${ident('telemetry_1h')} WHERE ${device} AND ${timeRange(h0, h1, true)}`)
    await this.downsample([deviceId], h0, h1 - 1)
  }

  async downsample(deviceIds: readonly string[], from: number, to: number): Promise<void> {
    if (deviceIds.length === 0) return
    const h0 = Math.floor(from / HOUR) * HOUR
    const h1 = Math.min(Math.floor(to / HOUR) * HOUR + HOUR, MAX_TIME_MS)
    await this.run(downsampleSelect(this.database, `${tagIn('device_id', deviceIds)} AND ${timeRange(h0, h1, true)}`))
  }

  /** Runs InfluxQL (POST) and returns its results; an error inside the results throws. */
  async query(q: string): Promise<QueryResult[]> {
    let json: { results?: QueryResult[]; error?: string }
    try {
      json = (await this.client.queryRaw(q, { database: this.database, precision: 'ms', method: 'POST' })) as typeof json
    } catch (err) {
      throw classify(err)
    }
    if (json.error) throw new InfluxRefusedError(json.error)
    for (const r of json.results ?? []) if (r.error) throw new InfluxRefusedError(r.error)
    return json.results ?? []
  }

  /** All rows of the first statement's series as objects, tags included. */
  async rows(q: string): Promise<Record<string, unknown>[]> {
    const [first] = await this.query(q)
    const out: Record<string, unknown>[] = []
    for (const s of first?.series ?? []) {
      for (const v of s.values) {
        const row: Record<string, unknown> = { ...s.tags, _measurement: s.name }
        s.columns.forEach((c, i) => (row[c] = v[i]))
        out.push(row)
      }
    }
    return out
  }

  private async run(q: string): Promise<void> {
    await this.query(q)
  }

  /**
   * Setup statements an InfluxDB 2.x/3.x v1 endpoint refuses (no CREATE DATABASE there:
   * buckets and DBRP mappings are made by its admin) are skipped; a server that does not
   * answer is retried by the caller.
   */
  private async tolerant(q: string): Promise<void> {
    try {
      await this.run(q)
    } catch (err) {
      if (!(err instanceof InfluxRefusedError)) throw err
    }
  }
}

const NODE_INFLUX_TYPE = { float: FieldType.FLOAT, integer: FieldType.INTEGER, string: FieldType.STRING } as const

/**
 * node-influx schemas for the measurements with integer or string fields (the contract's
 * types); the all-float reading measurements need none, and a schema there would only cost a
 * check per field.
 */
function integerSchemas(): ISchemaOptions[] {
  const out: ISchemaOptions[] = []
  for (const m of Object.values(MEASUREMENTS)) {
    const types = Object.entries<'float' | 'integer' | 'string'>(m.fields)
    if (types.every(([, t]) => t === 'float')) continue
    const fields: ISchemaOptions['fields'] = {}
    for (const [name, t] of types) fields[name] = NODE_INFLUX_TYPE[t]
    out.push({ measurement: m.name, tags: [...m.tags], fields })
  }
  return out
}

/** 4xx answers and errors in results: refused; anything else (no answer, 5xx): try again later. */
function classify(err: unknown): Error {
  if (err instanceof InfluxRefusedError) return err
  const e = err as { res?: { statusCode?: number }; message?: string }
  const status = e.res?.statusCode
  if (status !== undefined && status >= 400 && status < 500) return new InfluxRefusedError(`InfluxDB answered ${status}: ${e.message ?? ''}`.trim())
  return err instanceof Error ? err : new Error(String(err))
}
