import type { IngestProblemCode } from '../../contract/errors.js'

/** Why an input was refused: a stable code for machines and a message for people (meanings: contract/errors.ts). */
export const PROBLEM_CODES = {
  notJson: 'GW_ERR_NOT_JSON',
  tooLarge: 'GW_ERR_TOO_LARGE',
  shape: 'GW_ERR_SHAPE',
  unknownChannel: 'GW_ERR_UNKNOWN_CHANNEL',
  badValue: 'GW_ERR_BAD_VALUE',
  unit: 'GW_ERR_UNIT',
  outOfRange: 'GW_ERR_OUT_OF_RANGE',
  timestamp: 'GW_ERR_TIMESTAMP',
  notAuthorized: 'GW_ERR_NOT_AUTHORIZED',
} as const satisfies Record<string, IngestProblemCode>

export type ProblemCode = IngestProblemCode

export interface Problem {
  code: ProblemCode
  message: string
}

/**
 * Bounds on what one message's problems may cost: the reason stored in quarantine and the
 * answer sent to the device are built from the first problems only, each cut to a length,
 * so a 256 KiB message of 128k bad items cannot become a multi-MB reason (issue 8).
 */
export const PROBLEM_LIMITS = {
  /** Problems kept in full; the rest are only counted ("and K more"). */
  kept: 20,
  /** Longest message of one problem, in characters. */
  messageChars: 300,
  /** Longest key or value quoted inside a message. */
  quotedChars: 40,
  /** zod issues described per problem. */
  issues: 5,
} as const

/** Counts every problem, keeps the first few (each cut to PROBLEM_LIMITS.messageChars). */
export class ProblemCollector {
  readonly kept: Problem[] = []
  private count = 0

  constructor(private readonly keep: number = PROBLEM_LIMITS.kept) {}

  add(problem: Problem): void {
    this.count++
    if (this.kept.length < this.keep) this.kept.push({ code: problem.code, message: clip(problem.message, PROBLEM_LIMITS.messageChars) })
  }

  /** Like add(), but the message is worded only if it is kept (wording can cost more than finding). */
  report(code: ProblemCode, describe: () => string): void {
    this.count++
    if (this.kept.length < this.keep) this.kept.push({ code, message: clip(describe(), PROBLEM_LIMITS.messageChars) })
  }

  /** Every problem added, kept or not. */
  get total(): number {
    return this.count
  }

  /** The code of the first problem: what the message is quarantined as. */
  get firstCode(): ProblemCode | undefined {
    return this.kept[0]?.code
  }

  /** The kept messages, then "and K more problem(s)" when some were only counted. */
  details(): string[] {
    const out = this.kept.map((p) => p.message)
    const more = this.count - this.kept.length
    if (more > 0) out.push(`and ${more} more problem(s)`)
    return out
  }

  /** One line for the quarantine record. */
  reason(): string {
    return this.details().join('; ')
  }
}

/** A key or string value as it may appear in a message: JSON-quoted, at most PROBLEM_LIMITS.quotedChars of it. */
export function quote(s: string): string {
  return JSON.stringify(s.length > PROBLEM_LIMITS.quotedChars ? s.slice(0, PROBLEM_LIMITS.quotedChars) + '…' : s)
}

/** A key as one step of a path ("payload.values.<key>"): plain when short, cut when long. */
export function pathKey(key: string): string {
  return key.length > PROBLEM_LIMITS.quotedChars ? `${key.slice(0, PROBLEM_LIMITS.quotedChars)}…` : key
}

/** Formats zod issues as "path: message" lines, path rooted at where the object sat in the message. */
export function describeIssues(where: string, issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const lines: string[] = []
  for (const i of issues) {
    if (lines.length === PROBLEM_LIMITS.issues) {
      lines.push(`and ${issues.length - PROBLEM_LIMITS.issues} more`)
      break
    }
    let path = where
    for (const p of i.path) path += typeof p === 'number' ? `[${p}]` : `.${pathKey(String(p))}`
    // zod quotes offending keys in its messages (unrecognized keys): a 250 KB key must not be repeated whole.
    lines.push(`${path}: ${clip(i.message, PROBLEM_LIMITS.messageChars / 2)}`)
  }
  return lines.join('; ')
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}
