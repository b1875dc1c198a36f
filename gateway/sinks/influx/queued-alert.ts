/**
 * The schema of an alert change as the relay queues it (gateway/alerts/alert-points-relay.ts
 * AlertChangeRecord, sink 'influx-alerts'), to read it back parsed: a row that does not fit
 * (written by hand, or by a version with another shape) is parked with the reason.
 */
import { z } from 'zod'
import { ALERT_STATES } from '../../../contract/influx-schema.js'
import { FAULT_SEVERITIES } from '../../../rules/faults/fault-pack-schema.js'
import type { AlertChangeRecord } from '../../alerts/alert-points-relay.js'

const State = z.enum(ALERT_STATES)

export const QueuedAlertChangeSchema = z.object({
  seq: z.number().int(),
  at: z.number(),
  action: z.enum(['raise', 'retrigger', 'acknowledge', 'assign', 'clear', 'auto_clear', 'escalate']),
  state: State,
  team: z.string(),
  alertId: z.string(),
  deviceId: z.string().min(1),
  fault: z.string().min(1),
  severity: z.enum(FAULT_SEVERITIES),
  raisedAt: z.number(),
  triggers: z.number().int(),
  faultCount: z.number().int(),
  value: z.number().nullable(),
  unit: z.string().nullable(),
}) satisfies z.ZodType<AlertChangeRecord, unknown>
