/**
 * Start-time checks of what zod cannot see in the variables: the bind address resolves, the
 * ports are free. Each failure is a ConfigError whose one line names the variable, so the
 * process shell prints it without a stack trace.
 */
import { lookup } from 'node:dns/promises'
import { ConfigError } from './config.js'

export async function checkBindAddress(bind: string): Promise<void> {
  try {
    await lookup(bind)
  } catch (err) {
    const code = (err as { code?: unknown }).code
    throw new ConfigError(`GW_BIND=${JSON.stringify(bind)}: cannot resolve this address (${typeof code === 'string' ? code : String(err)}); use an IP address or a host name this machine resolves`)
  }
}

const LISTEN_REASONS: Record<string, string> = {
  EADDRINUSE: 'is already in use (another gateway or service listens there)',
  EACCES: 'may not be opened by this user (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'is not an address of this machine',
}

/** Runs a listen() and turns a known socket error into one clear line naming `variable`. */
export async function listenOrExplain<T>(variable: string, bind: string, port: number, listen: () => Promise<T>): Promise<T> {
  try {
    return await listen()
  } catch (err) {
    const code = (err as { code?: unknown }).code
    const reason = typeof code === 'string' ? LISTEN_REASONS[code] : undefined
    if (reason === undefined) throw err
    throw new ConfigError(`${variable}=${port}: ${bind}:${port} ${reason} (${code})`)
  }
}
