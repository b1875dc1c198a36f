/** Why an input was refused: a stable code for machines and a message for people. */
export const PROBLEM_CODES = {
  notJson: 'GW_ERR_NOT_JSON',
  shape: 'GW_ERR_SHAPE',
  unknownChannel: 'GW_ERR_UNKNOWN_CHANNEL',
  badValue: 'GW_ERR_BAD_VALUE',
  unit: 'GW_ERR_UNIT',
  outOfRange: 'GW_ERR_OUT_OF_RANGE',
  timestamp: 'GW_ERR_TIMESTAMP',
  notAuthorized: 'GW_ERR_NOT_AUTHORIZED',
} as const

export type ProblemCode = (typeof PROBLEM_CODES)[keyof typeof PROBLEM_CODES]

export interface Problem {
  code: ProblemCode
  message: string
}

/** Formats zod issues as "path: message" lines, path rooted at where the object sat in the message. */
export function describeIssues(where: string, issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .map((i) => {
      const path = [where, ...i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))].join('')
      return `${path}: ${i.message}`
    })
    .join('; ')
}
