/**
 * The canonical channels: every reading the gateway stores is one of these, in the
 * channel's canonical unit. Names state the unit (and gauge/absolute for pressures) so a
 * number can never be read in the wrong unit. Documented in docs/protocol.md.
 */
export type Quantity =
  | 'pressure_gauge'
  | 'vacuum'
  | 'temperature'
  | 'current'
  | 'leakage'
  | 'voltage'
  | 'insulation'
  | 'resistance'

export interface ChannelSpec {
  quantity: Quantity
  /** Canonical unit the value is stored in. */
  unit: string
  /** Plausible range: a value outside it is an instrument or encoding fault, not a reading. */
  min: number
  max: number
  description: string
}

// Plausible ranges are generous instrument limits, not pass/fail criteria (those live in rule packs).
// Pressures: R410A/R32 tightness tests go to 4.15 MPa(g) (DOMAIN.md); 10 MPa covers every manifold.
const PRESSURE = { quantity: 'pressure_gauge', unit: 'kPa(g)', min: -101.325, max: 10_000 } as const
// Temperatures of pipes and air on site: -60 °C (outdoor, suction) to 150 °C (discharge line).
const TEMPERATURE = { quantity: 'temperature', unit: '°C', min: -60, max: 150 } as const

export const CHANNELS = {
  pressure_low_kpag: { ...PRESSURE, description: 'Suction / low side pressure, gauge' },
  pressure_high_kpag: { ...PRESSURE, description: 'Discharge / high side pressure, gauge' },
  // 1 atm = 760,000 microns: anything above is not a vacuum reading.
  vacuum_micron: { quantity: 'vacuum', unit: 'micron', min: 0, max: 800_000, description: 'Absolute vacuum (micron probe)' },
  temp_suction_c: { ...TEMPERATURE, description: 'Suction line pipe temperature' },
  temp_liquid_c: { ...TEMPERATURE, description: 'Liquid line pipe temperature' },
  temp_pipe_c: { ...TEMPERATURE, description: 'Pipe temperature during a pressure hold (compensation)' },
  temp_supply_air_c: { ...TEMPERATURE, description: 'Indoor unit supply (outlet) air temperature' },
  temp_return_air_c: { ...TEMPERATURE, description: 'Indoor unit return (inlet) air temperature' },
  temp_outdoor_c: { ...TEMPERATURE, description: 'Outdoor ambient temperature' },
  current_a: { quantity: 'current', unit: 'A', min: 0, max: 500, description: 'Unit or compressor current (clamp meter)' },
  voltage_v: { quantity: 'voltage', unit: 'V', min: 0, max: 1_000, description: 'Supply voltage' },
  leakage_ma: { quantity: 'leakage', unit: 'mA', min: 0, max: 1_000, description: 'Leakage (touch) current' },
  insulation_mohm: { quantity: 'insulation', unit: 'MΩ', min: 0, max: 100_000, description: 'Insulation resistance (500 V DC test)' },
  earth_ohm: { quantity: 'resistance', unit: 'Ω', min: 0, max: 100_000, description: 'Earth (protective conductor) resistance' },
} as const satisfies Record<string, ChannelSpec>

export type ChannelName = keyof typeof CHANNELS

export const CHANNEL_NAMES = Object.keys(CHANNELS) as ChannelName[]

export function isChannelName(name: string): name is ChannelName {
  return Object.hasOwn(CHANNELS, name)
}
