/**
 * An alert as it is stored and read back (issue 11: alerts survive restarts), and the event
 * a change gives for the deliveries. The alert is plain JSON; `parseAlert` refuses a corrupt
 * record with the field and the reason, and recomputes the deadline plan from the pack rather
 * than trusting a stored one (a pack's new deadlines apply to open alerts after a restart).
 */
import { z } from 'zod'

import { FAULT_SEVERITIES, type Deadlines } from '../../rules/faults/fault-pack-schema.js'
import type { Alert, EscalationEvent } from './alert-lifecycle.js'
import { planOf } from './alert-plan.js'

const time = z.number().finite()
const severity = z.enum(FAULT_SEVERITIES)
const nullableNumber = z.number().finite().nullable()
const DEADLINE_KINDS = ['acknowledge', 'resolve', 'installer_on_site', 'on_site'] as const

const EscalationSchema = z
  .object({ alertId: z.string(), at: time, level: z.number().int().min(1), missed: z.enum(DEADLINE_KINDS), fromTeam: z.string(), toTeam: z.string() })
  .strict()

const VisitSchema = z.object({ by: z.string().min(1), at: time, note: z.string() }).strict()

export const AlertRecordSchema = z
  .object({
    id: z.string().min(1),
    deviceId: z.string().min(1),
    fault: z.string().min(1),
    state: z.enum(['active', 'acknowledged', 'cleared']),
    severity,
    worstSeverity: severity,
    raisedAt: time,
    lastSeenAt: time,
    triggers: z.number().int().min(1),
    faultCount: z.number().int().min(0),
    value: nullableNumber,
    worst: nullableNumber,
    unit: z.string().nullable(),
    limit: nullableNumber,
    clause: z.string(),
    source: z.string(),
    message: z.string(),
    code: z.string().optional(),
    textKey: z.string().optional(),
    acknowledged: z.object({ by: z.string().min(1), at: time, note: z.string() }).strict().nullable(),
    assignee: z.object({ member: z.string().min(1), by: z.string().min(1), at: time }).strict().nullable(),
    cleared: z.object({ by: z.string().min(1), at: time, note: z.string(), auto: z.boolean() }).strict().nullable(),
    chain: z.array(z.string()).max(100),
    teamIndex: z.number().int().min(0),
    escalations: z.array(EscalationSchema).max(1000),
    installationLeak: z.boolean(),
    distanceKm: z.number().finite().min(0).optional(),
    distanceSource: z.string().optional(),
    notJudged: z.array(z.object({ kind: z.enum(DEADLINE_KINDS), reason: z.string() }).strict()).max(10).optional(),
    onSite: VisitSchema.nullable().optional(),
    installerOnSite: VisitSchema.nullable().optional(),
    // The stored plan is ignored (recomputed); accepted so a record round-trips.
    plan: z.unknown().optional(),
  })
  .strict()
  .refine((a) => (a.state === 'cleared') === (a.cleared !== null), { message: 'state and cleared disagree', path: ['cleared'] })
  .refine((a) => a.state !== 'acknowledged' || a.acknowledged !== null, { message: 'an acknowledged alert needs acknowledged', path: ['acknowledged'] })
  .refine((a) => a.chain.length === 0 || a.teamIndex < a.chain.length, { message: 'teamIndex is past the end of chain', path: ['teamIndex'] })

/** Reads a stored alert back; throws with `alert <id>: <field>: <reason>` lines. */
export function parseAlert(json: unknown, d: Deadlines): Alert {
  const r = AlertRecordSchema.safeParse(json)
  if (!r.success) {
    const id = typeof json === 'object' && json !== null && 'id' in json ? String((json as { id: unknown }).id) : '(no id)'
    throw new Error(r.error.issues.map((i) => `alert ${id}: ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n'))
  }
  // The stored plan is dropped: it is derived, and the pack's deadlines may have changed.
  const { plan: _stored, ...a } = r.data
  const plan = planOf(d, a)
  const escalations: EscalationEvent[] = a.escalations
  return { ...a, escalations, plan }
}
