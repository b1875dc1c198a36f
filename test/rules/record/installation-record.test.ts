import { describe, it, expect } from 'vitest'
import type { InstalledUnit } from '../../../contract/job.js'
import type { StepResult } from '../../../rules/result.js'
import { check } from '../helpers/checks.js'
import {
  evaluateInstallationRecord,
  InstallationRecordParamsSchema,
  InstallationRecordSchema,
  stepFor,
  type InstallationRecord,
  type InstallationRecordParams,
} from '../../../rules/record/installation-record.js'

// The split-ac pack's values, spelt out so these cases do not move when the pack does.
const PARAMS: InstallationRecordParams = {
  coolingWPerHp: { value: 2300, source: 'S5' },
  roomLoadWPerM2: { value: 180, source: 'S5' },
  plateScrewsBrickMin: { value: 7, source: 'S7' },
  plateScrewsConcreteMin: { value: 5, source: 'S7' },
  ceilingPipeInsulationMinMm: { value: 13, source: 'S8' },
  ceilingDrainInsulationMinMm: { value: 9, source: 'S8' },
  cableMinMm2SinglePhase: { value: [{ upToHp: 1, min: 1.5 }, { upToHp: 2, min: 2.5 }, { upToHp: 3, min: 4 }], source: 'S9' },
  cableMinMm2ThreePhase: { value: [{ upToHp: 5, min: 2.5 }], source: 'S9' },
  cableAmpacity: {
    value: [
      { mm2: 1.5, twoLoadedA: 16.5, threeLoadedA: 15 },
      { mm2: 2.5, twoLoadedA: 23, threeLoadedA: 20 },
      { mm2: 4, twoLoadedA: 30, threeLoadedA: 27 },
      { mm2: 6, twoLoadedA: 38, threeLoadedA: 34 },
    ],
    source: 'IEC 60364-5-52 B.52.4 B2',
  },
  cableCurrentMarginRatio: { value: 1.25, source: 'NEC 440.32' },
  bracketBolts: { value: { smallUpToHp: 1, smallMin: 6, largeFromHp: 3, largeMin: 10 }, source: 'S10' },
  streetFacingMinHeightM: { value: 2.5, source: 'S12' },
  groundFloorMinHeightM: { value: 2, source: 'S12 ch.5 art.5' },
  plateMinLoadKg: { value: 60, source: 'S11' },
  bracketMinLoadFactor: { value: 4, source: 'S11' },
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
  outdoorGroundFloor: false,
  noWaterLeak: true,
  condensateDrainOk: true,
  wallHoleSlopesOut: true,
  wallHoleSealed: true,
  plateLoadRatingKg: 80,
  bracketLoadRatingKg: 200,
  outdoorUnitWeightKg: 35,
  workAtHeight: true,
  harnessUsed: true,
  photos: [PHOTO, { url: 'https://example.com/outdoor.jpg', caption: 'outdoor unit' }],
  location: { lat: 28.2, lon: 112.97 },
  barcode: '6942178312345',
  customerSignature: { name: 'Li Wei', signedAt: SIGNED_AT },
}

function run(record: InstallationRecord, opts: { unit?: Partial<InstalledUnit>; confirmed?: boolean } = {}): StepResult {
  return evaluateInstallationRecord({ record, unit: { ...UNIT, ...opts.unit }, params: PARAMS, confirmed: opts.confirmed })
}
const IDS = [
  ['model_match', 'S3'], ['capacity_for_room', 'S5'], ['wall_hole', 'S6'], ['plate_screws', 'S7'], ['ceiling_insulation', 'S8'],
  ['cable_cross_section', 'S9'], ['bracket_bolts', 'S10'], ['mounting_load', 'S11'], ['outdoor_height', 'S12'], ['no_water_leak', 'S1'],
  ['harness', 'S18'], ['photos_location_barcode', 'S15'], ['customer_signature', 'S16'],
]

describe('installation record: shape', () => {
  it('a full record passes, one check per clause', () => {
    const step = run(FULL)
    expect(step.id).toBe('installation_record')
    expect(step.checks.map((c) => [c.id, c.clause])).toEqual(IDS)
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
      ['wall_hole', 'fail', 'major'],
      ['plate_screws', 'fail', 'critical'],
      ['ceiling_insulation', 'fail', 'major'],
      ['cable_cross_section', 'fail', 'critical'],
      ['bracket_bolts', 'fail', 'critical'],
      ['mounting_load', 'fail', 'critical'],
      ['outdoor_height', 'fail', 'major'],
      ['no_water_leak', 'fail', 'major'],
      ['harness', 'fail', 'major'],
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

describe('capacity_for_room (S5): capacity too small for the room; a small room never fails', () => {
  // 1.5 HP × 2300 W/HP = 3450 W; at 180 W/m² it covers 3450 / 180 = 19.17 → 19.2 m².
  table('capacity_for_room', [
    { name: '10 m² (small room) passes', record: { roomAreaM2: 10 }, status: 'pass', limit: 19.2, message: 'room 10 m²: 1.5 HP ≈ 3450 W at 2300 W/HP covers up to 19.2 m² at 180 W/m² (a smaller room cools better, seed §5 ch.7 art.3)' },
    { name: '19.2 m² passes', record: { roomAreaM2: 19.2 }, status: 'pass', measured: 19.2 },
    {
      name: '19.3 m²: unit too small, major',
      record: { roomAreaM2: 19.3 },
      status: 'fail',
      severity: 'major',
      limit: 19.2,
      message: "room 19.3 m² is too large: 1.5 HP ≈ 3450 W at 2300 W/HP covers up to 19.2 m² at 180 W/m², the unit is too small to cool it; install only with the customer's own signed confirmation (seed §5 ch.7 art.3)",
    },
    {
      name: "too large with the customer's signed exception passes",
      record: { roomAreaM2: 30, customerSignedCapacityException: { name: 'Li Wei', signedAt: SIGNED_AT } },
      status: 'pass',
      message: 'room 30 m² is larger than 1.5 HP ≈ 3450 W at 2300 W/HP covers up to 19.2 m² at 180 W/m²; customer Li Wei signed the exception on 2025-01-15',
    },
    // 1.25 HP: 2875 W → 15.97 m²; 2.5 HP: 5750 W → 31.94 m²; 4 HP: 9200 W → 51.1 m²: sizes the old table did not list.
    { name: '1.25 HP in 16 m² passes', record: { roomAreaM2: 16 }, unit: { capacityHp: 1.25 }, status: 'pass', limit: 16 },
    { name: '1.25 HP in 16.5 m² fails', record: { roomAreaM2: 16.5 }, unit: { capacityHp: 1.25 }, status: 'fail', severity: 'major', limit: 16 },
    { name: '2.5 HP in 31.9 m² passes', record: { roomAreaM2: 31.9 }, unit: { capacityHp: 2.5 }, status: 'pass', limit: 31.9 },
    { name: '4 HP in 52 m² fails', record: { roomAreaM2: 52 }, unit: { capacityHp: 4 }, status: 'fail', severity: 'major', limit: 51.1 },
    // The nameplate's 3500 W wins over the HP estimate: 3500 / 180 = 19.44 → 19.4 m².
    { name: 'rated capacity given: 3500 W covers 19.4 m²', record: { roomAreaM2: 19.4 }, unit: { coolingCapacityW: 3500 }, status: 'pass', limit: 19.4, message: /^room 19\.4 m²: rated 3500 W covers up to 19\.4 m²/ },
  ])
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
    // The seed is silent: 5 HP single-phase rated 22 A needs 1.25 × 22 = 27.5 A: 4 mm² (30 A, two loaded, B2) is the smallest.
    {
      name: '5 HP single-phase, 4 mm² carries 27.5 A: pass (seed silent, IEC 60364-5-52)',
      record: { cableCrossSectionMm2: 4 },
      unit: { capacityHp: 5, ratedCurrentA: 22 },
      status: 'pass',
      limit: 4,
      message: 'supply cable 4 mm² carries 30 A (the seed is silent for a 5 HP single-phase unit: IEC 60364-5-52 ampacity, two loaded conductors, must carry 1.25 × rated 22 A = 27.5 A)',
    },
    { name: '5 HP single-phase, 2.5 mm² (23 A) fails', record: { cableCrossSectionMm2: 2.5 }, unit: { capacityHp: 5, ratedCurrentA: 22 }, status: 'fail', severity: 'critical', limit: 4 },
    // 6 HP three-phase, nameplate maximum 16 A: 1.25 × 16 = 20 A; 2.5 mm² three loaded carries 20 A.
    { name: '6 HP three-phase, 2.5 mm² carries 20 A: pass', record: { cableCrossSectionMm2: 2.5 }, unit: { capacityHp: 6, phases: 3, ratedCurrentA: 12, maxCurrentA: 16 }, status: 'pass', limit: 2.5 },
    { name: '6 HP three-phase, 1.5 mm² (15 A) fails', record: { cableCrossSectionMm2: 1.5 }, unit: { capacityHp: 6, phases: 3, ratedCurrentA: 12, maxCurrentA: 16 }, status: 'fail', severity: 'critical', limit: 2.5 },
    { name: 'beyond the ampacity table: pending', record: { cableCrossSectionMm2: 6 }, unit: { capacityHp: 10, phases: 1, ratedCurrentA: 40 }, status: 'pending', message: 'the seed is silent for a 10 HP single-phase unit; 50 A is beyond the pack\'s ampacity table' },
  ])
})

describe('bracket_bolts (S10): 1 HP 6, >= 3 HP 10; 1.5-2.5 HP the seed is silent', () => {
  const cases: Case[] = (
    [
      [0.75, 6, 'pass'], [1, 6, 'pass'], [1, 5, 'fail'], [1.5, 6, 'pass'], [1.5, 5, 'fail'], [2, 10, 'pass'], [2, 9, 'warn'], [2, 6, 'warn'],
      [2, 5, 'fail'], [2.5, 9, 'warn'], [2.5, 10, 'pass'], [3, 10, 'pass'], [3, 9, 'fail'], [5, 10, 'pass'],
    ] as const
  ).map(([hp, n, status]) => ({
    name: `${hp} HP, ${n} bolts → ${status}`,
    record: { bracketBoltCount: n },
    unit: { capacityHp: hp },
    status,
    severity: status === 'fail' ? 'critical' : status === 'warn' ? 'minor' : undefined,
  }))
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
    {
      name: 'between the fixed points the message says the seed is silent',
      record: { bracketBoltCount: 8 },
      unit: { capacityHp: 2.5 },
      status: 'warn',
      severity: 'minor',
      limit: 10,
      message: "8 expansion bolts for a 2.5 HP outdoor unit; the seed gives 6 for 1 HP and 10 from 3 HP and is silent for 2.5 HP: the nearer stricter count is 10, check the bracket maker's instructions",
    },
  ])
})

describe('outdoor_height (S12)', () => {
  table('outdoor_height', [
    { name: 'not on the ground floor: not applicable', record: { streetFacingGroundFloor: false, outdoorHeightM: 1 }, status: 'pass', message: 'not applicable: the outdoor unit is not on the ground floor' },
    // ch.5 art.5: any ground-floor outdoor unit above 2 m, or on the ground behind a guard net.
    { name: 'ground floor, 2 m passes', record: { outdoorGroundFloor: true, outdoorHeightM: 2 }, status: 'pass', limit: 2 },
    {
      name: 'ground floor, 1.5 m without a net fails',
      record: { outdoorGroundFloor: true, outdoorHeightM: 1.5, outdoorGuardNet: false },
      status: 'fail',
      severity: 'major',
      message: 'ground-floor outdoor unit only 1.5 m up without a guard net: at least 2 m, or a safety guard net on the ground (seed §5 ch.5 art.5)',
    },
    { name: 'ground floor, on the ground behind a net passes', record: { outdoorGroundFloor: true, outdoorHeightM: 0, outdoorGuardNet: true }, status: 'pass' },
    { name: 'ground floor, 1.5 m, net not declared: pending', record: { outdoorGroundFloor: true, outdoorHeightM: 1.5 }, status: 'pending', message: 'guard net around the ground-floor outdoor unit 1.5 m up (below 2 m one is required) not declared yet' },
    { name: 'street-facing 2.4 m: a guard net is no exception (ch.7 art.20)', record: { streetFacingGroundFloor: true, outdoorHeightM: 2.4, outdoorGuardNet: true }, status: 'fail', severity: 'major' },
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
    const rows = (value: unknown) => InstallationRecordParamsSchema.safeParse({ ...PARAMS, cableMinMm2SinglePhase: { value, source: 'x' } }).success
    expect(rows([{ upToHp: 2, min: 2.5 }, { upToHp: 1, min: 1.5 }])).toBe(false)
    expect(rows([{ min: 1.5 }, { upToHp: 3, min: 4 }])).toBe(false)
    expect(rows([])).toBe(false)
    const bolts = (value: unknown) => InstallationRecordParamsSchema.safeParse({ ...PARAMS, bracketBolts: { value, source: 'x' } }).success
    expect(bolts({ smallUpToHp: 3, smallMin: 6, largeFromHp: 1, largeMin: 10 })).toBe(false)
  })
  it('the first row at or above the HP applies; none beyond a closed table', () => {
    const rows = [{ upToHp: 1, min: 6 }, { upToHp: 1.5, min: 7 }, { upToHp: 2, min: 8 }, { upToHp: 2.5, min: 9 }, { min: 10 }]
    expect([0.5, 1, 1.01, 2.5, 2.6, 10].map((hp) => stepFor(rows, hp)?.min)).toEqual([6, 6, 7, 9, 10, 10])
    expect(stepFor(PARAMS.cableMinMm2SinglePhase.value, 3.01)).toBeUndefined()
  })
})

describe('attestations: S1 water and condensate, S6 wall hole, S18 harness, S11 load ratings', () => {
  table('no_water_leak', [
    { name: 'attested', record: {}, status: 'pass' },
    { name: 'water leaks', record: { noWaterLeak: false }, status: 'fail', severity: 'major', message: 'water leaks from the unit after the test run: fix it before handing over (seed §5 ch.7 art.21)' },
    { name: 'condensate bothers others', record: { condensateDrainOk: false }, status: 'fail', severity: 'major', message: /bothers others/ },
    { name: 'undeclared', record: { noWaterLeak: undefined }, status: 'pending', message: 'no water leak after the test run not declared yet' },
  ])
  table('wall_hole', [
    { name: 'slopes out and sealed', record: {}, status: 'pass' },
    { name: 'slopes in', record: { wallHoleSlopesOut: false }, status: 'fail', severity: 'major', message: /does not slope down to the outside: rain runs into the room/ },
    { name: 'not sealed', record: { wallHoleSealed: false }, status: 'fail', severity: 'major' },
  ])
  table('harness', [
    { name: 'used', record: {}, status: 'pass' },
    { name: 'no work at height: not applicable', record: { workAtHeight: false, harnessUsed: undefined }, status: 'pass', message: /^not applicable/ },
    { name: 'not used at height', record: { harnessUsed: false }, status: 'fail', severity: 'major', message: /without a safety harness \(seed §5 ch\.5 art\.1/ },
  ])
  table('mounting_load', [
    { name: 'plate 80 kg, bracket 200 kg for 35 kg', record: {}, status: 'pass' },
    { name: 'plate 50 kg', record: { plateLoadRatingKg: 50 }, status: 'fail', severity: 'critical', message: /mounting plate rated 50 kg, at least 60 kg required/ },
    // 4 × 35 kg = 140 kg (ch.7 art.19; the addendum's 3 × would allow 105 kg).
    { name: 'bracket 130 kg for a 35 kg unit', record: { bracketLoadRatingKg: 130 }, status: 'fail', severity: 'critical', message: /at least 4 × the unit's 35 kg = 140 kg required/ },
    { name: 'bracket 140 kg passes', record: { bracketLoadRatingKg: 140 }, status: 'pass' },
  ])
})

describe('separate nameplates: the outdoor plate is read on its own (S3)', () => {
  table('outdoor_nameplate', [
    { name: 'matches', record: { outdoorNameplateModel: 'KFR-35W/FNhAa-A1' }, unit: { outdoorModel: 'KFR-35W/FNhAa-A1' }, status: 'pass' },
    { name: 'mismatched set', record: { outdoorNameplateModel: 'KFR-26W/FNhAa-A1' }, unit: { outdoorModel: 'KFR-35W/FNhAa-A1' }, status: 'fail', severity: 'major', message: /is not the job's outdoor unit KFR-35W\/FNhAa-A1/ },
    { name: 'undeclared', record: {}, unit: { outdoorModel: 'KFR-35W/FNhAa-A1' }, status: 'pending' },
  ])
  it('no outdoor model on the job: no separate check', () => {
    expect(run(FULL).checks.some((c) => c.id === 'outdoor_nameplate')).toBe(false)
  })
})

describe('flammable refrigerant charge limit (IEC 60335-2-40 Annex GG.2)', () => {
  const withLimit = { ...PARAMS, flammableChargeLimit: { value: { lflKgM3: { R32: 0.307, R290: 0.038 }, h0M: 1.8 }, source: 'GG.2' } }
  const charge = (record: InstallationRecord, unit: Partial<InstalledUnit>) =>
    check(evaluateInstallationRecord({ record: { ...FULL, ...record }, unit: { ...UNIT, ...unit }, params: withLimit }), 'flammable_charge_limit')
  // R290, 0.3 kg, wall 1.8 m: LFL^1.25 = 0.038^1.25 = 0.016771; 2.5 × 0.016771 × 1.8 = 0.075469; (0.3 / 0.075469)² = 15.80 m².
  it('0.3 kg R290 needs 15.8 m²: 16 m² passes, 15 m² fails critically', () => {
    expect(charge({ roomAreaM2: 16 }, { refrigerant: 'R290', chargeKg: 0.3 })).toMatchObject({ status: 'pass', limit: 15.8 })
    const small = charge({ roomAreaM2: 15 }, { refrigerant: 'R290', chargeKg: 0.3 })
    expect(small).toMatchObject({ status: 'fail', severity: 'critical', limit: 15.8 })
    expect(small.message).toMatch(/^room 15 m² is too small for 0\.3 kg R290: A_min = .* 15\.8 m² \(IEC 60335-2-40 \/ GB 4706\.32 Annex GG\.2\)/)
  })
  it('at or below m1 = 4 m³ × LFL no area limit (R290: 0.152 kg; R32: 1.228 kg)', () => {
    expect(charge({ roomAreaM2: 5 }, { refrigerant: 'R290', chargeKg: 0.15 }).status).toBe('pass')
    expect(charge({ roomAreaM2: 5 }, { refrigerant: 'R32', chargeKg: 1.2 }).status).toBe('pass')
  })
  // R32 1.8 kg: 0.307^1.25 = 0.228575; 2.5 × 0.228575 × 1.8 = 1.028587; (1.8 / 1.028587)² = 3.06 m².
  it('1.8 kg R32 needs 3.1 m²', () => {
    expect(charge({ roomAreaM2: 3 }, { refrigerant: 'R32', chargeKg: 1.8 })).toMatchObject({ status: 'fail', limit: 3.1 })
  })
  it('above m2 = 26 m³ × LFL (R290 0.988 kg) fails; no charge given is pending; R410A is not applicable', () => {
    expect(charge({}, { refrigerant: 'R290', chargeKg: 1 })).toMatchObject({ status: 'fail', severity: 'critical' })
    expect(charge({}, { refrigerant: 'R290' }).status).toBe('pending')
    expect(charge({}, { refrigerant: 'R410A' }).message).toMatch(/^not applicable/)
  })
})
