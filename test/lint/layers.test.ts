/**
 * The floors of the house (issue 9, docs/architecture.md): `contract/` is the ground floor and
 * imports nothing of the project; `rules/` imports only `contract/`; `broker/`, `dashboards/`
 * and `firmware-sim/` import nothing from `gateway/`. Imports are read with the TypeScript
 * compiler's pre-processor, so `import type`, re-exports and dynamic imports all count.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..', '..')

/** Folder -> top-level project folders it may import from (itself always allowed). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  contract: [],
  rules: ['contract'],
  broker: ['contract'],
  dashboards: ['contract', 'rules'],
  'firmware-sim': ['contract', 'rules'],
}
/** npm packages the ground floor may use. */
const CONTRACT_PACKAGES = new Set(['zod'])

function sourceFiles(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path)) // spread-ok: one directory's entries
    else if (/\.(ts|mts|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(path)
  }
  return out
}

function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
  return info.importedFiles.map((f) => f.fileName)
}

/** `file -> import` of every import that crosses a floor it may not. */
export function layerViolations(folder: string, mayImport: readonly string[] = MAY_IMPORT[folder] ?? []): string[] {
  const allowed = new Set([folder, ...mayImport])
  const found: string[] = []
  for (const file of sourceFiles(join(ROOT, folder))) {
    for (const spec of importsOf(file)) {
      const where = `${relative(ROOT, file)} -> ${spec}`
      if (spec.startsWith('.')) {
        const top = relative(ROOT, resolve(dirname(file), spec)).split(/[\\/]/)[0]!
        if (!allowed.has(top)) found.push(where)
      } else if (folder === 'contract' && !CONTRACT_PACKAGES.has(spec)) {
        found.push(where)
      }
    }
  }
  return found
}

describe('import floors', () => {
  for (const folder of Object.keys(MAY_IMPORT)) {
    it(`${folder}/ imports only ${[folder, ...MAY_IMPORT[folder]!].join(', ')}`, () => {
      expect(layerViolations(folder)).toEqual([])
    })
  }

  it('finds a crossing when there is one (the check itself can fail)', () => {
    // gateway/ imports broker/ (gateway.ts starts it): judged by the rules/ floor, that must show.
    expect(layerViolations('gateway', MAY_IMPORT.rules).some((v) => v.includes('broker/'))).toBe(true)
  })
})
