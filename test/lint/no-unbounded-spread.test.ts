/**
 * No unbounded spread (issue 8, "Crashes"). A spread in a call's argument list —
 * `arr.push(...items)`, `Math.max(...values)`, `fn(...args)` — puts every element on the
 * stack as one argument: past ~125,000 elements V8 throws RangeError (Maximum call stack
 * size exceeded), and a started step with that many readings crashed the gateway.
 *
 * The rule this test enforces on gateway/, broker/, rules/, firmware-sim/ and dashboards/:
 * - A spread in the arguments of a call or `new`, and `f.apply(self, list)` with a list that
 *   is not an array literal, are refused, unless the line (or the line above) says
 *   `spread-ok: <why the list is small>` — e.g. a fixed list of a few names.
 * - Spreads in array literals (`[...a, ...b]`) and object literals (`{ ...o }`) are allowed:
 *   they are copied element by element by the iteration protocol, not passed on the stack,
 *   so they cost O(n) time and memory but never overflow.
 * Uses the TypeScript compiler's parser, so strings, comments and types never give false hits.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..', '..')
const DIRS = ['contract', 'gateway', 'broker', 'rules', 'firmware-sim', 'dashboards']
const ALLOW = /spread-ok:\s*\S/

function sourceFiles(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) {
      if (name !== 'node_modules') out.push(...sourceFiles(path)) // spread-ok: one directory's entries
    } else if (/\.(ts|mts|cts|mjs|js)$/.test(name) && !name.endsWith('.d.ts')) out.push(path)
  }
  return out
}

/** `file:line: text` of every call-argument spread not allowed by a comment. */
export function callSpreads(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true)
  const lines = text.split('\n')
  const found: string[] = []
  const visit = (node: ts.Node): void => {
    const report = (at: ts.Node) => {
      const line = source.getLineAndCharacterOfPosition(at.getStart(source)).line
      if (ALLOW.test(lines[line] ?? '') || ALLOW.test(lines[line - 1] ?? '')) return
      found.push(`${fileName}:${line + 1}: ${(lines[line] ?? '').trim()}`)
    }
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && node.arguments) {
      for (const arg of node.arguments) if (ts.isSpreadElement(arg)) report(arg)
    }
    // f.apply(self, list) passes the list on the stack just the same (Math.max.apply(null, values)).
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'apply') {
      const list = node.arguments[1]
      if (list && !ts.isArrayLiteralExpression(list)) report(node)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

describe('no unbounded spread', () => {
  it('finds call-argument spreads and honours the allow comment (the checker itself)', () => {
    const sample = [
      'a.push(...b)',
      'const m = Math.max(...xs)',
      'new Set(...lists)',
      'f(1, ...rest)',
      'const ok = [...a, ...b]; const o = { ...p }',
      'g(...few) // spread-ok: two names',
      '// spread-ok: three fixed channels',
      'h(...three)',
      "const s = 'x.push(...y)' // a string",
      'const top = Math.max.apply(null, values)',
      'f.apply(this, [a, b])',
    ].join('\n')
    expect(callSpreads('sample.ts', sample)).toEqual([
      'sample.ts:1: a.push(...b)',
      'sample.ts:2: const m = Math.max(...xs)',
      'sample.ts:3: new Set(...lists)',
      'sample.ts:4: f(1, ...rest)',
      'sample.ts:10: const top = Math.max.apply(null, values)',
    ])
  })

  it('the sources have none', () => {
    const found: string[] = []
    for (const dir of DIRS) {
      for (const file of sourceFiles(join(ROOT, dir))) {
        for (const hit of callSpreads(relative(ROOT, file), readFileSync(file, 'utf8'))) found.push(hit)
      }
    }
    expect(found).toEqual([])
  })

  it('a spread of 200,000 arguments does overflow (why the rule exists)', () => {
    const big = new Array<number>(200_000).fill(1)
    const sink: number[] = []
    expect(() => sink.push(...big)).toThrow(RangeError)
  })
})
