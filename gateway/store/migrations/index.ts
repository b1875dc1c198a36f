/**
 * Every schema migration, in order. A data dir's PRAGMA user_version says how many it has;
 * openDatabase() applies the rest (gateway/store/schema-upgrade.ts). Append only: a shipped
 * migration is never edited, since data dirs out there were made by it.
 */
import { seqEpochs } from './001-seq-epochs.js'
import { sentValues } from './002-sent-values.js'
import { runtimeTables } from './003-runtime-tables.js'
import { genericOutbox } from './004-generic-outbox.js'
import { alertTables } from './005-alerts.js'
import { serviceTeam } from './006-service-team.js'
import { auditCursors } from './007-audit-cursors.js'
import { deliveryGroups } from './008-delivery-groups.js'
import { unitService } from './009-unit-service.js'
import { outboxPointRows } from './010-outbox-point-rows.js'
import { readingStreams } from './011-reading-streams.js'
import type { Migration } from './migration.js'

export type { Migration } from './migration.js'

export const MIGRATIONS: readonly Migration[] = [seqEpochs, sentValues, runtimeTables, genericOutbox, alertTables, serviceTeam, auditCursors, deliveryGroups, unitService, outboxPointRows, readingStreams]

for (const [i, m] of MIGRATIONS.entries()) {
  if (m.version !== i + 1) throw new Error(`migration "${m.name}" has version ${m.version}; the list needs ${i + 1} there`)
}
