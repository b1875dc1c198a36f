import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'
import { parse as parseYamlText } from 'yaml'

import { chainOf, loadTeamsConfig, parseTeamsConfig, teamsFor, webhookSecretProblem } from '../../gateway/alerts/teams-config.js'

// 32 bytes 0x00..0x1f in base64 (written out by hand: `printf` of those bytes | base64).
const SECRET = 'whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='

const TEAMS_YAML = `
teams:
  - id: north
    name: North district maintenance
    escalatesTo: supervisors
    deliveries:
      - { kind: mqtt }
      - { kind: webhook, url: "https://ops.example.com/hooks/alerts", secret: "${SECRET}" }
  - id: south
    name: South district maintenance
    escalatesTo: supervisors
    deliveries: [{ kind: sse }]
    rateLimit: { windowS: 120, maxPerWindow: 2, maxListed: 10 }
  - id: supervisors
    name: Service supervisors
    escalatesTo: service-manager
    deliveries: [{ kind: mqtt }]
  - id: service-manager
    name: Service manager
    deliveries: [{ kind: mqtt }]
  - id: vip
    name: Key accounts
    deliveries: [{ kind: mqtt }]
routes:
  - { team: north, regions: [north] }
  - { team: south, regions: [south] }
  - { team: vip, tags: [hospital, data-centre] }
  - { team: north, sites: [site-9], installers: [inst-7] }
defaultTeam: supervisors
`

const dir = mkdtempSync(join(tmpdir(), 'teams-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function file(name: string, text: string): string {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}

const base = () => ({
  teams: [
    { id: 'a', name: 'A', deliveries: [{ kind: 'mqtt' }] },
    { id: 'b', name: 'B', deliveries: [{ kind: 'mqtt' }] },
  ],
})
const problems = (data: unknown): string => {
  try {
    parseTeamsConfig(data, 'teams.yaml')
  } catch (e) {
    return (e as Error).message
  }
  throw new Error('expected the config to be refused')
}

describe('teams config: loading', () => {
  it('loads YAML and JSON, with rate-limit defaults (60 s, 5 one by one, 50 listed)', () => {
    const cfg = loadTeamsConfig(file('teams.yaml', TEAMS_YAML))
    expect(cfg.teams.map((t) => t.id)).toEqual(['north', 'south', 'supervisors', 'service-manager', 'vip'])
    expect(cfg.teams[0]!.rateLimit).toEqual({ windowS: 60, maxPerWindow: 5, maxListed: 50 })
    expect(cfg.teams[1]!.rateLimit).toEqual({ windowS: 120, maxPerWindow: 2, maxListed: 10 })
    expect(cfg.teams[0]!.deliveries[1]).toEqual({ kind: 'webhook', url: 'https://ops.example.com/hooks/alerts', secret: SECRET })
    const json = loadTeamsConfig(file('teams.json', JSON.stringify({ teams: [{ id: 'x', name: 'X', deliveries: [{ kind: 'sse' }] }] })))
    expect(json).toEqual({ teams: [{ id: 'x', name: 'X', deliveries: [{ kind: 'sse' }], rateLimit: { windowS: 60, maxPerWindow: 5, maxListed: 50 } }], routes: [] })
  })

  it('a missing or unparsable file names the file', () => {
    expect(() => loadTeamsConfig(join(dir, 'nope.yaml'))).toThrow(/nope\.yaml: cannot read the teams file: ENOENT/)
    expect(() => loadTeamsConfig(file('bad.yaml', 'teams: [ {'))).toThrow(/bad\.yaml: cannot read the teams file/)
  })
})

describe('teams config: validation errors say what is wrong and where', () => {
  it('unknown team in escalatesTo, routes and defaultTeam', () => {
    const d = base()
    const msg = problems({ ...d, teams: [{ ...d.teams[0], escalatesTo: 'zz' }, d.teams[1]], routes: [{ team: 'qq', tags: ['t'] }], defaultTeam: 'ww' })
    expect(msg).toContain("teams.yaml: teams[0].escalatesTo: unknown team 'zz' (teams: a, b)")
    expect(msg).toContain("teams.yaml: routes[0].team: unknown team 'qq'")
    expect(msg).toContain("teams.yaml: defaultTeam: unknown team 'ww'")
  })

  it('escalation cycles, reported once each, and self-escalation', () => {
    const msg = problems({
      teams: [
        { id: 'a', name: 'A', escalatesTo: 'b', deliveries: [{ kind: 'mqtt' }] },
        { id: 'b', name: 'B', escalatesTo: 'c', deliveries: [{ kind: 'mqtt' }] },
        { id: 'c', name: 'C', escalatesTo: 'a', deliveries: [{ kind: 'mqtt' }] },
        { id: 'd', name: 'D', escalatesTo: 'a', deliveries: [{ kind: 'mqtt' }] },
        { id: 'e', name: 'E', escalatesTo: 'e', deliveries: [{ kind: 'mqtt' }] },
      ],
    })
    expect(msg.split('\n').sort()).toEqual(['teams.yaml: teams[0].escalatesTo: escalation cycle: a -> b -> c -> a', "teams.yaml: teams[4].escalatesTo: team 'e' escalates to itself"])
  })

  it('duplicate ids', () => {
    const d = base()
    expect(problems({ teams: [d.teams[0], d.teams[0]] })).toBe("teams.yaml: teams[1].id: duplicate team id 'a'")
  })

  it('webhook url not http(s), secret not whsec_ base64 of 24-64 bytes; the secret is never echoed', () => {
    const hook = (url: string, secret: string) => ({ teams: [{ id: 'a', name: 'A', deliveries: [{ kind: 'webhook', url, secret }] }] })
    expect(problems(hook('ftp://x.example/h', SECRET))).toBe('teams.yaml: teams[0].deliveries[0].url: must be an http:// or https:// URL')
    expect(problems(hook('not a url', SECRET))).toContain('must be an http:// or https:// URL')
    const noPrefix = problems(hook('https://x.example/h', 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='))
    expect(noPrefix).toBe("teams.yaml: teams[0].deliveries[0].secret: must start with 'whsec_' followed by base64 (Standard Webhooks secret format)")
    expect(problems(hook('https://x.example/h', 'whsec_not*base64'))).toContain('must be standard base64')
    expect(problems(hook('https://x.example/h', 'whsec_AAECAwQFBgcICQoLDA0ODxAREhMU'))).toContain('must decode to 24-64 bytes (Standard Webhooks); it decodes to 21')
    expect(noPrefix).not.toContain('AAECAwQF')
  })

  it('unknown keys, bad ids, empty lists and a route without criteria', () => {
    const msg = problems({
      teams: [{ id: 'A b', name: 'A', deliveries: [{ kind: 'mqtt', topic: 'x' }], rateLimt: {} }],
      routes: [{ team: 'A b' }, { team: 'A b', sites: [] }],
    })
    expect(msg).toContain('teams.yaml: teams[0].id: a team id must be 1-64 characters')
    expect(msg).toContain('teams.yaml: teams[0].rateLimt: unknown key (misspelt or not supported)')
    expect(msg).toContain('teams.yaml: teams[0].deliveries[0].topic: unknown key')
    expect(msg).toContain('teams.yaml: routes[0]: a route needs at least one of sites, regions, installers, tags')
    expect(msg).toContain('teams.yaml: routes[1].sites: an empty list matches no unit')
    expect(problems({ teams: [{ id: 'a', name: 'A', deliveries: [] }] })).toBe('teams.yaml: teams[0].deliveries: a team needs at least one delivery (mqtt, webhook or sse)')
    expect(problems({ teams: [{ id: 'a', name: 'A', deliveries: [{ kind: 'email' }] }] })).toContain('teams.yaml: teams[0].deliveries[0].kind')
  })

  it('the secret check on its own', () => {
    expect(webhookSecretProblem(SECRET)).toBeNull()
    expect(webhookSecretProblem('whsec_' + Buffer.alloc(65).toString('base64'))).toContain('decodes to 65')
  })
})

describe('teams config: teamsFor and chainOf', () => {
  const cfg = parseTeamsConfig(parseYamlText(TEAMS_YAML), 'teams.yaml')
  it('picks every covering team in route order, without repeats; AND across criteria, OR within', () => {
    expect(teamsFor(cfg, { region: 'north', siteId: 'site-1' })).toEqual(['north'])
    expect(teamsFor(cfg, { region: 'south', tags: ['school', 'hospital'] })).toEqual(['south', 'vip'])
    expect(teamsFor(cfg, { region: 'north', siteId: 'site-9', installerId: 'inst-7' })).toEqual(['north'])
    // site-9 alone is not enough for the 4th route (installer must match too): the default team
    expect(teamsFor(cfg, { region: 'west', siteId: 'site-9', installerId: 'inst-1' })).toEqual(['supervisors'])
    expect(teamsFor(cfg, { region: 'west', siteId: 'site-9', installerId: 'inst-7' })).toEqual(['north'])
    expect(teamsFor(cfg, {})).toEqual(['supervisors'])
    expect(teamsFor({ ...cfg, defaultTeam: undefined }, { region: 'west' })).toEqual([])
  })

  it('the escalation chain follows escalatesTo', () => {
    expect(chainOf(cfg, 'north')).toEqual(['north', 'supervisors', 'service-manager'])
    expect(chainOf(cfg, 'vip')).toEqual(['vip'])
    expect(chainOf(cfg, 'nobody')).toEqual([])
  })
})
