/**
 * The real InfluxDB the dashboard tests query: the shared test server
 * (test/helpers/influx-server.ts, Debian's influxd on loopback), with a query call that
 * returns InfluxDB's answer as it is, errors included, for the checker to judge.
 */
import { startInfluxServer } from '../helpers/influx-server.js'

export interface InfluxFixture {
  url: string
  /** Runs InfluxQL statements (`;`-separated allowed) and returns the raw JSON answer. */
  query(q: string, db?: string): Promise<InfluxResponse>
  stop(): Promise<void>
}

export interface InfluxSeries {
  name: string
  tags?: Record<string, string>
  columns: string[]
  values: unknown[][]
}

export interface InfluxStatementResult {
  statement_id: number
  series?: InfluxSeries[]
  error?: string
}

export interface InfluxResponse {
  results: InfluxStatementResult[]
  error?: string
}

export async function startInflux(): Promise<InfluxFixture> {
  const server = await startInfluxServer()
  return {
    url: server.url,
    stop: () => server.close(),
    async query(q, db) {
      const body = new URLSearchParams({ q, epoch: 'ms', ...(db ? { db } : {}) })
      const res = await fetch(`${server.url}/query`, { method: 'POST', body })
      const json = (await res.json()) as Partial<InfluxResponse>
      if (!res.ok && !json.error) throw new Error(`InfluxDB ${res.status} for ${q}`)
      return { results: json.results ?? [], ...(json.error ? { error: json.error } : {}) }
    },
  }
}
