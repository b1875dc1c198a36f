/**
 * A rule-pack parameter with where its number comes from:
 * `{ value: 1800, source: "S1: seed §5 ch.7 art.21" }`. Every step's parameter schema is
 * built from these, so a pack reads as its own justification.
 */
import { z } from 'zod'

const source = z.string().trim().min(1, 'every parameter needs a source (standard clause or engineering reason)')

export function sourced<T extends z.ZodType>(value: T) {
  return z.object({ value, source }).strict()
}

export const finite = () => z.number().finite()
