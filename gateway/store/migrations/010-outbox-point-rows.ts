/**
 * 10: an InfluxDB outbox row may stand for several points of one device (b9495d2): its payload
 * lists their device times (gateway/outbox/point-times.ts). Rows written before are single
 * points (no payload) and read the same way, so nothing is converted. The version is the guard:
 * a gateway from before would read such a row as its first point only, forward that, delete the
 * row, and so never forward the other readings to InfluxDB; it now refuses the data dir
 * ("run the newer gateway that wrote it") instead.
 */
import type { Migration } from './migration.js'

export const outboxPointRows: Migration = {
  version: 10,
  name: 'outbox rows of several points',
  up() {
    // Format mark only (see above).
  },
}
