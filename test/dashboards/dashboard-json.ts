/** Reads the generated dashboards as Grafana gets them (the committed JSON), with the parts the tests look at. */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { REPO_ROOT } from '../../dashboards/build.js'
import { REPO } from '../../dashboards/provisioning-paths.js'

const TargetSchema = z.object({
  refId: z.string(),
  datasource: z.object({ type: z.string(), uid: z.string() }),
  query: z.string(),
  rawQuery: z.literal(true),
  resultFormat: z.enum(['time_series', 'table']),
  alias: z.string().optional(),
})

const PanelSchema = z.object({
  id: z.number(),
  type: z.string(),
  title: z.string(),
  interval: z.string().optional(),
  targets: z.array(TargetSchema).optional(),
  fieldConfig: z
    .object({ defaults: z.object({ thresholds: z.object({ steps: z.array(z.object({ value: z.number().nullable(), color: z.string() })) }).optional() }) })
    .optional(),
})

const VariableSchema = z.object({
  type: z.enum(['query', 'custom', 'textbox', 'constant']),
  name: z.string(),
  query: z.string().optional(),
  datasource: z.object({ type: z.string(), uid: z.string() }).optional(),
})

const DashboardSchema = z.object({
  uid: z.string(),
  title: z.string(),
  panels: z.array(PanelSchema),
  templating: z.object({ list: z.array(VariableSchema).optional() }).optional(),
})

export type DashboardJson = z.infer<typeof DashboardSchema>
export type PanelJson = z.infer<typeof PanelSchema>
export type TargetJson = z.infer<typeof TargetSchema>
export type VariableJson = z.infer<typeof VariableSchema>

export function loadDashboards(root: string = REPO_ROOT): { file: string; dashboard: DashboardJson }[] {
  const dir = join(root, REPO.json)
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, dashboard: DashboardSchema.parse(JSON.parse(readFileSync(join(dir, file), 'utf8'))) }))
}

export interface PanelTarget {
  dashboard: DashboardJson
  panel: PanelJson
  target: TargetJson
}

export function panelTargets(dashboard: DashboardJson): PanelTarget[] {
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ dashboard, panel, target })))
}

export function variables(dashboard: DashboardJson): VariableJson[] {
  return dashboard.templating?.list ?? []
}
