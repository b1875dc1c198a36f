import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN_FILE, parseCli, UsageError } from '../../firmware-sim/cli-args.js'

const noFiles = { env: {}, readFile: () => undefined }

describe('parseCli', () => {
  it('fills in the defaults', () => {
    expect(parseCli(['--scenario', 'good', '--token', 'T'], noFiles)).toEqual({
      kind: 'run',
      scenario: 'good',
      mqttUrl: 'mqtt://127.0.0.1:1883',
      httpUrl: 'http://127.0.0.1:8080',
      adminToken: 'T',
      jobId: undefined,
      installerId: undefined,
      timeScale: 0,
      seed: 1,
    })
  })

  it('takes every option', () => {
    const argv = ['--scenario', 'gap', '--mqtt', 'mqtt://h:1', '--http', 'http://h:2', '--token', 'T', '--job', 'j1', '--installer', 'inst-7', '--time-scale', '60', '--seed', '7']
    expect(parseCli(argv, noFiles)).toMatchObject({ scenario: 'gap', mqttUrl: 'mqtt://h:1', httpUrl: 'http://h:2', jobId: 'j1', installerId: 'inst-7', timeScale: 60, seed: 7 })
  })

  it('finds the token in GW_ADMIN_TOKEN, then in ./data/admin-token', () => {
    expect(parseCli(['--scenario', 'good'], { env: { GW_ADMIN_TOKEN: 'E' }, readFile: () => 'F\n' })).toMatchObject({ adminToken: 'E' })
    const read: string[] = []
    const io = { env: { GW_ADMIN_TOKEN: '' }, readFile: (p: string) => (read.push(p), 'F\n') }
    expect(parseCli(['--scenario', 'good'], io)).toMatchObject({ adminToken: 'F' })
    expect(read).toEqual([ADMIN_TOKEN_FILE])
    expect(() => parseCli(['--scenario', 'good'], noFiles)).toThrow(/no admin token: pass --token, set GW_ADMIN_TOKEN/)
  })

  it('answers --list and --help without needing a token', () => {
    expect(parseCli(['--list'], noFiles)).toEqual({ kind: 'list' })
    expect(parseCli(['--help'], noFiles)).toEqual({ kind: 'help' })
  })

  it.each([
    [['--scenario', 'nope', '--token', 'T'], /unknown scenario "nope"; one of: good, short-run, gap, overcurrent, garbage/],
    [['--token', 'T'], /--scenario is required; one of: good/],
    [['--scenario', 'good', '--bogus'], /Unknown option '--bogus'/],
    [['--scenario', 'good', 'extra'], /positional/],
    [['--scenario', 'good', '--token', 'T', '--time-scale', 'fast'], /--time-scale must be a number >= 0/],
    [['--scenario', 'good', '--token', 'T', '--time-scale=-1'], /--time-scale must be a number >= 0/],
    [['--scenario', 'good', '--token', 'T', '--seed', '1.5'], /--seed must be an integer/],
    [['--scenario', 'good', '--token', 'T', '--mqtt', 'http://x'], /--mqtt must be a mqtt: \/ mqtts: .* URL, got "http:\/\/x"/],
    [['--scenario', 'good', '--token', 'T', '--http', 'localhost:8080'], /--http must be a http: \/ https: URL/],
  ])('refuses %j clearly', (argv, message) => {
    expect(() => parseCli(argv, noFiles)).toThrow(UsageError)
    expect(() => parseCli(argv, noFiles)).toThrow(message)
  })
})
