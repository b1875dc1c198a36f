/**
 * Readings no vacuum can produce, flagged for review and left out of the decision. A
 * system under vacuum is a fixed volume whose gas changes only by flows: dp/dt = (Q_leak +
 * Q_outgas − S·p)/V. A leak is choked flow into the vacuum and steady; outgassing is slow;
 * the pump removes gas exponentially with a time constant V/S of the order of a minute
 * through service hoses and a core tool at these levels. None of them can move the level
 * by half or double and bring it back to where it was within one sample interval, and an
 * absolute pressure of zero or below is impossible (a two-stage pump's ultimate is
 * ~15 microns). So a single reading is a glitch (a probe or radio fault, a bumped probe)
 * when:
 * - it is <= 0; or
 * - both neighbours lie on the same side of it by more than GLITCH_RATIO (×2), and agree
 *   with each other within NEIGHBOURS_AGREE (×1.25: a micron gauge's ±10 % of reading
 *   accuracy plus noise, e.g. testo 552 ±(10 microns + 10 % of reading)). One spike, one
 *   zero, one low reading among 2000-micron readings are each such a reading.
 */
import type { Reading } from '../../contract/reading.js'

const GLITCH_RATIO = 2
const NEIGHBOURS_AGREE = 1.25

export interface Glitches {
  /** The readings with the glitches left out, in order. */
  kept: Reading[]
  glitches: Reading[]
}

export function splitGlitches(rs: readonly Reading[]): Glitches {
  const kept: Reading[] = []
  const glitches: Reading[] = []
  for (let i = 0; i < rs.length; i++) {
    const r = rs[i]!
    const a = rs[i - 1]
    const b = rs[i + 1]
    let glitch = r.value <= 0
    if (!glitch && a && b && a.value > 0 && b.value > 0) {
      const agree = Math.max(a.value, b.value) / Math.min(a.value, b.value) <= NEIGHBOURS_AGREE
      const spike = r.value > GLITCH_RATIO * Math.max(a.value, b.value)
      const dip = r.value * GLITCH_RATIO < Math.min(a.value, b.value)
      glitch = agree && (spike || dip)
    }
    ;(glitch ? glitches : kept).push(r)
  }
  return { kept, glitches }
}
