/**
 * The text catalogue (contract/catalogue): every key has zh-CN and en with the same
 * parameters, and everything a person may be shown has its text: the fault types, the faults
 * and text keys of every shipped pack's error-code table (read with the real pack loader, so
 * a new code without a text fails here), severities, states, event kinds, deadline kinds.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { CATALOGUE, LOCALES, hasText, localized, negotiateLocale, paramsOf, text } from '../../contract/catalogue/index.js'
import type { AlertState, AuditAction } from '../../gateway/alerts/alert-types.js'
import { eventKindOf } from '../../gateway/alerts/deliveries/delivery-messages.js'
import { defaultPacksDir, loadRulePacks } from '../../gateway/packs/load-packs.js'
import type { RulePack } from '../../rules/pack-schema.js'
import { INSPECTION_OVERDUE_FAULT, type DeadlineKind } from '../../rules/faults/deadlines.js'
import { FAULT_SEVERITIES } from '../../rules/faults/fault-pack-schema.js'
import { FAULT_TYPES } from '../../rules/faults/fault-transition.js'

// Written as records so `tsc --noEmit` fails when a union gains a member without an entry here.
const ACTIONS = { raise: 1, retrigger: 1, acknowledge: 1, assign: 1, clear: 1, auto_clear: 1, escalate: 1, on_site: 1, update: 1 } satisfies Record<AuditAction, 1>
const DEADLINE_KINDS = { acknowledge: 1, resolve: 1, installer_on_site: 1, on_site: 1 } satisfies Record<DeadlineKind, 1>
const STATES = { active: 1, acknowledged: 1, cleared: 1 } satisfies Record<AlertState, 1>

/** The catalogue keys the packs need that it lacks: each error code's textKey and `fault.<fault>`. */
function missingPackTexts(packs: Map<string, RulePack>): string[] {
  const out: string[] = []
  for (const [id, pack] of packs) {
    for (const [code, row] of Object.entries(pack.faults?.errorCodes?.codes ?? {})) {
      if (!hasText(row.textKey)) out.push(`${id} ${code}: ${row.textKey}`)
      if (!hasText(`fault.${row.fault}`)) out.push(`${id} ${code}: fault.${row.fault}`)
    }
  }
  return out
}

describe('the catalogue itself', () => {
  it('every key has every locale, non-empty, with the same parameter names', () => {
    expect(LOCALES).toEqual(['zh-CN', 'en'])
    const bad: string[] = []
    for (const [key, entry] of Object.entries(CATALOGUE)) {
      const byLocale: Record<string, string> = entry
      for (const l of LOCALES) if (typeof byLocale[l] !== 'string' || byLocale[l]!.trim() === '') bad.push(`${key}: no ${l}`)
      const zh = [...paramsOf(entry['zh-CN'])].sort()
      const en = [...paramsOf(entry.en)].sort()
      if (zh.join(',') !== en.join(',')) bad.push(`${key}: zh-CN {${zh.join(',')}} vs en {${en.join(',')}}`)
      if (Object.keys(entry).length !== LOCALES.length) bad.push(`${key}: locales ${Object.keys(entry).join(', ')}`)
    }
    expect(bad).toEqual([])
  })

  it('fills parameters; an unknown key, an unknown locale or a missing parameter throws saying which', () => {
    expect(text('event.escalated_missed', 'zh-CN', { deadline: '确认时限' })).toBe('已升级（确认时限已过）')
    expect(text('event.escalated_missed', 'en', { deadline: 'acknowledge deadline' })).toBe('escalated (acknowledge deadline passed)')
    expect(localized('severity.critical')).toEqual({ 'zh-CN': '严重', en: 'critical' })
    expect(() => text('fault.no_such_fault', 'en')).toThrow('no text "fault.no_such_fault" in the catalogue')
    expect(() => text('toString', 'en')).toThrow('no text "toString"')
    expect(() => text('event.escalated_missed', 'en')).toThrow('text "event.escalated_missed" (en) needs the parameter {deadline}')
    expect(() => text('severity.major', 'fr' as never)).toThrow('unknown locale "fr" (locales: zh-CN, en)')
  })

  it('Accept-Language picks by quality and primary tag; none of ours: zh-CN', () => {
    expect(negotiateLocale(undefined)).toBe('zh-CN')
    expect(negotiateLocale('')).toBe('zh-CN')
    expect(negotiateLocale('en-GB,en;q=0.9')).toBe('en')
    expect(negotiateLocale('fr-FR, en;q=0.5, zh-Hans-CN;q=0.8')).toBe('zh-CN')
    // No language of ours ("*" is what fetch sends): the caller's fallback (a team's locale).
    expect(negotiateLocale('*', 'en')).toBe('en')
    expect(negotiateLocale('fr-FR', 'en')).toBe('en')
    expect(negotiateLocale('zh;q=0.5, fr', 'en')).toBe('zh-CN')
    expect(negotiateLocale('de, en;q=0.1')).toBe('en')
    expect(negotiateLocale('de, fr;q=0.5')).toBe('zh-CN')
    expect(negotiateLocale('en;q=0, zh-TW;q=0.2')).toBe('zh-CN')
  })
})

describe('everything a person may be shown has a text', () => {
  it('fault types (FAULT_TYPES, T7 inspection_overdue) and the text key of unmapped codes', () => {
    const missing = [...FAULT_TYPES, INSPECTION_OVERDUE_FAULT].map((f) => `fault.${f}`).filter((k) => !hasText(k))
    expect(missing).toEqual([])
    expect(hasText('fault.unmapped_error_code')).toBe(true)
  })

  it("every shipped pack's error codes: their textKey and their fault name (real loader)", () => {
    const packs = loadRulePacks(defaultPacksDir())
    let codes = 0
    for (const p of packs.values()) codes += Object.keys(p.faults?.errorCodes?.codes ?? {}).length
    expect(codes).toBeGreaterThanOrEqual(5)
    expect(missingPackTexts(packs)).toEqual([])
  })

  it('a pack gaining a code without a text is caught', () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalogue-packs-'))
    try {
      cpSync(join(defaultPacksDir(), 'split-ac.yaml'), join(dir, 'split-ac.yaml'))
      const file = join(dir, 'split-ac.yaml')
      const yaml = readFileSync(file, 'utf8')
      const e1 = /^(\s+)E1: \{.*\}$/m.exec(yaml)!
      const added = `${e1[1]}E7: { fault: mode_conflict, severity: minor, textKey: fault.gree.e7, source: "test: a code added without a text" }`
      writeFileSync(file, yaml.replace(e1[0], `${e1[0]}\n${added}`))
      expect(missingPackTexts(loadRulePacks(dir))).toEqual(['split-ac E7: fault.gree.e7', 'split-ac E7: fault.mode_conflict'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('severities, states, the event kind of every audit action, the group, deadline kinds', () => {
    const keys = [
      ...FAULT_SEVERITIES.map((s) => `severity.${s}`),
      ...Object.keys(STATES).map((s) => `state.${s}`),
      ...Object.keys(ACTIONS).map((a) => `event.${eventKindOf(a as AuditAction)}`),
      'event.grouped',
      ...Object.keys(DEADLINE_KINDS).map((d) => `deadline.${d}`),
    ]
    expect(keys.filter((k) => !hasText(k))).toEqual([])
  })

  it('the names of the docs: severities and states as docs/alerts.md and the product brief name them', () => {
    expect([text('severity.critical', 'zh-CN'), text('severity.major', 'zh-CN'), text('severity.minor', 'zh-CN'), text('severity.warning', 'zh-CN')]).toEqual(['严重', '重要', '一般', '提示'])
    expect([text('state.active', 'zh-CN'), text('state.acknowledged', 'zh-CN'), text('state.cleared', 'zh-CN')]).toEqual(['未确认', '已确认', '已消除'])
  })
})
