/** The ReadingStore contract against the embedded SQLite log. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../gateway/store/database.js'
import { IngestLog } from '../../gateway/store/ingest-log.js'
import { SqliteReadingStore } from '../../gateway/store/sqlite-reading-store.js'
import { ingestReadings, runReadingStoreContract } from './reading-store-contract.js'

runReadingStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-store-'))
  const db = openDatabase(dir, 'normal')
  const log = new IngestLog(db)
  return {
    store: new SqliteReadingStore(db),
    write: (readings) => ingestReadings(log, readings),
    close: async () => {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})
