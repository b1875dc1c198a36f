/**
 * The forwarder thread: an InfluxForwarder on its own SQLite connection, so reading points
 * back, building line protocol and HTTP never hold up the event loop that acknowledges
 * readings. WAL lets it read while the ingest writes; their write transactions are IMMEDIATE.
 * It reports its progress after each attempt and its log lines to the gateway, and stops
 * (finishing a write in flight) when told.
 */
import { openDatabase } from '../../store/database.js'
import { InfluxConnection } from './influx-client.js'
import { hostedThread } from '../../threads/hosted-thread.js'
import { sharedClock } from '../../threads/shared-clock.js'
import { InfluxForwarder } from './forwarder.js'
import type { ForwarderThreadData, FromThread, ToThread } from './thread-messages.js'

const { port, data, send } = hostedThread<ForwarderThreadData, FromThread>('forwarder-thread.ts (started by gateway/sinks/influx/forwarder-host.ts)')

const db = openDatabase(data.dataDir, data.sync)
let last = ''
const forwarder: InfluxForwarder = new InfluxForwarder({
  db,
  sink: new InfluxConnection(data.influx),
  clock: sharedClock(data.clockCell),
  log: (level, msg, fields) => send({ type: 'log', level, msg, fields }),
  batchPoints: data.influx.batchPoints,
  onProgress: () => {
    // Idle polls repeat the same figures: only changes go out.
    const progress = forwarder.progress()
    const json = JSON.stringify(progress)
    if (json === last) return
    last = json
    send({ type: 'progress', progress })
  },
})

port.on('message', (m: ToThread) => {
  if (m.type !== 'stop') return
  void forwarder.stop().then(() => {
    send({ type: 'progress', progress: forwarder.progress() })
    db.close()
    send({ type: 'stopped' })
    port.close()
  })
})
forwarder.start()
