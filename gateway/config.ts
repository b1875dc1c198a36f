/**
 * Configuration: read from the environment once at start, validated with zod, then passed
 * in. Each bad variable gets its own line saying what was wrong.
 */
import { z } from 'zod'
import { IN_SERVICE_RETENTION_DEFAULT, RetentionDurationSchema } from '../contract/influx-schema.js'

const port = z.coerce.number().int().min(0).max(65_535)
const positiveInt = z.coerce.number().int().positive()

const EnvSchema = z.object({
  GW_MQTT_PORT: port.default(1883),
  GW_HTTP_PORT: port.default(8080),
  GW_BIND: z.string().min(1).default('0.0.0.0'),
  GW_DATA_DIR: z.string().min(1).default('./data'),
  GW_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // A second token that may read /metrics only (for a Prometheus scraper); the admin token works there too.
  GW_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // aedes has no maximum packet size: 256 KiB holds thousands of buffered samples.
  GW_MAX_PACKET_BYTES: positiveInt.default(256 * 1024),
  GW_MAX_PENDING_CONNECTIONS: positiveInt.default(1000),
  GW_CONNECT_TIMEOUT_MS: positiveInt.default(10_000),
  // Broker limits against hostile or runaway clients (docs/protocol.md "Limits").
  GW_MAX_PENDING_PER_ADDRESS: positiveInt.default(100),
  GW_MAX_CONNECTIONS_PER_DEVICE: positiveInt.default(8),
  GW_DEVICE_PUBLISH_RATE: positiveInt.default(200),
  GW_DEVICE_PUBLISH_BURST: positiveInt.default(1000),
  GW_SESSION_QUEUE_MESSAGES: positiveInt.default(100),
  GW_SESSION_QUEUE_BYTES: positiveInt.default(1024 * 1024),
  // full: fsync at every group commit (survives power loss); normal: survives a process crash only.
  GW_SYNC: z.enum(['full', 'normal']).default('full'),
  // Device clocks drift; beyond this a timestamp is "in the future" and refused.
  GW_FUTURE_TOLERANCE_MS: positiveInt.default(5 * 60_000),
  GW_RULES_DIR: z.string().min(1).optional(),
  // The sites' time zone (China: UTC+8): a meter counts as calibrated to the end of its due day there.
  GW_SITE_UTC_OFFSET_MINUTES: z.coerce.number().int().min(-720).max(840).default(480),
  // Readings of open steps kept in memory over all jobs (24 bytes each: 4,000,000 ≈ 96 MB); beyond it the least recently evaluated job is reloaded when next needed.
  GW_JOB_CACHE_MAX_READINGS: positiveInt.default(4_000_000),
  // Shortest pause between two evaluations of one job (it is also at least 5× the last evaluation's duration).
  GW_EVAL_MIN_INTERVAL_MS: z.coerce.number().int().min(0).default(200),
  GW_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  // InfluxDB (v1 HTTP API): set the URL to forward every acknowledged reading there (docs/influx-schema.md).
  GW_INFLUX_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  GW_INFLUX_USER: z.string().optional(),
  GW_INFLUX_PASSWORD: z.string().optional(),
  GW_INFLUX_DB: z.string().min(1).default('hvac'),
  // Points per write request; InfluxDB's guidance is 5,000-10,000.
  GW_INFLUX_BATCH: positiveInt.max(100_000).default(5000),
  // Duration of the in_service retention policy (raw telemetry of units in service), when the gateway creates it.
  GW_INFLUX_RETENTION: RetentionDurationSchema.default(IN_SERVICE_RETENTION_DEFAULT),
  // Per message (over: quarantined with the limit and the count); bounds the work one message can cause.
  GW_MAX_SAMPLES_PER_MESSAGE: positiveInt.default(10_000),
  GW_MAX_VALUES_PER_SAMPLE: positiveInt.default(64),
  // Quarantine retention: older records, then the oldest beyond the total size, are deleted.
  GW_QUARANTINE_MAX_AGE_DAYS: positiveInt.default(30),
  GW_QUARANTINE_MAX_BYTES: positiveInt.default(256 * 1024 * 1024),
  // Maintenance teams, routes and deliveries (gateway/alerts/teams-config.ts); unset: every alert goes to 'unassigned'.
  GW_ALERT_TEAMS_FILE: z.string().min(1).optional(),
  // Alert deliveries: a webhook attempt not answered within this is a failure (retried with backoff).
  GW_ALERT_WEBHOOK_TIMEOUT_MS: positiveInt.default(10_000),
  // Alert deliveries: wait between looks at an empty outbox, and the grouping timer's period.
  GW_ALERT_DELIVERY_POLL_MS: positiveInt.default(1000),
  // Alert deliveries: after a start with MQTT deliveries waiting, the team topics wait this long for the apps to resubscribe (0: no wait).
  GW_ALERT_MQTT_RESUME_MS: z.coerce.number().int().min(0).default(5000),
  // Alert SSE stream: a client this many of its team's events behind while its connection is full is dropped (it resumes with Last-Event-ID).
  GW_ALERT_STREAM_MAX_LAG: positiveInt.default(1000),
})

/**
 * The configuration the gateway is given: the variables, renamed and grouped. Its type is
 * this schema's output, so it has one definition.
 */
const ConfigSchema = EnvSchema.transform((e) => ({
  mqttPort: e.GW_MQTT_PORT,
  httpPort: e.GW_HTTP_PORT,
  bind: e.GW_BIND,
  dataDir: e.GW_DATA_DIR,
  adminToken: e.GW_ADMIN_TOKEN,
  metricsToken: e.GW_METRICS_TOKEN,
  maxPacketBytes: e.GW_MAX_PACKET_BYTES,
  maxPendingConnections: e.GW_MAX_PENDING_CONNECTIONS,
  connectTimeoutMs: e.GW_CONNECT_TIMEOUT_MS,
  /** Broker limits: pending per address, connections per device, publish rate, session queues. */
  brokerLimits: {
    maxPendingPerAddress: e.GW_MAX_PENDING_PER_ADDRESS,
    maxConnectionsPerDevice: e.GW_MAX_CONNECTIONS_PER_DEVICE,
    publishRate: { perSecond: e.GW_DEVICE_PUBLISH_RATE, burst: e.GW_DEVICE_PUBLISH_BURST },
    maxQueuedMessages: e.GW_SESSION_QUEUE_MESSAGES,
    maxQueuedBytes: e.GW_SESSION_QUEUE_BYTES,
  },
  sync: e.GW_SYNC,
  futureToleranceMs: e.GW_FUTURE_TOLERANCE_MS,
  rulesDir: e.GW_RULES_DIR,
  siteUtcOffsetMinutes: e.GW_SITE_UTC_OFFSET_MINUTES,
  jobCacheMaxReadings: e.GW_JOB_CACHE_MAX_READINGS,
  evalMinIntervalMs: e.GW_EVAL_MIN_INTERVAL_MS,
  logLevel: e.GW_LOG_LEVEL,
  /** Forward to InfluxDB; undefined = embedded SQLite only. */
  influx:
    e.GW_INFLUX_URL === undefined
      ? undefined
      : {
          url: e.GW_INFLUX_URL,
          username: e.GW_INFLUX_USER,
          password: e.GW_INFLUX_PASSWORD,
          database: e.GW_INFLUX_DB,
          batchPoints: e.GW_INFLUX_BATCH,
          inServiceRetention: e.GW_INFLUX_RETENTION,
        },
  maxSamplesPerMessage: e.GW_MAX_SAMPLES_PER_MESSAGE,
  maxValuesPerSample: e.GW_MAX_VALUES_PER_SAMPLE,
  quarantineMaxAgeDays: e.GW_QUARANTINE_MAX_AGE_DAYS,
  quarantineMaxBytes: e.GW_QUARANTINE_MAX_BYTES,
  alertTeamsFile: e.GW_ALERT_TEAMS_FILE,
  alertDeliveries: { webhookTimeoutMs: e.GW_ALERT_WEBHOOK_TIMEOUT_MS, pollMs: e.GW_ALERT_DELIVERY_POLL_MS, mqttResumeMs: e.GW_ALERT_MQTT_RESUME_MS, streamMaxLag: e.GW_ALERT_STREAM_MAX_LAG },
}))


export type GatewayConfig = z.output<typeof ConfigSchema>
/** Forward to InfluxDB; undefined = embedded SQLite only. */
export type InfluxConfig = NonNullable<GatewayConfig['influx']>

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Parses the GW_* variables; throws ConfigError listing every bad one. Empty strings count as unset. */
export function loadConfig(env: Record<string, string | undefined>): GatewayConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('GW_') && v !== ''))
  const parsed = ConfigSchema.safeParse(present)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0])
      return `  ${name}=${JSON.stringify(env[name])}: ${issue.message}`
    })
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`)
  }
  return parsed.data
}
