/**
 * The one catalogue of text a person reads (developers' guide: "text a person reads (pages,
 * reports, messages) comes from one catalogue in zh-CN and en"; the company standard comes from
 * Chinese rulebooks, so zh-CN is the first locale). Keys -> one template per locale; `{name}`
 * is a parameter, and both locales of a key take the same parameters (test/contract/catalogue.test.ts).
 *
 * Fault names follow docs/alerts.md and GB 4706.1 (泄漏电流). The Gree error codes follow the
 * GREE U-Match 5 service manual sections the packs cite (rules/packs/*.yaml `source:`).
 */
export const CATALOGUE = {
  // Fault types with their own evaluator (rules/faults/fault-transition.ts FAULT_TYPES).
  'fault.leakage': { 'zh-CN': '泄漏电流', en: 'Leakage current' },
  'fault.over_current': { 'zh-CN': '过电流', en: 'Over-current' },
  'fault.supply_voltage': { 'zh-CN': '电源电压异常', en: 'Supply voltage out of range' },
  'fault.short_cycling': { 'zh-CN': '频繁启停', en: 'Compressor short-cycling' },
  'fault.refrigerant_loss': { 'zh-CN': '制冷剂泄漏趋势', en: 'Refrigerant loss trend' },
  'fault.offline': { 'zh-CN': '离线', en: 'Offline' },
  // Also the textKey error-code-fault.ts gives a code the pack's table does not know.
  'fault.unmapped_error_code': { 'zh-CN': '未知故障代码', en: 'Unknown error code' },
  // T7 (rules/faults/deadlines.ts INSPECTION_OVERDUE_FAULT).
  'fault.inspection_overdue': { 'zh-CN': '巡检逾期', en: 'Monthly inspection overdue' },
  // The `fault:` names of the packs' error-code tables.
  'fault.high_pressure_protection': { 'zh-CN': '高压保护', en: 'High-pressure protection' },
  'fault.low_pressure_protection': { 'zh-CN': '低压保护', en: 'Low-pressure protection' },
  'fault.discharge_temperature_protection': { 'zh-CN': '排气温度过高保护', en: 'Discharge temperature protection' },
  'fault.communication_error': { 'zh-CN': '通讯故障', en: 'Communication error' },
  'fault.water_overflow_protection': { 'zh-CN': '水满保护', en: 'Water overflow protection' },

  // The packs' error-code textKeys: GREE U-Match 5 service manual 2.2.3 / 3.4 (the packs' sources).
  'fault.gree.e1': { 'zh-CN': '压缩机高压保护', en: 'Compressor high-pressure protection' },
  'fault.gree.e3': { 'zh-CN': '压缩机低压保护/缺氟保护', en: 'Compressor low-pressure protection / refrigerant shortage' },
  'fault.gree.e4': { 'zh-CN': '压缩机排气温度过高保护', en: 'Compressor discharge high-temperature protection' },
  'fault.gree.e6': { 'zh-CN': '通讯故障', en: 'Communication error' },
  'fault.gree.e9': { 'zh-CN': '水满保护', en: 'Water overflow protection' },

  // Severities (rules/faults/fault-pack-schema.ts FAULT_SEVERITIES).
  'severity.critical': { 'zh-CN': '严重', en: 'critical' },
  'severity.major': { 'zh-CN': '重要', en: 'major' },
  'severity.minor': { 'zh-CN': '一般', en: 'minor' },
  'severity.warning': { 'zh-CN': '提示', en: 'warning' },

  // Alert states (docs/alerts.md "One alert per fault").
  'state.active': { 'zh-CN': '未确认', en: 'active' },
  'state.acknowledged': { 'zh-CN': '已确认', en: 'acknowledged' },
  'state.cleared': { 'zh-CN': '已消除', en: 'cleared' },

  // Event kinds of the deliveries (gateway/alerts/delivery-grouping.ts AlertEventKind, and the group).
  'event.raised': { 'zh-CN': '已触发', en: 'raised' },
  'event.retriggered': { 'zh-CN': '再次触发', en: 'retriggered' },
  'event.acknowledged': { 'zh-CN': '已确认', en: 'acknowledged' },
  'event.assigned': { 'zh-CN': '已指派', en: 'assigned' },
  'event.cleared': { 'zh-CN': '已消除', en: 'cleared' },
  'event.escalated': { 'zh-CN': '已升级', en: 'escalated' },
  'event.on_site': { 'zh-CN': '已到场', en: 'on site' },
  'event.updated': { 'zh-CN': '已更新', en: 'updated' },
  'event.grouped': { 'zh-CN': '汇总', en: 'grouped' },
  'event.escalated_missed': { 'zh-CN': '已升级（{deadline}已过）', en: 'escalated ({deadline} passed)' },

  // Deadline kinds (rules/faults/deadlines.ts DeadlineKind; DOMAIN.md T2/T5, T3, T6).
  'deadline.acknowledge': { 'zh-CN': '确认时限', en: 'acknowledge deadline' },
  'deadline.resolve': { 'zh-CN': '处理时限', en: 'resolve deadline' },
  'deadline.installer_on_site': { 'zh-CN': '安装方到场时限', en: 'installer on-site deadline' },
  'deadline.on_site': { 'zh-CN': '到场时限', en: 'on-site deadline' },

  // One-line alert titles: `{fault}` and `{severity}` are texts of this catalogue, `{event}` an
  // event (or, for a state, a state) text; `{value}` and `{limit}` carry their unit.
  'title.value_limit': { 'zh-CN': '{fault} {value}，限值 {limit}（{severity}）：{event}', en: '{fault} {value}, limit {limit} ({severity}): {event}' },
  'title.value': { 'zh-CN': '{fault} {value}（{severity}）：{event}', en: '{fault} {value} ({severity}): {event}' },
  'title.code': { 'zh-CN': '{fault}，故障代码 {code}（{severity}）：{event}', en: '{fault}, error code {code} ({severity}): {event}' },
  'title.no_value': { 'zh-CN': '{fault}，无读数（{severity}）：{event}', en: '{fault}, no reading ({severity}): {event}' },
  // A grouped delivery: `{byFault}` lists "fault ×n" joined by 'list.separator'.
  'group.summary': { 'zh-CN': '{count} 条告警变化，最高级别：{severity}（{omitted} 条未列出）：{byFault}', en: '{count} alert changes, worst {severity} ({omitted} not listed): {byFault}' },
  'group.other_faults': { 'zh-CN': '其他故障', en: 'other faults' },
  'group.fault_count': { 'zh-CN': '{fault} ×{count}', en: '{fault} ×{count}' },
  'list.separator': { 'zh-CN': '、', en: ', ' },
} as const satisfies Record<string, { 'zh-CN': string; en: string }>

export type TextKey = keyof typeof CATALOGUE
