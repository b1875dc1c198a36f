/**
 * The structured logger: one JSON line per event (pino), filtered by level, with secrets
 * redacted. Call sites keep the small `log(level, msg, fields)` signature.
 */
import pino from 'pino'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type Log = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void

/** Field names whose values never reach a log line, at the top level or nested (up to 3 deep). */
export const SECRET_KEYS = ['password', 'secret', 'token', 'adminToken', 'metricsToken', 'authorization', 'cookie', 'GW_ADMIN_TOKEN', 'GW_METRICS_TOKEN', 'GW_INFLUX_PASSWORD'] as const
export const REDACTED = '[redacted]'

// pino's redaction compiles explicit paths (no "any depth" glob): one path per depth, which
// covers `{ req: { headers: { authorization } } }` and the like.
const redactPaths = (): string[] => {
  const paths: string[] = []
  for (const key of SECRET_KEYS) for (const prefix of ['', '*.', '*.*.', '*.*.*.']) paths.push(`${prefix}${key}`)
  return paths
}

export function createLog(minLevel: LogLevel | 'silent', write?: (line: string) => void): Log {
  if (minLevel === 'silent') return () => {}
  const destination = write ? { write: (chunk: string) => write(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk) } : pino.destination({ fd: 2, sync: true })
  const logger = pino(
    {
      level: minLevel,
      base: null, // no pid/hostname on every line
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactPaths(), censor: REDACTED },
    },
    destination,
  )
  return (level, msg, fields) => {
    if (fields) logger[level](fields, msg)
    else logger[level](msg)
  }
}
