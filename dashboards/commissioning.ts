/**
 * Commissioning dashboard: one job (the `job_id` variable), every channel its devices
 * reported through the steps (tightness hold, evacuation, electrical checks, the 30-minute
 * test run), each with the limit it is judged against drawn as a threshold. For quality
 * staff reviewing a verdict, and for installers watching a run.
 */
import {
  DashboardBuilder,
  QueryVariableBuilder,
  RowBuilder,
  TextBoxVariableBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard'
import {
  airDeltaT,
  channels,
  CHECKS,
  checkResults,
  JOB_VAR,
  latestVerdict,
  measured,
  perDevice,
  RATED_VAR,
  ratedCurrentLine,
  receiveLag,
  runningMinutes,
} from './commissioning-queries.js'
import { qualifiedName, quoteIdent } from './influx-schema.js'
import { target } from './influx-target.js'
import { product, type Limits } from './limits.js'
import { atLeast, atMost, between, CHECK_COLORS, hideFields, MERGE, stat, statusColors, table, timeseries, VERDICT_COLORS } from './panels.js'
import { DATASOURCE_REF } from './provisioning-paths.js'

export const COMMISSIONING_UID = 'hvac-commissioning'

export function commissioningDashboard(limits: Limits): DashboardBuilder {
  const runMinutes = { ...limits.testRunMinS, value: limits.testRunMinS.value / 60, unit: 'min' }
  const ratio = limits.currentMaxRatioOfRated.value
  const supplyBand = [
    product(limits.supplyVoltageMinRatio, limits.ratedVoltageSinglePhaseV, 'V'),
    product(limits.supplyVoltageMaxRatio, limits.ratedVoltageSinglePhaseV, 'V'),
  ] as const

  return new DashboardBuilder('Commissioning: one job')
    .uid(COMMISSIONING_UID)
    .description('Every reading of one commissioning job, step by step, against the limits of its rule pack.')
    .tags(['hvac', 'commissioning'])
    .time({ from: 'now-24h', to: 'now' })
    .timezone('browser')
    .refresh('30s')
    .readonly()
    .withVariable(
      new QueryVariableBuilder(JOB_VAR)
        .label('Job')
        .datasource({ ...DATASOURCE_REF })
        .query(`SHOW TAG VALUES FROM ${qualifiedName('commissioning')} WITH KEY = ${quoteIdent('job_id')}`)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc),
    )
    .withVariable(
      new TextBoxVariableBuilder(RATED_VAR)
        .label('Rated current (A, nameplate)')
        .description('Nameplate rated current of the job’s unit; 0 hides the rated-current line.')
        .defaultValue('0'),
    )
    .withRow(new RowBuilder('Verdict'))
    .withPanel(
      stat({
        title: 'Verdict',
        description: 'The latest verdict the gateway wrote for this job.',
        unit: 'none',
        target: target(latestVerdict()).table(),
        field: 'status',
        mappings: statusColors(VERDICT_COLORS),
      }),
    )
    .withPanel(
      stat({
        title: 'Test run: longest continuous run (S1)',
        description: 'The duration check of the test-run step: longest chain of running readings, minutes.',
        unit: 'm',
        target: target(measured(CHECKS.testRunDuration, 'longest_run_min', 60)),
        thresholds: atLeast(runMinutes),
        limits: [limits.testRunMinS],
      }),
    )
    .withPanel(
      stat({
        title: 'Tightness: pressure drop (S13 hold)',
        description: 'The tightness step’s pressure-drop check: drop over the hold after temperature compensation.',
        unit: 'pressurekpa',
        target: target(measured(CHECKS.tightnessDrop, 'pressure_drop_kpa')),
        thresholds: atMost(limits.tightnessMaxDropKpa),
        limits: [limits.tightnessMaxDropKpa],
      }),
    )
    .withPanel(
      stat({
        title: 'Evacuation: vacuum after isolation',
        description: 'The evacuation step’s decay check: highest vacuum reading after the pump was isolated.',
        unit: 'none',
        target: target(measured(CHECKS.evacuationDecay, 'decay_micron')),
        thresholds: atMost(limits.vacuumDecayMaxMicron),
        limits: [limits.vacuumDecayMaxMicron],
      }),
    )
    .withPanel(
      table({
        title: 'Checks',
        description: 'Latest result of every check of this job, with its clause (DOMAIN.md S1…S18) and severity.',
        target: target(checkResults()),
        transformations: [MERGE, hideFields('Time')],
        coloredFields: ['status'],
        mappings: statusColors(CHECK_COLORS),
        span: 24,
      }),
    )
    .withRow(new RowBuilder('Test run (S1: at least 30 minutes)'))
    .withPanel(
      timeseries({
        title: 'Current',
        description: `Unit current per device. The dashed line marks the running level; with the nameplate current typed above, the rated limit (× ${ratio}) is drawn too.`,
        unit: 'amp',
        targets: [perDevice(channels('current_a')), target(ratedCurrentLine(limits)).alias('rated limit')],
        thresholds: atLeast(limits.runningCurrentMinA),
        limits: [limits.runningCurrentMinA, limits.currentMaxRatioOfRated],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Test run clock: minutes with running evidence',
        description: 'Cumulative minutes holding at least one running reading; the verdict’s duration check also requires continuity.',
        unit: 'm',
        targets: [target(runningMinutes(limits)).alias('running minutes')],
        thresholds: atLeast(runMinutes),
        limits: [limits.testRunMinS],
        area: true,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Air temperatures',
        description: 'Return (inlet) and supply (outlet) air of the indoor unit, and outdoor ambient.',
        unit: 'celsius',
        targets: [perDevice(channels('temp_return_air_c', 'temp_supply_air_c', 'temp_outdoor_c'))],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Air ΔT across the indoor coil',
        description: 'Return minus supply air temperature in cooling.',
        unit: 'kelvin',
        targets: [target(airDeltaT()).alias('ΔT')],
        thresholds: between(limits.airDeltaTMinK, limits.airDeltaTMaxK),
        limits: [limits.airDeltaTMinK, limits.airDeltaTMaxK],
        area: true,
      }),
    )
    .withRow(new RowBuilder('Refrigerant circuit: tightness hold, evacuation, running pressures'))
    .withPanel(
      timeseries({
        title: 'Pressures',
        description: 'Low and high side, gauge: the nitrogen hold (tightness), then the running pressures. The line is the highest test pressure allowed.',
        unit: 'pressurekpa',
        targets: [perDevice(channels('pressure_low_kpag', 'pressure_high_kpag'))],
        thresholds: atMost(limits.tightnessMaxKpaG),
        limits: [limits.tightnessMaxKpaG, limits.tightnessMaxDropKpa],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Pipe temperatures',
        description: 'Pipe temperature during the pressure hold (for compensation), suction and liquid line while running.',
        unit: 'celsius',
        targets: [perDevice(channels('temp_pipe_c', 'temp_suction_c', 'temp_liquid_c'))],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Vacuum (evacuation)',
        description: 'Absolute pressure from the micron probe, log scale.',
        unit: 'none',
        targets: [perDevice(channels('vacuum_micron'))],
        thresholds: atMost(limits.vacuumTargetMicron),
        limits: [limits.vacuumTargetMicron, limits.vacuumDecayMaxMicron],
        logScale: true,
        span: 24,
      }),
    )
    .withRow(new RowBuilder('Electrical (S4, S14)'))
    .withPanel(
      timeseries({
        title: 'Insulation resistance',
        description: '500 V DC insulation test.',
        unit: 'mohm',
        targets: [perDevice(channels('insulation_mohm'))],
        thresholds: atLeast(limits.insulationMinMohm),
        limits: [limits.insulationMinMohm],
        span: 6,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Earth resistance',
        description: 'Protective conductor resistance.',
        unit: 'ohm',
        targets: [perDevice(channels('earth_ohm'))],
        thresholds: atMost(limits.earthMaxOhm),
        limits: [limits.earthMaxOhm],
        span: 6,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Leakage current',
        description: 'Touch / leakage current of the casing (S14: stop at once if it leaks).',
        unit: 'mamp',
        targets: [perDevice(channels('leakage_ma'))],
        thresholds: atMost(limits.leakageMaxMa),
        limits: [limits.leakageMaxMa],
        span: 6,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Supply voltage',
        description: 'Supply voltage at the unit; the band is for a single-phase unit at the pack’s rated voltage.',
        unit: 'volt',
        targets: [perDevice(channels('voltage_v'))],
        thresholds: between(supplyBand[0], supplyBand[1]),
        limits: supplyBand,
        span: 6,
      }),
    )
    .withRow(new RowBuilder('Evidence provenance'))
    .withPanel(
      timeseries({
        title: 'Receive lag',
        description: 'Seconds between a reading’s device time and its arrival: above the line it counts as back-filled, not live.',
        unit: 's',
        targets: [target(receiveLag()).alias('$tag_device_id')],
        thresholds: atMost(limits.liveLagMaxS),
        limits: [limits.liveLagMaxS],
        span: 24,
      }),
    )
}
