/** Rule packs are versioned data: a job keeps the pack it was created with; a broken pack stops the start. */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { defaultPacksDir } from '../../gateway/packs/load-packs.js'
import { startApiHarness } from '../helpers/api-harness.js'

const root = mkdtempSync(join(tmpdir(), 'gw-packs-'))
const packsDir = join(root, 'packs')
const dataDir = join(root, 'data')
mkdirSync(packsDir)
const packFile = join(packsDir, 'split-ac.yaml')
copyFileSync(join(defaultPacksDir(), 'split-ac.yaml'), packFile)
const unit = { model: 'M', invoiceModel: 'M', capacityHp: 1, refrigerant: 'R32', phases: 1, ratedCurrentA: 5, type: 'split' }

afterAll(() => rmSync(root, { recursive: true, force: true }))

it('an old job keeps the pack version it was created with after the pack changes', async () => {
  let h = await startApiHarness({ dataDir, env: { GW_RULES_DIR: packsDir } })
  await h.api('POST', '/api/v1/jobs', { id: 'old-job', rulePack: 'split-ac', unit })
  const oldVerdict = await h.api<{ rulePack: { version: string } }>('GET', '/api/v1/jobs/old-job/verdict')
  await h.close()

  const pack = parse(readFileSync(packFile, 'utf8')) as { version: string; steps: { test_run: { minDurationS: { value: number } } } }
  const oldVersion = pack.version
  pack.version = '9.0.0'
  pack.steps.test_run.minDurationS.value = 3600
  writeFileSync(packFile, stringify(pack))

  h = await startApiHarness({ dataDir, env: { GW_RULES_DIR: packsDir } })
  try {
    await h.api('POST', '/api/v1/jobs', { id: 'new-job', rulePack: 'split-ac', unit })
    await h.api('POST', '/api/v1/jobs/old-job/steps/test_run/start', { at: Date.now() - 1000 })
    await h.api('POST', '/api/v1/jobs/new-job/steps/test_run/start', { at: Date.now() - 1000 })
    type V = { rulePack: { version: string }; steps: { id: string; checks: { id: string; limit?: number }[] }[] }
    const limit = (v: V) => v.steps.find((s) => s.id === 'test_run')!.checks.find((c) => c.id === 'duration')!.limit
    const oldJob = (await h.api<V>('GET', '/api/v1/jobs/old-job/verdict')).body
    const newJob = (await h.api<V>('GET', '/api/v1/jobs/new-job/verdict')).body
    expect(oldVerdict.body.rulePack.version).toBe(oldVersion)
    expect(oldJob.rulePack.version).toBe(oldVersion)
    expect(limit(oldJob)).toBe(1800)
    expect(newJob.rulePack.version).toBe('9.0.0')
    expect(limit(newJob)).toBe(3600)
  } finally {
    await h.close()
  }
})

it('a broken pack refuses the start with the file and the field', async () => {
  const brokenDir = join(root, 'broken')
  mkdirSync(brokenDir)
  const pack = parse(readFileSync(join(defaultPacksDir(), 'split-ac.yaml'), 'utf8')) as { steps: { test_run: { maxGapS: { value: unknown } } } }
  pack.steps.test_run.maxGapS.value = 'sixty'
  writeFileSync(join(brokenDir, 'split-ac.yaml'), stringify(pack))
  await expect(startApiHarness({ env: { GW_RULES_DIR: brokenDir } })).rejects.toThrow(/broken\/split-ac\.yaml: steps\.test_run\.maxGapS\.value: expected number/)
})

it('a pack changed under an old version is refused at start; a new version starts and the verdict names its hash', async () => {
  const dir = join(root, 'hash-packs')
  const data = join(root, 'hash-data')
  mkdirSync(dir)
  const file = join(dir, 'split-ac.yaml')
  copyFileSync(join(defaultPacksDir(), 'split-ac.yaml'), file)
  type V = { rulePack: { id: string; version: string; hash: string } }

  let h = await startApiHarness({ dataDir: data, env: { GW_RULES_DIR: dir } })
  await h.api('POST', '/api/v1/jobs', { id: 'j1', rulePack: 'split-ac', unit })
  const first = (await h.api<V>('GET', '/api/v1/jobs/j1/verdict')).body.rulePack
  await h.close()
  expect(first.hash).toMatch(/^sha256:[0-9a-f]{64}$/)

  // Comments and key order are not content: the same numbers start again.
  writeFileSync(file, `# reformatted\n${stringify(parse(readFileSync(file, 'utf8')), { sortMapEntries: true })}`)
  h = await startApiHarness({ dataDir: data, env: { GW_RULES_DIR: dir } })
  await h.close()

  const pack = parse(readFileSync(file, 'utf8')) as { version: string; steps: { test_run: { minDurationS: { value: number } } } }
  pack.steps.test_run.minDurationS.value = 1200
  writeFileSync(file, stringify(pack))
  await expect(startApiHarness({ dataDir: data, env: { GW_RULES_DIR: dir } })).rejects.toThrow(
    /rule pack split-ac 1\.1\.0 changed since this gateway first loaded it \(was sha256:[0-9a-f]{64}, now sha256:[0-9a-f]{64}\): give the changed pack a new version/,
  )

  pack.version = '1.1.1'
  writeFileSync(file, stringify(pack))
  h = await startApiHarness({ dataDir: data, env: { GW_RULES_DIR: dir } })
  try {
    await h.api('POST', '/api/v1/jobs', { id: 'j2', rulePack: 'split-ac', unit })
    const old = (await h.api<V>('GET', '/api/v1/jobs/j1/verdict')).body.rulePack
    const next = (await h.api<V>('GET', '/api/v1/jobs/j2/verdict')).body.rulePack
    expect(old).toEqual(first)
    expect(next.version).toBe('1.1.1')
    expect(next.hash).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(next.hash).not.toBe(first.hash)
  } finally {
    await h.close()
  }
})

it.each([
  [{ ...unit, refrigerant: 'R290' }, /refrigerant R290 is not one of R32, R410A/],
  [{ ...unit, refrigerant: 'R454B' }, /refrigerant R454B is not one of R32, R410A/],
  [{ ...unit, type: 'vrf' }, /unit type vrf is not one of split/],
  [{ model: 'M', invoiceModel: 'M', capacityHp: 1, refrigerant: 'R32', phases: 1, ratedCurrentA: 5 }, /unit\.type is missing \(the pack is for unit types split\)/],
])('a job on a pack that does not cover the unit is a 400 saying why and which packs do (%j)', async (u, why) => {
  const h = await startApiHarness()
  try {
    const res = await h.api<{ error: { code: string; message: string } }>('POST', '/api/v1/jobs', { id: 'x', rulePack: 'split-ac', unit: u })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('GW_ERR_VALIDATION')
    expect(res.body.error.message).toMatch(/pack "split-ac" does not cover this unit/)
    expect(res.body.error.message).toMatch(why)
    expect(res.body.error.message).toMatch(/packs that cover this unit: |no loaded pack covers this unit/)
    expect((await h.api('GET', '/api/v1/jobs/x')).status).toBe(404)
  } finally {
    await h.close()
  }
})

it('an R32 unit on the VRF pack is refused and pointed at the split pack', async () => {
  const h = await startApiHarness()
  try {
    const res = await h.api<{ error: { message: string } }>('POST', '/api/v1/jobs', { id: 'x', rulePack: 'vrf-r410a', unit })
    expect(res.status).toBe(400)
    expect(res.body.error.message).toMatch(/refrigerant R32 is not one of R410A.*packs that cover this unit: .*split-ac/)
  } finally {
    await h.close()
  }
})
