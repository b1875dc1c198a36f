/** How the broker logs: the gateway hands it its own log function. */
export type Log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void
