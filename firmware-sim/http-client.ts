/**
 * A small client for the gateway's admin API (JSON, bearer token). Every non-2xx answer
 * becomes an HttpError carrying the status and the body, so a failed run says exactly
 * which call the gateway refused and why.
 */
import { z } from 'zod'
import { VerdictOutlineSchema, type VerdictOutline } from '../contract/verdict.js'
import type { InstallationRecord } from '../rules/record/record-schema.js'
import type { AlertOutline } from './alert-expectation.js'
import type { DeviceKind, StepFacts, StepId, UnitSpec } from './scenario.js'

export class HttpError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${url} → HTTP ${status}: ${body.length > 500 ? body.slice(0, 500) + '…' : body || '(empty body)'}`)
    this.name = 'HttpError'
  }

  /** The gateway's error code from `{error: {code, message}}`, if the body has one. */
  get code(): string | undefined {
    try {
      const parsed = ErrorBody.safeParse(JSON.parse(this.body))
      return parsed.success ? parsed.data.error.code : undefined
    } catch {
      return undefined
    }
  }
}

const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) })

export const DeviceCredentialsSchema = z.object({ id: z.string().min(1), secret: z.string().min(1) })
export type DeviceCredentials = z.infer<typeof DeviceCredentialsSchema>

// Loose on purpose (contract/verdict.ts, VerdictOutlineSchema): the sim prints the verdict and
// compares its status; fields the gateway adds later must not break it.
export const VerdictSchema = VerdictOutlineSchema
export type Verdict = VerdictOutline

export interface AdminClientOptions {
  baseUrl: string
  token: string
  /** Per request; default 10 s. */
  timeoutMs?: number
  fetch?: typeof fetch
}

export interface AdminClient {
  registerDevice(d: { id: string; kind: DeviceKind; model?: string; bridgeFor?: string[] }): Promise<DeviceCredentials>
  createJob(job: { id: string; installerId?: string; rulePack: string; unit: UnitSpec }): Promise<void>
  attachDevice(jobId: string, deviceId: string, at?: number, roles?: Partial<Record<string, string>>): Promise<void>
  /** S15: confirm the work order (after photos, location and barcode). */
  confirmWorkOrder(jobId: string): Promise<void>
  /** A step's start or stop; a start may carry the installer's declared facts. */
  stepMarker(jobId: string, step: StepId, action: 'start' | 'stop' | 'isolate', at?: number, facts?: StepFacts): Promise<void>
  /** Declares fields of the installation record (a field sent again replaces the earlier value). */
  declareRecord(jobId: string, fields: InstallationRecord): Promise<void>
  verdict(jobId: string): Promise<Verdict>
  /** Issue 11: closes a commissioning job; its units enter service at `at`. */
  closeJob(jobId: string, at?: number): Promise<void>
  /** Issue 11: registers a unit as in service directly. */
  registerInService(deviceId: string, body: InServiceRegistration): Promise<void>
  /** Issue 11: every alert of a unit (all states), oldest first, following the cursor. */
  alertsOf(deviceId: string): Promise<AlertOutline[]>
}

export interface InServiceRegistration {
  pack: string
  unit: UnitSpec
  site?: string
  region?: string
  installerId?: string
  tags?: string[]
  since?: number
}

// Loose on purpose, like the verdict: the sim compares fault, severity, state and time.
export const AlertOutlineSchema = z.looseObject({
  id: z.string(),
  deviceId: z.string(),
  fault: z.string(),
  severity: z.string(),
  state: z.string(),
  raisedAt: z.number(),
})
const AlertPageSchema = z.looseObject({ alerts: z.array(AlertOutlineSchema), next: z.string().nullish() })

export function createAdminClient(opts: AdminClientOptions): AdminClient {
  const doFetch = opts.fetch ?? fetch
  const base = opts.baseUrl.replace(/\/+$/, '')
  const timeoutMs = opts.timeoutMs ?? 10_000

  async function request(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<unknown> {
    const url = `${base}/api/v1${path}`
    const headers: Record<string, string> = { authorization: `Bearer ${opts.token}`, accept: 'application/json' }
    if (body !== undefined) headers['content-type'] = 'application/json'
    let res: Response
    try {
      res = await doFetch(url, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (err) {
      // fetch hides the useful part (ECONNREFUSED...) in `cause`.
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : ''
      throw new Error(`${method} ${url} failed: ${err instanceof Error ? err.message : String(err)}${cause}`)
    }
    const text = await res.text()
    if (!res.ok) throw new HttpError(method, url, res.status, text)
    if (text === '') return undefined
    try {
      return JSON.parse(text)
    } catch {
      throw new Error(`${method} ${url} → HTTP ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`)
    }
  }

  function parse<T>(schema: z.ZodType<T>, what: string, value: unknown): T {
    const parsed = schema.safeParse(value)
    if (!parsed.success) throw new Error(`unexpected ${what} from the gateway: ${z.prettifyError(parsed.error)}`)
    return parsed.data
  }

  const seg = encodeURIComponent
  return {
    async registerDevice(d) {
      return parse(DeviceCredentialsSchema, 'device registration answer', await request('POST', '/devices', d))
    },
    async createJob(job) {
      await request('POST', '/jobs', job)
    },
    async attachDevice(jobId, deviceId, at, roles) {
      await request('POST', `/jobs/${seg(jobId)}/devices`, { deviceId, ...(at === undefined ? {} : { at }), ...(roles ? { roles } : {}) })
    },
    async confirmWorkOrder(jobId) {
      await request('POST', `/jobs/${seg(jobId)}/work-order/confirm`, {})
    },
    async stepMarker(jobId, step, action, at, facts) {
      await request('POST', `/jobs/${seg(jobId)}/steps/${seg(step)}/${action}`, {
        ...(at === undefined ? {} : { at }),
        ...(facts === undefined ? {} : { facts }),
      })
    },
    async declareRecord(jobId, fields) {
      await request('PATCH', `/jobs/${seg(jobId)}/record`, fields)
    },
    async verdict(jobId) {
      return parse(VerdictSchema, 'verdict', await request('GET', `/jobs/${seg(jobId)}/verdict`))
    },
    async closeJob(jobId, at) {
      await request('POST', `/jobs/${seg(jobId)}/close`, at === undefined ? {} : { at })
    },
    async registerInService(deviceId, body) {
      await request('POST', `/devices/${seg(deviceId)}/in-service`, body)
    },
    async alertsOf(deviceId) {
      const out: AlertOutline[] = []
      let cursor: string | null | undefined
      // Bounded: a unit with more than 100 pages of alerts is a bug worth stopping for.
      for (let page = 0; page < 100; page++) {
        const q = `deviceId=${seg(deviceId)}&limit=100${cursor ? `&cursor=${seg(cursor)}` : ''}`
        const body = parse(AlertPageSchema, 'alert list', await request('GET', `/alerts?${q}`))
        for (const a of body.alerts) out.push(a)
        cursor = body.next
        if (!cursor) break
      }
      return out.sort((a, b) => a.raisedAt - b.raisedAt)
    },
  }
}
