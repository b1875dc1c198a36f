import { describe, expect, it } from 'vitest'
import { EventBus } from '../../gateway/bus/event-bus.js'
import type { Log } from '../../gateway/log.js'

const changed = (jobId: string) => ({ jobId, change: 'marker' as const })

function recordingLog(): { log: Log; lines: { msg: string; fields?: Record<string, unknown> }[] } {
  const lines: { msg: string; fields?: Record<string, unknown> }[] = []
  return { log: (_level, msg, fields) => void lines.push(fields ? { msg, fields } : { msg }), lines }
}

describe('EventBus', () => {
  it('delivers synchronously, in registration order: every listener has run when emit returns', () => {
    const bus = new EventBus()
    const heard: string[] = []
    bus.on('job.changed', 'a', (e) => heard.push(`a:${e.jobId}`))
    bus.on('job.changed', 'b', (e) => heard.push(`b:${e.jobId}`))
    bus.emit('job.changed', changed('j1'))
    expect(heard).toEqual(['a:j1', 'b:j1'])
  })

  it('removeListeners(owner) removes that owner from every event and leaves the others', () => {
    const bus = new EventBus()
    const heard: string[] = []
    bus.on('job.changed', 'monitor', () => heard.push('monitor job'))
    bus.on('attributes.changed', 'monitor', () => heard.push('monitor attrs'))
    bus.on('job.changed', 'sinks', () => heard.push('sinks job'))
    bus.removeListeners('monitor')
    bus.emit('job.changed', changed('j1'))
    bus.emit('attributes.changed', { deviceId: 'm1', changed: {} })
    expect(heard).toEqual(['sinks job'])
    expect(bus.has('attributes.changed')).toBe(false)
    expect(bus.has('job.changed')).toBe(true)
  })

  it('contains a throwing listener: emit does not throw, the others still hear it, the failure is logged with owner and event', () => {
    const { log, lines } = recordingLog()
    const bus = new EventBus(log)
    const heard: string[] = []
    bus.on('job.changed', 'broken', () => {
      throw new Error('boom')
    })
    bus.on('job.changed', 'after', (e) => heard.push(e.jobId))
    expect(() => bus.emit('job.changed', changed('j1'))).not.toThrow()
    expect(heard).toEqual(['j1'])
    expect(lines).toHaveLength(1)
    expect(lines[0]!.fields).toMatchObject({ event: 'job.changed', owner: 'broken', err: 'boom' })
  })

  it('contains an async listener that rejects', async () => {
    const { log, lines } = recordingLog()
    const bus = new EventBus(log)
    bus.on('job.changed', 'async', async () => {
      throw new Error('later')
    })
    bus.emit('job.changed', changed('j1'))
    await new Promise((r) => setImmediate(r))
    expect(lines.map((l) => l.fields?.owner)).toEqual(['async'])
  })

  it('a listener removed or added during an emit does not change that emit', () => {
    const bus = new EventBus()
    const heard: string[] = []
    bus.on('job.changed', 'first', () => {
      heard.push('first')
      bus.removeListeners('second')
      bus.on('job.changed', 'third', () => heard.push('third'))
    })
    bus.on('job.changed', 'second', () => heard.push('second'))
    bus.emit('job.changed', changed('j1'))
    expect(heard).toEqual(['first', 'second'])
    heard.length = 0
    bus.emit('job.changed', changed('j1'))
    expect(heard).toEqual(['first', 'third'])
  })
})
