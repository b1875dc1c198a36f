/**
 * The one-line alert title (gateway/alerts/alert-text.ts), composed from the alert's
 * structured fields in zh-CN and en. Every expected string is written by hand.
 */
import { describe, expect, it } from 'vitest'

import { alertTitle, alertTitles, groupSummary } from '../../gateway/alerts/alert-text.js'

const leak = { fault: 'leakage', severity: 'critical', state: 'active', value: 12, unit: 'mA', limit: 10 }

describe('alert titles', () => {
  it('a value against a limit, with units', () => {
    expect(alertTitles(leak, { kind: 'raised' })).toEqual({ 'zh-CN': '泄漏电流 12.0 mA，限值 10 mA（严重）：已触发', en: 'Leakage current 12.0 mA, limit 10 mA (critical): raised' })
    expect(alertTitle({ ...leak, value: 0.35, limit: 0.3 }, { kind: 'retriggered' }, 'en')).toBe('Leakage current 0.35 mA, limit 0.3 mA (critical): retriggered')
  })

  it('a limit computed in binary floating point is shown as the pack wrote it', () => {
    const low = { fault: 'supply_voltage', severity: 'major', value: 187.25, unit: 'V', limit: 220 * 0.9 }
    expect(alertTitle(low, { kind: 'raised' }, 'zh-CN')).toBe('电源电压异常 187.3 V，限值 198 V（重要）：已触发')
  })

  it('no value: says so, never "null"; an error code: the code and the manual name of its textKey', () => {
    const offline = { fault: 'offline', severity: 'major', value: null, unit: null, limit: null }
    expect(alertTitles(offline, { kind: 'raised' })).toEqual({ 'zh-CN': '离线，无读数（重要）：已触发', en: 'Offline, no reading (major): raised' })
    const e1 = { fault: 'high_pressure_protection', severity: 'major', value: null, unit: null, limit: null, code: 'E1', textKey: 'fault.gree.e1' }
    expect(alertTitles(e1, { kind: 'acknowledged' })).toEqual({ 'zh-CN': '压缩机高压保护，故障代码 E1（重要）：已确认', en: 'Compressor high-pressure protection, error code E1 (major): acknowledged' })
    // A textKey the catalogue lacks: the fault type's name.
    expect(alertTitle({ ...e1, textKey: 'fault.acme.x1' }, { kind: 'cleared' }, 'zh-CN')).toBe('高压保护，故障代码 E1（重要）：已消除')
  })

  it('a value with no limit (a trend)', () => {
    const trend = { fault: 'refrigerant_loss', severity: 'warning', value: -0.42, unit: 'K/d', limit: null }
    expect(alertTitles(trend, { kind: 'updated' })).toEqual({ 'zh-CN': '制冷剂泄漏趋势 -0.42 K/d（提示）：已更新', en: 'Refrigerant loss trend -0.42 K/d (warning): updated' })
  })

  it('an escalation names the deadline it missed; no event: the state', () => {
    expect(alertTitles(leak, { kind: 'escalated', missed: 'acknowledge' })).toEqual({
      'zh-CN': '泄漏电流 12.0 mA，限值 10 mA（严重）：已升级（确认时限已过）',
      en: 'Leakage current 12.0 mA, limit 10 mA (critical): escalated (acknowledge deadline passed)',
    })
    expect(alertTitle(leak, { kind: 'escalated' }, 'zh-CN')).toBe('泄漏电流 12.0 mA，限值 10 mA（严重）：已升级')
    expect(alertTitles({ ...leak, state: 'acknowledged' }, null)).toEqual({ 'zh-CN': '泄漏电流 12.0 mA，限值 10 mA（严重）：已确认', en: 'Leakage current 12.0 mA, limit 10 mA (critical): acknowledged' })
    expect(alertTitle({ fault: 'inspection_overdue', severity: 'minor', state: 'active' }, null, 'zh-CN')).toBe('巡检逾期，无读数（一般）：未确认')
  })

  it('a name the catalogue does not know is shown as it is, not thrown on (a damaged record, a pack added since)', () => {
    expect(alertTitle({ fault: '(unknown)', severity: 'critical' }, { kind: 'updated' }, 'en')).toBe('(unknown), no reading (critical): updated')
  })
})

describe('group summaries', () => {
  it('counts, the worst severity and the faults, in each locale', () => {
    const g = { count: 12, omitted: 2, worstSeverity: 'major', byFault: { offline: 10, leakage: 2 } }
    expect(groupSummary(g, 'zh-CN')).toBe('12 条告警变化，最高级别：重要（2 条未列出）：离线 ×10、泄漏电流 ×2')
    expect(groupSummary(g, 'en')).toBe('12 alert changes, worst major (2 not listed): Offline ×10, Leakage current ×2')
    expect(groupSummary({ count: 60, omitted: 10, worstSeverity: 'minor', byFault: { short_cycling: 50, '(other)': 10 } }, 'en')).toBe('60 alert changes, worst minor (10 not listed): Compressor short-cycling ×50, other faults ×10')
  })
})
