import { describe, it, expect } from 'vitest'
import type { InstalledUnit } from '../../gateway/jobs/job.js'
import type { CheckResult, StepResult } from '../../rules/result.js'
import {
  evaluateInstallationRecord,
  InstallationRecordParamsSchema,
  InstallationRecordSchema,
  stepFor,
  type InstallationRecord,
  type InstallationRecordParams,
} from '../../rules/record/installation-record.js'

// The split-ac pack's values, spelt out so these cases do not move when the pack does.
const PARAMS: InstallationRecordParams = {
  roomAreaByHp: {
    value: [
      { hp: 1, minM2: 10, maxM2: 15 },
      { hp: 1.5, minM2: 15, maxM2: 22 },
      { hp: 2, minM2: 22, maxM2: 32 },
      { hp: 3, minM2: 32, maxM2: 50 },
      { hp: 5, minM2: 50, maxM2: 80 },
    ],
    source: 'industry rule of thumb',
  },
  plateScrewsBrickMin: { value: 7, source: 'S7' },
  plateScrewsConcreteMin: { value: 5, source: 'S7' },
  ceilingPipeInsulationMinMm: { value: 13, source: 'S8' },
  ceilingDrainInsulationMinMm: { value: 9, source: 'S8' },
  cableMinMm2SinglePhase: { value: [{ upToHp: 1, min: 1.5 }, { upToHp: 2, min: 2.5 }, { upToHp: 3, min: 4 }], source: 'S9' },
  cableMinMm2ThreePhase: { value: [{ upToHp: 5, min: 2.5 }], source: 'S9' },
  bracketBoltsMin: { value: [{ upToHp: 1, min: 6 }, { upToHp: 1.5, min: 7 }, { upToHp: 2, min: 8 }, { upToHp: 2.5, min: 9 }, { min: 10 }], source: 'S10' },
  streetFacingMinHeightM: { value: 2.5, source: 'S12' },
  minPhotos: { value: 2, source: 'test' },
}
const UNIT: InstalledUnit = { model: 'KFR-35GW/(35592)FNhAa-A1', invoiceModel: 'KFR-35GW/(35592)FNhAa-A1', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 6 }
const SIGNED_AT = Date.UTC(2025, 0, 15, 14, 30)
const PHOTO = { sha256: 'a'.repeat(64), caption: 'indoor unit' }

/** A complete record that passes every check for UNIT. */
const FULL: InstallationRecord = {
  nameplateModel: 'KFR-35GW/(35592)FNhAa-A1',
  roomAreaM2: 18,
  wallMaterial: 'brick',
  plateScrewCount: 7,
  throughCeiling: { copperPipes: false, drain: false },
  cableCrossSectionMm2: 2.5,
  bracketBoltCount: 7,
  streetFacingGroundFloor: false,
  photos: [PHOTO, { url: 'https://example.com/outdoor.jpg', caption: 'outdoor unit' }],
  location: { lat: 28.2, lon: 112.97 },
  barcode: '6942178312345',
  customerSignature: { name: 'Li Wei', signedAt: SIGNED_AT },
}

function run(record: InstallationRecord, opts: { unit?: Partial<InstalledUnit>; confirmed?: boolean } = {}): StepResult {
  return evaluateInstallationRecord({ record, unit: { ...UNIT, ...opts.unit }, params: PARAMS, confirmed: opts.confirmed })
}
const check = (step: StepResult, id: string): CheckResult => {
  const c = step.checks.find((x) => x.id === id)
  if (!c) throw new Error(`no check ${id}`)
  return c
}
const IDS = ['model_match', 'capacity_for_room', 'plate_screws', 'ceiling_insulation', 'cable_cross_section', 'bracket_bolts', 'outdoor_height', 'photos_location_barcode', 'customer_signature']

describe('installation record: shape', () => {
  it('a full record passes, one check per clause', () => {
    const step = run(FULL)
    expect(step.id).toBe('installation_record')
    expect(step.checks.map((c) => [c.id, c.clause])).toEqual(IDS.map((id, i) => [id, ['S3', 'S5', 'S7', 'S8', 'S9', 'S10', 'S12', 'S15', 'S16'][i]]))
    expect(step.checks.filter((c) => c.status !== 'pass')).toEqual([])
    expect(step.status).toBe('pass')
  })
  it('an empty record: everything pending "not declared yet", step incomplete', () => {
    const step = run({})
    expect(step.status).toBe('incomplete')
    for (const c of step.checks) expect(c).toMatchObject({ status: 'pending', message: expect.stringMatching(/ not declared yet$/) })
    expect(check(step, 'model_match').message).toBe("nameplate model (read from the unit's nameplate, not the carton) not declared yet")
  })
  it('after the work order is confirmed, undeclared items fail with their severity', () => {
    const step = run({}, { confirmed: true })
    expect(step.status).toBe('fail')
    expect(step.checks.map((c) => [c.id, c.status, c.severity])).toEqual([
      ['model_match', 'fail', 'major'],
      ['capacity_for_room', 'fail', 'major'],
      ['plate_screws', 'fail', 'critical'],
      ['ceiling_insulation', 'fail', 'major'],
      ['cable_cross_section', 'fail', 'critical'],
      ['bracket_bolts', 'fail', 'critical'],
      ['outdoor_height', 'fail', 'major'],
      ['photos_location_barcode', 'fail', 'minor'],
      ['customer_signature', 'fail', 'minor'],
    ])
    expect(check(step, 'customer_signature').message).toBe("customer's signature on the installation card not declared, but the work order was confirmed")
  })
})

type Case = { name: string; record: InstallationRecord; unit?: Partial<InstalledUnit>; status: string; severity?: string; message?: string | RegExp; measured?: number; limit?: number }
function table(id: string, cases: Case[]) {
  for (const c of cases) {
    it(c.name, () => {
      const x = check(run({ ...FULL, ...c.record }, { unit: c.unit }), id)
      expect(x.status).toBe(c.status)
      expect(x.severity).toBe(c.severity)
      if (typeof c.message === 'string') expect(x.message).toBe(c.message)
      else if (c.message) expect(x.message).toMatch(c.message)
      if (c.measured !== undefined) expect(x.measured).toBe(c.measured)
      if (c.limit !== undefined) expect(x.limit).toBe(c.limit)
    })
  }
}

describe('model_match (S3)', () => {
  table('model_match', [
    { name: 'same model', record: {}, status: 'pass', message: 'invoice model matches the nameplate KFR-35GW/(35592)FNhAa-A1' },
    { name: 'full-width brackets, case and spaces do not matter', record: { nameplateModel: 'kfr-35GW/（35592）FNhAa-A1 ' }, status: 'pass' },
    {
      name: 'invoice differs',
      record: { invoiceModel: 'KFR-26GW/(26592)FNhAa-A1' },
      status: 'fail',
      severity: 'major',
      message: 'invoice model KFR-26GW/(26592)FNhAa-A1 does not match the nameplate KFR-35GW/(35592)FNhAa-A1: do not install (seed §5 ch.7 art.1, art.23)',
    },
    { name: 'declared invoice model overrides the job', record: { invoiceModel: 'KFR-50LW' }, status: 'fail', severity: 'major', message: /^invoice model KFR-50LW does not match/ },
    {
      name: 'the nameplate is not the job unit',
      record: { nameplateModel: 'KFR-50LW', invoiceModel: 'KFR-50LW' },
      status: 'fail',
      severity: 'major',
      message: "nameplate KFR-50LW is not the job's unit KFR-35GW/(35592)FNhAa-A1: do not install (seed §5 ch.7 art.1, art.23)",
    },
  ])
})

describe('capacity_for_room (S5), 1.5 HP suits 15-22 m²', () => {
  table('capacity_for_room', [
    { name: '15 m² (lower bound) passes', record: { roomAreaM2: 15 }, status: 'pass', message: 'room 15 m²: 1.5 HP suits 15-22 m²' },
    { name: '22 m² (upper bound) passes', record: { roomAreaM2: 22 }, status: 'pass', measured: 22 },
    {
      name: '22.1 m²: undersized unit, major',
      record: { roomAreaM2: 22.1 },
      status: 'fail',
      severity: 'major',
      limit: 22,
      message: "room 22.1 m² outside 1.5 HP suits 15-22 m²: the unit is too small to cool it; install only with the customer's signed confirmation (seed §5 ch.7 art.3)",
    },
    { name: '14.9 m²: oversized unit, minor', record: { roomAreaM2: 14.9 }, status: 'fail', severity: 'minor', limit: 15, message: /the unit is oversized/ },
    {
      name: 'outside the band with the customer\'s signed exception passes',
      record: { roomAreaM2: 30, customerSignedCapacityException: { name: 'Li Wei', signedAt: SIGNED_AT } },
      status: 'pass',
      message: 'room 30 m² outside 1.5 HP suits 15-22 m²; customer Li Wei signed the exception on 2025-01-15',
    },
    { name: '3 HP in 50 m² passes', record: { roomAreaM2: 50 }, unit: { capacityHp: 3 }, status: 'pass' },
    { name: 'no band for 2.5 HP: pending', record: { roomAreaM2: 30 }, unit: { capacityHp: 2.5 }, status: 'pending', message: 'the pack has no room-area band for 2.5 HP: 30 m² cannot be judged' },
  ])
  it('no band stays pending after confirmation: a pack gap, not the installer\'s', () => {
    expect(check(run({ ...FULL, roomAreaM2: 30 }, { unit: { capacityHp: 2.5 }, confirmed: true }), 'capacity_for_room').status).toBe('pending')
  })
})

describe('plate_screws (S7)', () => {
  table('plate_screws', [
    { name: 'brick 7 passes', record: { wallMaterial: 'brick', plateScrewCount: 7 }, status: 'pass', measured: 7, limit: 7, message: '7 screws in the mounting plate on a brick wall (at least 7)' },
    {
      name: 'brick 6 fails',
      record: { wallMaterial: 'brick', plateScrewCount: 6 },
      status: 'fail',
      severity: 'critical',
      message: '6 screws in the mounting plate on a brick wall, at least 7 required: the indoor unit may fall',
    },
    { name: 'concrete 5 passes', record: { wallMaterial: 'concrete', plateScrewCount: 5 }, status: 'pass', limit: 5 },
    { name: 'concrete 4 fails', record: { wallMaterial: 'concrete', plateScrewCount: 4 }, status: 'fail', severity: 'critical', limit: 5 },
    { name: 'count without wall: pending', record: { wallMaterial: undefined, plateScrewCount: 9 }, status: 'pending', message: 'wall material not declared yet' },
  ])
})

describe('ceiling_insulation (S8)', () => {
  table('ceiling_insulation', [
    { name: 'nothing through a ceiling: not applicable', record: {}, status: 'pass', message: 'not applicable: no pipes or drain through a ceiling' },
    { name: 'pipes 13 mm pass', record: { throughCeiling: { copperPipes: true, drain: false }, pipeInsulationMm: 13 }, status: 'pass', measured: 13, limit: 13 },
    {
      name: 'pipes 12.9 mm fail',
      record: { throughCeiling: { copperPipes: true, drain: false }, pipeInsulationMm: 12.9 },
      status: 'fail',
      severity: 'major',
      message: 'through the ceiling: copper pipe insulation 12.9 mm (at least 13 mm): condensate will drip',
    },
    { name: 'drain 9 mm passes', record: { throughCeiling: { copperPipes: false, drain: true }, drainInsulationMm: 9 }, status: 'pass', measured: 9, limit: 9 },
    { name: 'drain 8 mm fails', record: { throughCeiling: { copperPipes: false, drain: true }, drainInsulationMm: 8 }, status: 'fail', severity: 'major' },
    {
      name: 'both through, drain thin',
      record: { throughCeiling: { copperPipes: true, drain: true }, pipeInsulationMm: 13, drainInsulationMm: 6 },
      status: 'fail',
      severity: 'major',
      message: 'through the ceiling: drain pipe insulation 6 mm (at least 9 mm): condensate will drip',
    },
    { name: 'pipes through but thickness missing: pending', record: { throughCeiling: { copperPipes: true, drain: true }, drainInsulationMm: 9 }, status: 'pending', message: 'copper pipe insulation thickness not declared yet' },
  ])
})

describe('cable_cross_section (S9)', () => {
  const one: Case[] = [
    [1, 1, 1.5, 'pass'], [1, 1, 1.4, 'fail'], [0.75, 1, 1.5, 'pass'], [1.25, 1, 1.5, 'fail'], [1.25, 1, 2.5, 'pass'],
    [1.5, 1, 2.5, 'pass'], [1.5, 1, 1.5, 'fail'], [2, 1, 2.5, 'pass'], [3, 1, 4, 'pass'], [3, 1, 2.5, 'fail'],
    [3, 3, 2.5, 'pass'], [5, 3, 2.5, 'pass'], [5, 3, 1.5, 'fail'],
  ].map(([hp, phases, mm2, status]) => ({
    name: `${hp} HP ${phases === 3 ? 'three' : 'single'}-phase, ${mm2} mm² → ${status}`,
    record: { cableCrossSectionMm2: Number(mm2) },
    unit: { capacityHp: Number(hp), phases: phases === 3 ? 3 : 1 },
    status: String(status),
    severity: status === 'fail' ? 'critical' : undefined,
  }))
  table('cable_cross_section', [
    ...one,
    { name: 'message', record: { cableCrossSectionMm2: 2.5 }, unit: { capacityHp: 3 }, status: 'fail', severity: 'critical', limit: 4, message: 'supply cable 2.5 mm² is undersized for a 3 HP single-phase unit: at least 4 mm² (seed §5 ch.7 art.15)' },
    { name: 'no rule for 5 HP single-phase: pending', record: { cableCrossSectionMm2: 6 }, unit: { capacityHp: 5 }, status: 'pending', message: 'the pack has no cable rule for a 5 HP single-phase unit: 6 mm² cannot be judged' },
    { name: 'no rule above 5 HP three-phase: pending', record: { cableCrossSectionMm2: 6 }, unit: { capacityHp: 6, phases: 3 }, status: 'pending' },
  ])
})

describe('bracket_bolts (S10): 1 HP 6, >= 3 HP 10, 1.5-2.5 HP interpolated', () => {
  const cases: Case[] = [
    [0.75, 6, 'pass'], [1, 6, 'pass'], [1, 5, 'fail'], [1.5, 7, 'pass'], [1.5, 6, 'fail'], [2, 8, 'pass'], [2, 7, 'fail'],
    [2.5, 9, 'pass'], [3, 10, 'pass'], [3, 9, 'fail'], [5, 10, 'pass'],
  ].map(([hp, n, status]) => ({ name: `${hp} HP, ${n} bolts → ${status}`, record: { bracketBoltCount: Number(n) }, unit: { capacityHp: Number(hp) }, status: String(status), severity: status === 'fail' ? 'critical' : undefined }))
  table('bracket_bolts', [
    ...cases,
    {
      name: 'message names the shortfall',
      record: { bracketBoltCount: 8 },
      unit: { capacityHp: 3 },
      status: 'fail',
      severity: 'critical',
      measured: 8,
      limit: 10,
      message: '8 M10x100 expansion bolts for a 3 HP outdoor unit, 2 short of 10: the outdoor unit may fall (seed §5 ch.7 art.18 penalises each missing bolt)',
    },
  ])
})

describe('outdoor_height (S12)', () => {
  table('outdoor_height', [
    { name: 'not street-facing: not applicable', record: { streetFacingGroundFloor: false, outdoorHeightM: 1 }, status: 'pass', message: 'not applicable: the outdoor unit does not face a street at ground floor' },
    { name: '2.5 m passes', record: { streetFacingGroundFloor: true, outdoorHeightM: 2.5 }, status: 'pass', measured: 2.5, limit: 2.5 },
    {
      name: '2.49 m fails',
      record: { streetFacingGroundFloor: true, outdoorHeightM: 2.49 },
      status: 'fail',
      severity: 'major',
      message: 'street-facing ground-floor outdoor unit only 2.49 m up, at least 2.5 m required: passers-by can walk into it (seed §5 ch.7 art.20)',
    },
    { name: 'street-facing, height missing: pending', record: { streetFacingGroundFloor: true }, status: 'pending', message: 'outdoor unit height above the ground not declared yet' },
  ])
})

describe('photos_location_barcode (S15) and customer_signature (S16)', () => {
  table('photos_location_barcode', [
    { name: 'all uploaded', record: {}, status: 'pass', message: '2 photos, location and barcode 6942178312345 uploaded' },
    { name: 'one photo, no barcode', record: { photos: [PHOTO], barcode: undefined }, status: 'pending', message: 'photos (1 of 2), barcode scan not declared yet' },
    { name: 'no location', record: { location: undefined }, status: 'pending', message: 'location not declared yet' },
  ])
  table('customer_signature', [{ name: 'signed', record: {}, status: 'pass', message: 'installation card signed by Li Wei on 2025-01-15' }])
})

describe('InstallationRecordSchema', () => {
  it('accepts an empty and a partial record', () => {
    expect(InstallationRecordSchema.parse({})).toEqual({})
    expect(InstallationRecordSchema.parse({ roomAreaM2: 18 })).toEqual({ roomAreaM2: 18 })
    expect(InstallationRecordSchema.safeParse(FULL).success).toBe(true)
  })
  const bad: [string, unknown][] = [
    ['unknown key', { roomArea: 18 }],
    ['other wall', { wallMaterial: 'wood' }],
    ['fractional screws', { plateScrewCount: 6.5 }],
    ['photo without url or hash', { photos: [{ caption: 'x' }] }],
    ['bad hash', { photos: [{ sha256: 'xyz', caption: 'x' }] }],
    ['latitude out of range', { location: { lat: 91, lon: 0 } }],
    ['signature without a name', { customerSignature: { name: ' ', signedAt: SIGNED_AT } }],
  ]
  for (const [name, value] of bad) it(`refuses ${name}`, () => expect(InstallationRecordSchema.safeParse(value).success).toBe(false))
})

describe('InstallationRecordParamsSchema and stepFor', () => {
  it('accepts the pack values; refuses unordered or open-ended middle rows', () => {
    expect(InstallationRecordParamsSchema.safeParse(PARAMS).success).toBe(true)
    const rows = (value: unknown) => InstallationRecordParamsSchema.safeParse({ ...PARAMS, bracketBoltsMin: { value, source: 'x' } }).success
    expect(rows([{ upToHp: 2, min: 8 }, { upToHp: 1, min: 6 }])).toBe(false)
    expect(rows([{ min: 6 }, { upToHp: 3, min: 10 }])).toBe(false)
    expect(rows([])).toBe(false)
  })
  it('the first row at or above the HP applies; none beyond a closed table', () => {
    const rows = PARAMS.bracketBoltsMin.value
    expect([0.5, 1, 1.01, 2.5, 2.6, 10].map((hp) => stepFor(rows, hp)?.min)).toEqual([6, 6, 7, 9, 10, 10])
    expect(stepFor(PARAMS.cableMinMm2SinglePhase.value, 3.01)).toBeUndefined()
  })
})
