/**
 * The "source" a pending connection is counted against for per-source caps: the IPv4 address,
 * or the /64 prefix of an IPv6 address (one subscriber line or cloud host usually owns a whole
 * /64, so counting single IPv6 addresses would let one host open 2^64 "sources").
 */
import { isIPv4, isIPv6 } from 'node:net'

export function sourceKey(address: string | undefined): string {
  if (address === undefined || address === '') return '?'
  // IPv4-mapped IPv6 (a dual-stack listener reports 127.0.0.1 as ::ffff:127.0.0.1).
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return mapped[1] as string
  if (isIPv4(address)) return address
  if (!isIPv6(address)) return address
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`
}

/** The eight 16-bit groups of an IPv6 address, without a zone id. */
function expandIPv6(address: string): string[] {
  const [plain = ''] = address.split('%')
  const [head = '', tail] = plain.split('::')
  const left = head === '' ? [] : head.split(':')
  const right = tail === undefined || tail === '' ? [] : tail.split(':')
  // An embedded IPv4 tail (::1.2.3.4) counts as two groups; only the first four groups are used.
  const width = (groups: string[]): number => groups.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0)
  const missing = 8 - width(left) - width(right)
  const groups = tail === undefined ? left : [...left, ...new Array<string>(Math.max(missing, 0)).fill('0'), ...right]
  return groups.map((g) => (g.includes('.') ? g : (Number.parseInt(g, 16) || 0).toString(16)))
}
