/**
 * Loads the rule packs at start. The only I/O around rules/: read each YAML file, parse
 * it, validate it with the pack schema. A broken pack stops the start with a message that
 * names the file and the field; the gateway never runs with a half-read standard.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { parseRulePack, type RulePack } from '../../rules/pack-schema.js'

/** rules/packs of this checkout, resolved from this file (independent of the working directory). */
export function defaultPacksDir(): string {
  return fileURLToPath(new URL('../../rules/packs', import.meta.url))
}

function parseYaml(text: string, origin: string): unknown {
  try {
    return parse(text)
  } catch (err) {
    // yaml's message carries line and column and a code frame.
    const reason = err instanceof Error ? err.message : String(err)
    throw new Error(`${origin}: YAML syntax error: ${reason}`)
  }
}

/**
 * Every `*.yaml` / `*.yml` in `dir`, keyed by pack id, in file-name order. Throws on a
 * missing directory, a syntax error, a schema error or a duplicate id. An empty directory
 * gives an empty map; whether that is acceptable is the caller's decision.
 */
export function loadRulePacks(dir: string): Map<string, RulePack> {
  let names: string[]
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
      .map((e) => e.name)
      .sort()
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw new Error(`rule packs directory ${dir}: ${reason}`)
  }

  const packs = new Map<string, RulePack>()
  const fileOf = new Map<string, string>()
  for (const name of names) {
    const origin = join(dir, name)
    const pack = parseRulePack(parseYaml(readFileSync(origin, 'utf8'), origin), origin)
    const previous = fileOf.get(pack.id)
    if (previous !== undefined) throw new Error(`${origin}: duplicate rule pack id "${pack.id}" (already defined in ${previous})`)
    packs.set(pack.id, pack)
    fileOf.set(pack.id, origin)
  }
  return packs
}
