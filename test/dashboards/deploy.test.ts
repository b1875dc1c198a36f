/**
 * What can be checked of the deployment without a Docker engine: docker-compose.yml
 * against the Compose specification's JSON schema, its secrets (none in the file), the
 * mounts Grafana and InfluxDB read their provisioning from, and the Dockerfile's image
 * holding everything the gateway imports.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { generate, REPO_ROOT } from '../../dashboards/build.js'
import { GRAFANA_ENV } from '../../dashboards/provisioning.js'
import { CONTAINER, REPO } from '../../dashboards/provisioning-paths.js'
import { loadConfig } from '../../gateway/config.js'
import { composeValidator, importsOf, type Compose, type Service } from './deploy-helpers.js'

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8')
const composeText = read('docker-compose.yml')
const compose = parse(composeText) as Compose
const service = (name: string): Service => {
  const s = compose.services[name]
  if (!s) throw new Error(`no service ${name}`)
  return s
}
/** `./a/b:/c/d:ro` → { source: 'a/b', target: '/c/d' } for bind mounts. */
const binds = (s: Service) =>
  (s.volumes ?? []).filter((v) => v.startsWith('./')).map((v) => ({ source: v.split(':')[0]!.slice(2), target: v.split(':')[1]! }))

describe('docker-compose.yml', () => {
  it('is valid against the Compose specification schema', () => {
    const validate = composeValidator()
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true)
    // The validator really checks: a misspelt key fails.
    expect(validate({ services: { gateway: { image: 'x', helthcheck: {} } } })).toBe(false)
  })

  it('runs the gateway, InfluxDB 1.8 and Grafana, each with a health check', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['gateway', 'grafana', 'influxdb'])
    expect(service('influxdb').image).toBe('influxdb:1.8')
    expect(service('gateway').build).toBe('.')
    for (const s of Object.values(compose.services)) expect(s.healthcheck?.test).toBeDefined()
    expect(service('gateway').depends_on).toEqual({ influxdb: { condition: 'service_healthy' } })
    expect(service('grafana').depends_on).toEqual({ influxdb: { condition: 'service_healthy' } })
  })

  it('has no secret in the file: every password, token and user is a required variable from .env', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        if (!/PASSWORD|TOKEN|SECRET|_USER$/.test(key)) continue
        expect(String(value), `${name}.${key}`).toMatch(/^\$\{[A-Z0-9_]+:\?[^}]+\}$/)
      }
    }
    expect(composeText).not.toMatch(/\$\{[A-Z0-9_]+:?-/)
  })

  it('.env.example names every variable the file needs, with no secret filled in', () => {
    const example = read('.env.example')
    const declared = new Map([...example.matchAll(/^([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]))
    const needed = new Set([...composeText.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]))
    expect([...declared.keys()].sort()).toEqual([...needed].sort())
    for (const [name, value] of declared) if (/PASSWORD|TOKEN/.test(name ?? '')) expect(value, name).toBe('')
  })

  it('mounts the generated provisioning where Grafana reads it, and the init script where InfluxDB runs it', () => {
    const files = [...generate().keys()]
    const grafana = binds(service('grafana'))
    for (const [repo, container] of [
      [REPO.datasources, CONTAINER.datasources],
      [REPO.providers, CONTAINER.providers],
      [REPO.json, CONTAINER.json],
    ] as const) {
      expect(grafana).toContainEqual({ source: repo, target: container })
      expect(statSync(join(REPO_ROOT, repo)).isDirectory()).toBe(true)
      expect(files.some((f) => f.startsWith(`${repo}/`))).toBe(true)
    }
    expect(binds(service('influxdb'))).toContainEqual({ source: REPO.influxInit, target: CONTAINER.influxInit })
    expect(existsSync(join(REPO_ROOT, REPO.influxInit, '001-hvac-schema.iql'))).toBe(true)
    expect(service('grafana').environment?.['GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH']).toBe(`${CONTAINER.json}/quality-overview.json`)
  })

  it('gives Grafana what its provisioned datasource reads from the environment', () => {
    const env = service('grafana').environment ?? {}
    for (const name of Object.values(GRAFANA_ENV)) expect(env[name], name).toBeDefined()
    expect(env[GRAFANA_ENV.readPassword]).toBe(service('influxdb').environment?.['INFLUXDB_READ_USER_PASSWORD'])
  })

  it('configures the gateway with settings it accepts, writing as the InfluxDB user the image creates', () => {
    const env = service('gateway').environment ?? {}
    const filled = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[^}]+\}/, 'x'.repeat(24))]))
    const config = loadConfig(filled)
    expect(config.influx).toMatchObject({ url: 'http://influxdb:8086', database: 'hvac' })
    const influx = service('influxdb').environment ?? {}
    expect(env['GW_INFLUX_USER']).toBe(influx['INFLUXDB_USER'])
    expect(env['GW_INFLUX_PASSWORD']).toBe(influx['INFLUXDB_USER_PASSWORD'])
    expect(influx['INFLUXDB_DB']).toBe(config.influx?.database)
  })
})

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile')
  const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \.\/\S*$/gm)].flatMap((m) => (m[1] ?? '').split(/\s+/))

  it('runs the gateway as a non-root user with a health check, on the ports compose publishes', () => {
    expect(dockerfile).toMatch(/^FROM node:20-/m)
    expect(dockerfile).toMatch(/^USER node$/m)
    expect(dockerfile).toMatch(/^HEALTHCHECK [^\n]*\\\n[^\n]*\/healthz/m)
    expect(dockerfile).toMatch(/^EXPOSE 1883 8080$/m)
    expect(dockerfile).toMatch(/^CMD \["node", "--import", "tsx", "gateway\/server.ts"\]$/m)
    expect(dockerfile).toMatch(/npm ci --omit=dev/)
  })

  it('copies every file the gateway imports, and installs every package it imports as a dependency', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> }
    const { files, packages } = importsOf(REPO_ROOT, 'gateway/server.ts')
    // What is loaded by URL is followed too: the forwarder thread, the rule packs.
    expect(files).toEqual(expect.arrayContaining(['gateway/threads/worker-boot.mjs', 'gateway/sinks/influx/forwarder-thread.ts', 'gateway/jobs/evaluation-thread.ts', 'rules/packs']))
    expect(packages).toContain('tsx')
    for (const f of files) expect(copied.some((c) => f === c || f.startsWith(`${c}/`)), f).toBe(true)
    for (const p of packages) expect(Object.keys(pkg.dependencies), p).toContain(p)
    for (const c of copied) expect(existsSync(join(REPO_ROOT, c)), c).toBe(true)
  })

  it('.dockerignore keeps secrets, local data and dependencies out of the build context', () => {
    const ignored = read('.dockerignore').split('\n')
    for (const entry of ['.env', 'node_modules', 'data', '.git']) expect(ignored).toContain(entry)
    for (const c of copied) expect(ignored).not.toContain(c)
  })
})
