/** A conflicting re-send is not forwarded: InfluxDB keeps the point's first value (docs/influx-schema.md). */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { openDatabase } from '../../gateway/store/database.js'
import { IngestLog } from '../../gateway/store/ingest-log.js'
import { INFLUX_SINK } from '../../gateway/sinks/influx/influx-outbox.js'

it('with InfluxDB configured, a conflict queues no outbox row; a new point does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-conflict-outbox-'))
  const db = openDatabase(dir, 'normal')
  const log = new IngestLog(db, { outboxSinks: [INFLUX_SINK] })
  const T = Date.UTC(2026, 10, 27, 8, 0, 0)
  const one = (ts: number, value: number) => ({ receivedAt: T + 500, samples: [{ deviceId: 'm-1', readings: [{ channel: 'current_a' as const, ts, value }] }] })
  const pending = [log.append(one(T, 5.2)), log.append(one(T, 6.0)), log.append(one(T + 1000, 5.3))]
  log.flush()
  expect((await Promise.all(pending)).map((o) => o.conflicts.length)).toEqual([0, 1, 0])
  // One commit, one row for the device: its two new points (times T and T + 1000), not the conflict.
  expect(db.prepare("SELECT key AS device_id, at AS ts, n, payload FROM outbox WHERE sink = 'influx' ORDER BY id").all()).toEqual([
    { device_id: 'm-1', ts: T, n: 2, payload: `[${T},1000]` },
  ])
  db.close()
  rmSync(dir, { recursive: true, force: true })
})
