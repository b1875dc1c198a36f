/**
 * One attachment-window rule (rules/attachment-window.ts): the TS functions the verdicts, the
 * reading cache and the forwarder use, and the SQL condition, agree with a table of cases
 * written out by hand: ts exactly at attach and detach, detached then re-attached, two jobs,
 * an open attachment.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../gateway/store/database.js'
import { attachmentCoversSql, clip, covers, jobsCounting, OPEN_END, routeReading } from '../../rules/attachment-window.js'

// Device m-1: job-a 1000..2000, detached, re-attached 3000..4000; job-b 1500.. (open). Device m-2 on job-b 0..10 only.
const ATTACHMENTS = [
  { jobId: 'job-a', deviceId: 'm-1', attachedAt: 1000, detachedAt: 2000 },
  { jobId: 'job-b', deviceId: 'm-1', attachedAt: 1500, detachedAt: null },
  { jobId: 'job-a', deviceId: 'm-1', attachedAt: 3000, detachedAt: 4000 },
  { jobId: 'job-b', deviceId: 'm-2', attachedAt: 0, detachedAt: 10 },
]

/** device time → the jobs a reading of m-1 then counts for (by hand; compared as sets, sorted). */
const CASES: [ts: number, jobs: string[]][] = [
  [999, []],
  [1000, ['job-a']], // exactly at attach: counts
  [1499, ['job-a']],
  [1500, ['job-a', 'job-b']], // two jobs at once
  [2000, ['job-a', 'job-b']], // exactly at detach: still counts
  [2001, ['job-b']],
  [2999, ['job-b']],
  [3000, ['job-a', 'job-b']], // re-attached
  [4000, ['job-a', 'job-b']],
  [4001, ['job-b']],
  [OPEN_END, ['job-b']], // an open attachment never ends
]

let dir: string
let db: Db
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gw-window-'))
  db = openDatabase(dir, 'normal')
  db.pragma('foreign_keys = OFF')
  const insert = db.prepare('INSERT INTO job_devices (job_id, device_id, attached_at, detached_at) VALUES (?, ?, ?, ?)')
  for (const a of ATTACHMENTS) insert.run(a.jobId, a.deviceId, a.attachedAt, a.detachedAt)
})
afterAll(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('which jobs a reading of m-1 counts for', () => {
  const m1 = ATTACHMENTS.filter((a) => a.deviceId === 'm-1')
  for (const [ts, jobs] of CASES) {
    it(`ts ${ts}: ${jobs.join(', ') || 'none (in service)'}, in TS and in SQL`, () => {
      const counted = jobsCounting(m1, ts)
      expect([...counted].sort()).toEqual(jobs)
      expect(new Set(counted).size).toBe(counted.length) // each job once, re-attached or not
      const route = routeReading(m1, ts, 0)
      expect(route.kind).toBe(jobs.length === 0 ? 'in_service' : 'jobs')
      // Not in service (null), or in service only later: a reading of no job is nobody's.
      expect(routeReading(m1, ts, null).kind).toBe(jobs.length === 0 ? 'none' : 'jobs')
      expect(routeReading(m1, ts, ts + 1).kind).toBe(jobs.length === 0 ? 'none' : 'jobs')
      expect(routeReading(m1, ts, ts).kind).toBe(jobs.length === 0 ? 'in_service' : 'jobs')
      const sql = db
        .prepare<{ device: string; ts: number }, { job_id: string }>(`SELECT DISTINCT job_id FROM job_devices d WHERE device_id = @device AND ${attachmentCoversSql('d', '@ts')} ORDER BY job_id`)
        .all({ device: 'm-1', ts })
        .map((r) => r.job_id)
      expect(sql).toEqual(jobs)
    })
  }
})

it('covers and clip agree at the edges', () => {
  const a = { attachedAt: 1000, detachedAt: 2000 }
  expect([covers(a, 999), covers(a, 1000), covers(a, 2000), covers(a, 2001)]).toEqual([false, true, true, false])
  expect(clip(a, 0, 1000)).toEqual({ from: 1000, to: 1000 })
  expect(clip(a, 2000, 5000)).toEqual({ from: 2000, to: 2000 })
  expect(clip(a, 2001, 5000)).toBeUndefined()
  expect(clip({ attachedAt: 1000, detachedAt: null }, 0, OPEN_END)).toEqual({ from: 1000, to: OPEN_END })
})
