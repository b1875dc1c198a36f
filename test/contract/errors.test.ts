/**
 * The error-code catalogue (contract/errors.ts) is complete and honest: every GW_ERR_* code
 * written anywhere in the sources is in it, every code in it is emitted somewhere, each
 * ApiError is thrown with the HTTP status its code is listed with, and the CONNACK codes are
 * the ones MQTT 3.1.1 gives those names.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ALERT_ERRORS, CONNACK_REFUSALS, DEVICE_NOTICES, HTTP_ERRORS, INGEST_PROBLEMS, VERDICT_ERRORS } from '../../contract/errors.js'
import { PROBLEM_CODES } from '../../gateway/ingest/problems.js'

const ROOT = new URL('../..', import.meta.url).pathname
const SOURCE_DIRS = ['contract', 'gateway', 'broker', 'rules', 'firmware-sim', 'dashboards', 'scripts']

function sources(): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = []
  const walk = (dir: string) => {
    for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const rel = join(dir, e.name)
      if (e.isDirectory()) walk(rel)
      else if (/\.(ts|mts|mjs)$/.test(e.name)) out.push({ path: rel, text: readFileSync(join(ROOT, rel), 'utf8') })
    }
  }
  for (const d of SOURCE_DIRS) walk(d)
  return out
}

const catalogue = new Set<string>([...Object.keys(HTTP_ERRORS), ...Object.keys(INGEST_PROBLEMS), ...Object.keys(DEVICE_NOTICES), ...Object.keys(VERDICT_ERRORS), ...Object.keys(ALERT_ERRORS)])
const CODE = /GW_ERR_[A-Z0-9_]+/g

describe('the error-code catalogue', () => {
  it('lists every GW_ERR_* code the sources mention', () => {
    const files = sources()
    expect(files.length).toBeGreaterThan(100)
    const missing: string[] = []
    for (const f of files) for (const m of f.text.matchAll(CODE)) if (!catalogue.has(m[0])) missing.push(`${f.path}: ${m[0]}`)
    expect(missing).toEqual([])
  })

  it('lists no code that nothing emits', () => {
    const elsewhere = sources().filter((f) => f.path !== join('contract', 'errors.ts') && f.path !== join('contract', 'protocol-doc.ts'))
    const used = new Set<string>()
    for (const f of elsewhere) for (const m of f.text.matchAll(CODE)) used.add(m[0])
    expect([...catalogue].filter((c) => !used.has(c))).toEqual([])
  })

  it('gives each ApiError the HTTP status its code is listed with', () => {
    const thrown: string[] = []
    const wrong: string[] = []
    for (const f of sources()) {
      for (const m of f.text.matchAll(/new ApiError\((\d{3}), '(GW_ERR_[A-Z0-9_]+)'/g)) {
        thrown.push(m[2]!)
        const listed = HTTP_ERRORS[m[2] as keyof typeof HTTP_ERRORS]
        if (listed?.status !== Number(m[1])) wrong.push(`${f.path}: ${m[1]} ${m[2]} (listed: ${listed?.status})`)
      }
    }
    expect(thrown.length).toBeGreaterThan(5)
    expect(wrong).toEqual([])
  })

  it('has the ingest problem codes the ingest uses, no more, no fewer', () => {
    expect(new Set(Object.values(PROBLEM_CODES))).toEqual(new Set(Object.keys(INGEST_PROBLEMS)))
  })

  it('names the CONNACK return codes as MQTT 3.1.1 table 3.1 does [MQTT-3.2.2-5]', () => {
    const codes = Object.fromEntries(Object.entries(CONNACK_REFUSALS).map(([name, r]) => [r.returnCode, name]))
    expect(codes).toEqual({ 1: 'unacceptableProtocolVersion', 2: 'identifierRejected', 3: 'serverUnavailable', 4: 'badUsernameOrPassword', 5: 'notAuthorized' })
  })
})
