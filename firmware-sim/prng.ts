/**
 * A seeded pseudo-random generator, so a scenario's noise is the same on every run: tests
 * assert on exact timelines and a bug report can name the seed that showed it.
 */

/** Returns a number in [0, 1). */
export type Rng = () => number

/**
 * mulberry32 (Tommy Ettinger, public domain): 32 bits of state, plenty for sensor noise,
 * and small enough to read at a glance.
 */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/**
 * Instrument noise: normally distributed (Box-Muller) with sd = bound / 3, clipped to
 * ±bound, so "5.2 A ± 0.2" really stays within 0.2.
 */
export function noise(rng: Rng, bound: number): number {
  const u = 1 - rng() // (0, 1]: log(0) would be -Infinity
  const v = rng()
  const g = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  return Math.max(-bound, Math.min(bound, (g * bound) / 3))
}

/** Rounds to an instrument's resolution (e.g. 0.01 A, 0.1 °C). */
export function quantize(value: number, step: number): number {
  // toFixed drops the float residue: 5.2, not 5.200000000000001.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)))
  return Number((Math.round(value / step) * step).toFixed(decimals))
}
