/**
 * The T6 / T3 visit and the unit's distance on an alert (issue 11, DOMAIN.md): `on_site` records
 * who was on site and when (maintenance meets T6 on_site, the installer T3 installer_on_site),
 * `facts` applies a distance set or corrected after the raise to an open alert (its on-site
 * deadline counted from the raise: an open alert is never left without it once it is known).
 * Pure, like alert-lifecycle.ts, whose reduceAlert calls these.
 */
import type { DeadlineKind } from '../../rules/faults/deadlines.js'
import type { Alert, AlertCommand, AlertContext, AlertResult, UnitFacts } from './alert-types.js'
import { checkPerson, distanceFields, fail, SYSTEM_ACTOR, withPlan } from './alert-plan.js'

/** Who was on site and when: maintenance (T6 on_site) or the installer (T3 installer_on_site). */
export function reduceOnSite(current: Alert | null, cmd: Extract<AlertCommand, { kind: 'on_site' }>, ctx: AlertContext): AlertResult {
  const a = checkPerson(current, cmd, 'record on site')
  if ('ok' in a) return a
  if (cmd.who !== 'maintenance' && cmd.who !== 'installer') return fail('GW_ERR_ALERT_BAD_COMMAND', `cannot record on site for alert ${a.id}: who must be 'maintenance' or 'installer', not ${JSON.stringify(cmd.who)}`)
  const field = cmd.who === 'maintenance' ? 'onSite' : 'installerOnSite'
  const was = a[field]
  if (was) return fail('GW_ERR_ALERT_ALREADY', `alert ${a.id}: ${cmd.who} was already recorded on site by ${was.by} at ${new Date(was.at).toISOString()}`)
  const note = cmd.note ?? ''
  const next = withPlan(ctx.deadlines, { ...a, [field]: { by: cmd.by, at: cmd.at, note } })
  const kind: DeadlineKind = cmd.who === 'maintenance' ? 'on_site' : 'installer_on_site'
  const dl = next.plan.deadlines.find((d) => d.kind === kind)
  const met = dl === undefined ? `no ${kind} deadline on this alert` : cmd.at <= dl.at ? `${kind} deadline met (${new Date(dl.at).toISOString()})` : `${kind} deadline missed by ${Math.round((cmd.at - dl.at) / 60_000)} min`
  return { ok: true, alert: next, audit: [{ alertId: a.id, at: cmd.at, actor: cmd.by, action: 'on_site', from: a.state, to: a.state, note: `${cmd.who} on site; ${met}${note ? `: ${note}` : ''}` }] }
}

/** A distance set or corrected after the raise: an open alert takes it (and its T6 deadline, counted from the raise). */
export function reduceFacts(current: Alert | null, at: number, f: UnitFacts, ctx: AlertContext): AlertResult {
  if (current === null) return fail('GW_ERR_ALERT_NO_ALERT', 'cannot update: there is no such alert')
  if (current.state === 'cleared') return fail('GW_ERR_ALERT_CLEARED', `alert ${current.id} was cleared; its facts are history`)
  if (f.distanceKm === undefined || (f.distanceKm === current.distanceKm && f.distanceSource === current.distanceSource)) return { ok: true, alert: current, audit: [] }
  const { distanceKm: _d, distanceSource: _s, notJudged: _n, ...rest } = current
  const next = withPlan(ctx.deadlines, { ...rest, ...distanceFields(f) })
  const dl = next.plan.deadlines.find((d) => d.kind === 'on_site')
  const was = current.distanceKm === undefined ? 'no distance' : `${current.distanceKm} km`
  const note = `distance from the service centre: ${was} -> ${f.distanceKm} km (${f.distanceSource ?? 'no source given'}); on site by ${dl ? new Date(dl.at).toISOString() : '?'} (T6)`
  return { ok: true, alert: next, audit: [{ alertId: current.id, at: Math.max(at, current.raisedAt), actor: SYSTEM_ACTOR, action: 'update', from: current.state, to: current.state, note }] }
}
