/** The process shell: read the environment, start the gateway, stop it cleanly on a signal. */
import { ConfigError, loadConfig } from './config.js'
import { Gateway } from './gateway.js'

let gateway: Gateway
try {
  gateway = new Gateway(loadConfig(process.env))
  await gateway.start()
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`)
  process.exit(1)
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    gateway.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`error while stopping: ${String(err)}\n`)
        process.exit(1)
      },
    )
  })
}
