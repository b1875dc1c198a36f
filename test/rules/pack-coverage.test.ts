/** appliesTo enforced (issue 10): which packs cover a unit, and why not. */
import { describe, expect, it } from 'vitest'
import type { InstalledUnit } from '../../contract/job.js'
import { packMismatches, packsCovering } from '../../rules/pack-coverage.js'
import type { RulePack } from '../../rules/pack-schema.js'

const pack = (id: string, appliesTo: RulePack['appliesTo']): RulePack => ({ id, version: '1.0.0', title: id, appliesTo, steps: {} })
const SPLIT = pack('split', { refrigerants: ['R32', 'R410A'], unitTypes: ['split'], maxCapacityHp: 5 })
const VRF = pack('vrf', { refrigerants: ['R410A'], unitTypes: ['vrf'], minCapacityHp: 8 })
const ANY = pack('any', {})
const unit: InstalledUnit = { model: 'M', invoiceModel: 'M', capacityHp: 1.5, refrigerant: 'R32', phases: 1, ratedCurrentA: 6, type: 'split' }

describe('packMismatches', () => {
  it.each([
    [{}, []],
    [{ refrigerant: 'r32' }, []],
    [{ refrigerant: 'R290' }, ['refrigerant R290 is not one of R32, R410A']],
    [{ type: 'vrf' as const }, ['unit type vrf is not one of split']],
    [{ type: undefined }, ['unit.type is missing (the pack is for unit types split)']],
    [{ capacityHp: 6 }, ["6 HP is above the pack's 5 HP"]],
    [{ refrigerant: 'R454B', capacityHp: 5.5 }, ['refrigerant R454B is not one of R32, R410A', "5.5 HP is above the pack's 5 HP"]],
  ] as const)('%j → %j', (change, why) => {
    expect(packMismatches(SPLIT, { ...unit, ...change })).toEqual(why)
  })
  it('an absent appliesTo field means any', () => expect(packMismatches(ANY, { ...unit, refrigerant: 'R22', type: undefined })).toEqual([]))
  it('below the minimum capacity', () => expect(packMismatches(VRF, { ...unit, refrigerant: 'R410A', type: 'vrf', capacityHp: 6 })).toEqual(["6 HP is below the pack's 8 HP"]))
})

describe('packsCovering', () => {
  it('names the packs that do cover the unit', () => {
    expect(packsCovering([SPLIT, VRF, ANY], unit)).toEqual(['split', 'any'])
    expect(packsCovering([SPLIT, VRF], { ...unit, refrigerant: 'R410A', type: 'vrf', capacityHp: 10 })).toEqual(['vrf'])
    expect(packsCovering([SPLIT, VRF], { ...unit, refrigerant: 'R290' })).toEqual([])
  })
})

describe('model packs', () => {
  const MODEL = pack('carrier', { refrigerants: ['R410A'], models: ['38VTA'] })
  it('cover only the models they name (prefix; case and spaces ignored)', () => {
    expect(packMismatches(MODEL, { ...unit, refrigerant: 'R410A', model: '38vta 036' })).toEqual([])
    expect(packMismatches(MODEL, { ...unit, refrigerant: 'R410A', model: 'KFR-35GW' })).toEqual(['model KFR-35GW is not one the pack is written for (38VTA)'])
  })
})
