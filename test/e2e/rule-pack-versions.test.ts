/** Rule packs are versioned data: a job keeps the pack it was created with; a broken pack stops the start. */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { defaultPacksDir } from '../../gateway/rules/load-packs.js'
import { startHarness } from '../helpers/gateway-harness.js'

const root = mkdtempSync(join(tmpdir(), 'gw-packs-'))
const packsDir = join(root, 'packs')
const dataDir = join(root, 'data')
mkdirSync(packsDir)
const packFile = join(packsDir, 'split-ac.yaml')
copyFileSync(join(defaultPacksDir(), 'split-ac.yaml'), packFile)
const unit = { model: 'M', invoiceModel: 'M', capacityHp: 1, refrigerant: 'R32', phases: 1, ratedCurrentA: 5 }

afterAll(() => rmSync(root, { recursive: true, force: true }))

it('an old job keeps the pack version it was created with after the pack changes', async () => {
  let h = await startHarness({ dataDir, env: { GW_RULES_DIR: packsDir } })
  await h.api('POST', '/api/v1/jobs', { id: 'old-job', rulePack: 'split-ac', unit })
  const oldVerdict = await h.api<{ rulePack: { version: string } }>('GET', '/api/v1/jobs/old-job/verdict')
  await h.close()

  const pack = parse(readFileSync(packFile, 'utf8')) as { version: string; steps: { test_run: { minDurationS: { value: number } } } }
  const oldVersion = pack.version
  pack.version = '9.0.0'
  pack.steps.test_run.minDurationS.value = 3600
  writeFileSync(packFile, stringify(pack))

  h = await startHarness({ dataDir, env: { GW_RULES_DIR: packsDir } })
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
  await expect(startHarness({ env: { GW_RULES_DIR: brokenDir } })).rejects.toThrow(/broken\/split-ac\.yaml: steps\.test_run\.maxGapS\.value: expected number/)
})
