/** The process shell: read the environment, start the gateway, stop it cleanly on a signal. */
import { ConfigError, loadConfig } from './config.js'
import { Gateway } from './gateway.js'

// Shown once, and only to a person at a terminal: piped stderr usually ends up in a log store.
const showTokenOnTerminal = (token: string, file: string): void => {
  if (process.stderr.isTTY) process.stderr.write(`\nadmin token (shown once; kept in ${file}):\n  ${token}\n\n`)
}

let gateway: Gateway | undefined
let started = false
let stopRequested = false

const stopAndExit = (): void => {
  if (!gateway) process.exit(0)
  gateway.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`error while stopping: ${String(err)}\n`)
      process.exit(1)
    },
  )
}

// Installed before the start: a supervisor may signal as soon as it reads "gateway started",
// and a signal that arrives before its handler would end the process without closing the database.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (started) stopAndExit()
    else stopRequested = true
  })
}

try {
  gateway = new Gateway(loadConfig(process.env), { onAdminTokenGenerated: showTokenOnTerminal })
  await gateway.start()
  started = true
} catch (err) {
  // A configuration the gateway cannot run with is one clear message, not a stack trace.
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`)
  process.exit(1)
}
if (stopRequested) stopAndExit()
