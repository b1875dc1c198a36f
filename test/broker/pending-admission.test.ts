import { describe, expect, it } from 'vitest'
import { PendingAdmission } from '../../broker/pending-admission.js'
import { sourceKey } from '../../broker/source-address.js'

describe('PendingAdmission', () => {
  it('refuses a newcomer whose source already holds maxPendingPerSource', () => {
    const p = new PendingAdmission<string>({ maxPending: 10, maxPendingPerSource: 2 })
    expect(p.admit('a', 'a1')).toEqual({ admitted: true, shed: undefined })
    expect(p.admit('a', 'a2')).toEqual({ admitted: true, shed: undefined })
    expect(p.admit('a', 'a3')).toEqual({ admitted: false })
    expect(p.admit('b', 'b1')).toEqual({ admitted: true, shed: undefined })
    expect(p.size).toBe(3)
  })

  it('at the global cap, sheds the oldest item of the source holding the most', () => {
    const p = new PendingAdmission<string>({ maxPending: 4, maxPendingPerSource: 4 })
    for (const item of ['a1', 'a2', 'a3']) p.admit('a', item)
    p.admit('b', 'b1')
    expect(p.admit('c', 'c1')).toEqual({ admitted: true, shed: 'a1' })
    expect(p.admit('c', 'c2')).toEqual({ admitted: true, shed: 'a2' })
    // a and c now hold 1 and 2: c is the biggest, its oldest goes.
    expect(p.admit('d', 'd1')).toEqual({ admitted: true, shed: 'c1' })
    expect(p.size).toBe(4)
    expect([p.pendingFrom('a'), p.pendingFrom('b'), p.pendingFrom('c'), p.pendingFrom('d')]).toEqual([1, 1, 1, 1])
  })

  it('remove() frees the slot, and removing twice or an unknown item is harmless', () => {
    const p = new PendingAdmission<string>({ maxPending: 1, maxPendingPerSource: 1 })
    p.admit('a', 'a1')
    p.remove('a1')
    p.remove('a1')
    p.remove('zz')
    expect(p.size).toBe(0)
    expect(p.admit('a', 'a2')).toEqual({ admitted: true, shed: undefined })
  })
})

describe('sourceKey', () => {
  it.each([
    ['127.0.0.2', '127.0.0.2'],
    ['::ffff:127.0.0.2', '127.0.0.2'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    [undefined, '?'],
  ])('%s -> %s', (address, key) => {
    expect(sourceKey(address)).toBe(key)
  })
})
