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

// synchronous=NORMAL whatever GW_SYNC says: this connection only writes what can be redone (acks
// of forwarded rows, roll-up and re-route progress; a write lost to a power cut re-forwards
// identical points). With FULL its COMMIT fsynced while holding the WAL write lock, and the
// ingest's BEGIN IMMEDIATE on the event loop slept in SQLite's busy handler (1, 2, 5 … ms) until
// it was released. The ingest's own flush (GW_SYNC=full) covers these frames too: one WAL.
const db = openDatabase(data.dataDir, 'normal')
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
