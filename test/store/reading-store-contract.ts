/**
 * The ReadingStore contract, written once and run unchanged against every store: the
 * embedded SQLite log (sqlite-store.test.ts) and InfluxDB fed by the forwarder
 * (influx-store.test.ts). `write` is the store's real write path; each test gets a fresh store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ChannelName } from '../../contract/channels.js'
import type { Reading } from '../../contract/reading.js'
import type { IngestLog } from '../../gateway/store/ingest-log.js'
import type { ReadingStore } from '../../gateway/store/reading-store.js'

export interface StoreUnderTest {
  store: ReadingStore
  /** Stores the readings as the gateway would (one message per distinct receivedAt); resolves once they are readable. */
  write(readings: readonly Reading[]): Promise<void>
  close(): Promise<void>
}

const T0 = Date.UTC(2026, 10, 27, 8, 0, 0)

export const reading = (deviceId: string, channel: ChannelName, ts: number, value: number, receivedAt = ts + 250): Reading => ({
  deviceId,
  channel,
  ts,
  value,
  receivedAt,
})

export function runReadingStoreContract(name: string, make: () => Promise<StoreUnderTest>): void {
  describe(`ReadingStore contract: ${name}`, () => {
    let s: StoreUnderTest
    beforeEach(async () => {
      s = await make()
    })
    afterEach(async () => {
      await s.close()
    })

    it('reads back what was written: value, device time and receive time, sorted by device time', async () => {
      const written = [reading('m-1', 'current_a', T0 + 2000, 5.4), reading('m-1', 'current_a', T0, 5.2), reading('m-1', 'current_a', T0 + 1000, 5.3)]
      await s.write([...written, reading('m-1', 'voltage_v', T0, 230.1)])
      const got = await s.store.query({ deviceIds: ['m-1'], channel: 'current_a', from: T0, to: T0 + 2000 })
      expect(got).toEqual([...written].sort((a, b) => a.ts - b.ts))
    })

    it('range bounds are inclusive; channel and device select', async () => {
      const rs: Reading[] = []
      for (let i = 0; i < 5; i++) {
        for (const d of ['m-1', 'm-2']) rs.push(reading(d, 'current_a', T0 + i * 1000, i), reading(d, 'temp_supply_air_c', T0 + i * 1000, 12 + i))
      }
      await s.write(rs)
      const got = await s.store.query({ deviceIds: ['m-1'], channel: 'current_a', from: T0 + 1000, to: T0 + 3000 })
      expect(got.map((r) => [r.deviceId, r.channel, r.ts, r.value])).toEqual([
        ['m-1', 'current_a', T0 + 1000, 1],
        ['m-1', 'current_a', T0 + 2000, 2],
        ['m-1', 'current_a', T0 + 3000, 3],
      ])
      expect(await s.store.query({ deviceIds: ['m-1'], channel: 'current_a', from: T0 + 1001, to: T0 + 1999 })).toEqual([])
      expect(await s.store.query({ deviceIds: ['nobody'], channel: 'current_a', from: T0, to: T0 + 9000 })).toEqual([])
      expect(await s.store.query({ deviceIds: [], channel: 'current_a', from: T0, to: T0 + 9000 })).toEqual([])
      expect(await s.store.query({ deviceIds: ['m-1'], channel: 'leakage_ma', from: T0, to: T0 + 9000 })).toEqual([])
    })

    it('several devices: by device time, ties in the order the devices were asked for', async () => {
      await s.write([reading('a', 'current_a', T0, 1), reading('b', 'current_a', T0, 2), reading('b', 'current_a', T0 - 1, 3), reading('a', 'current_a', T0 + 1, 4)])
      const got = await s.store.query({ deviceIds: ['b', 'a'], channel: 'current_a', from: T0 - 10, to: T0 + 10 })
      expect(got.map((r) => [r.deviceId, r.ts])).toEqual([
        ['b', T0 - 1],
        ['b', T0],
        ['a', T0],
        ['a', T0 + 1],
      ])
    })

    it('idempotent: writing the same readings again (QoS 1 redelivery, a re-sent batch) stores them once', async () => {
      const rs = [reading('m-1', 'current_a', T0, 5.2), reading('m-1', 'current_a', T0 + 1000, 5.3), reading('m-1', 'voltage_v', T0, 230)]
      await s.write(rs)
      await s.write(rs)
      await s.write([rs[1]!])
      const got = await s.store.query({ deviceIds: ['m-1'], channel: 'current_a', from: T0, to: T0 + 1000 })
      expect(got).toEqual([rs[0], rs[1]])
    })

    it('out-of-order and late data: accepted, sorted by device time, the late receive time kept', async () => {
      const live = reading('m-1', 'pressure_low_kpag', T0 + 5000, 820, T0 + 5100)
      const late = reading('m-1', 'pressure_low_kpag', T0 + 1000, 810, T0 + 3_600_000) // an hour late: back-filled
      const between = reading('m-1', 'pressure_low_kpag', T0 + 3000, 815, T0 + 3050)
      await s.write([live])
      await s.write([late])
      await s.write([between])
      const got = await s.store.query({ deviceIds: ['m-1'], channel: 'pressure_low_kpag', from: T0, to: T0 + 10_000 })
      expect(got).toEqual([late, between, live])
      expect(got[0]!.receivedAt - got[0]!.ts).toBe(3_599_000)
    })

    it('precision: millisecond device times and receive times round-trip exactly, values bit for bit', async () => {
      const rs = [
        reading('m-1', 'temp_liquid_c', T0 + 1, 0.1 + 0.2, T0 + 2),
        reading('m-1', 'temp_liquid_c', T0 + 2, 1 / 3, T0 + 999),
        reading('m-1', 'temp_liquid_c', T0 + 3, -59.999999999, T0 + 3 + 123_456_789),
        reading('m-1', 'temp_liquid_c', T0 + 999, 36.6, T0 + 998), // device clock a little ahead: negative lag
        reading('m-1', 'temp_liquid_c', T0 + 1000, 1e-9, T0 + 1000),
      ]
      await s.write(rs)
      const got = await s.store.query({ deviceIds: ['m-1'], channel: 'temp_liquid_c', from: T0, to: T0 + 1000 })
      expect(got).toEqual(rs)
    })

    it('large batches: 30,000 readings of 3 devices arrive whole', async () => {
      const rs: Reading[] = []
      for (let i = 0; i < 5000; i++) {
        for (const d of ['u-1', 'u-2', 'u-3']) {
          const ts = T0 + i * 1000
          rs.push(reading(d, 'current_a', ts, 5 + (i % 100) / 100, ts + 40), reading(d, 'voltage_v', ts, 220 + (i % 20), ts + 40))
        }
      }
      await s.write(rs)
      const got = await s.store.query({ deviceIds: ['u-1', 'u-2', 'u-3'], channel: 'voltage_v', from: T0, to: T0 + 5000 * 1000 })
      expect(got).toHaveLength(15_000)
      expect(got[14_999]).toEqual(reading('u-3', 'voltage_v', T0 + 4999 * 1000, 220 + (4999 % 20), T0 + 4999 * 1000 + 40))
      const part = await s.store.query({ deviceIds: ['u-2'], channel: 'current_a', from: T0 + 1000 * 1000, to: T0 + 1999 * 1000 })
      expect(part).toHaveLength(1000)
      expect(part.every((r, i) => r.ts === T0 + (1000 + i) * 1000 && r.value === 5 + ((1000 + i) % 100) / 100)).toBe(true)
    })
  })
}

/** Appends readings through the ingest log as the gateway does: one message per distinct receive time. */
export async function ingestReadings(log: IngestLog, readings: readonly Reading[]): Promise<void> {
  const byReceipt = new Map<number, Reading[]>()
  for (const r of readings) byReceipt.set(r.receivedAt, [...(byReceipt.get(r.receivedAt) ?? []), r])
  const pending = [...byReceipt].map(([receivedAt, rs]) =>
    log.append({ receivedAt, samples: rs.map((r) => ({ deviceId: r.deviceId, readings: [{ channel: r.channel, ts: r.ts, value: r.value }] })) }),
  )
  log.flush()
  await Promise.all(pending)
}
