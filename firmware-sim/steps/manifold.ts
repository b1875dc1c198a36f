/**
 * How the digital manifold reports a pressure: in psig with the unit stated (as most
 * manifolds sold with R32 gauges display it), so every step exercises the conversion at ingest.
 */
import type { Value } from '../../contract/telemetry.js'
import { noise, quantize, type Rng } from '../prng.js'
import { kpaToPsi } from '../refrigerant.js'

/** A reading of `kpag` with sensor noise within ±boundKpa, at the display's 0.1 psi resolution. */
export function manifoldPsig(kpag: number, rng: Rng, boundKpa: number): Value {
  return { value: quantize(kpaToPsi(kpag + noise(rng, boundKpa)), 0.1), unit: 'psig' }
}
