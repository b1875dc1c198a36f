/**
 * The record of pack versions seen. A version label promises fixed numbers: if the file
 * under an already-seen (id, version) now hashes differently, new jobs would be judged by
 * different numbers under the same label, so the start is refused with what to do.
 */
import { packHash } from '../../rules/pack-hash.js'
import type { RulePack } from '../../rules/pack-schema.js'
import type { Db } from '../store/database.js'

/**
 * Records each pack's hash on first sight; throws naming every pack whose content changed
 * without a new version. Runs in one transaction: a refused start records nothing.
 */
export function checkPackHashes(db: Db, packs: ReadonlyMap<string, RulePack>, now: number): void {
  const select = db.prepare<[string, string], { hash: string }>('SELECT hash FROM pack_hashes WHERE pack_id = ? AND version = ?')
  const insert = db.prepare('INSERT INTO pack_hashes (pack_id, version, hash, first_seen) VALUES (?, ?, ?, ?)')
  const problems: string[] = []
  db.transaction(() => {
    for (const pack of packs.values()) {
      const hash = packHash(pack)
      const seen = select.get(pack.id, pack.version)
      if (!seen) insert.run(pack.id, pack.version, hash, now)
      else if (seen.hash !== hash) {
        problems.push(
          `rule pack ${pack.id} ${pack.version} changed since this gateway first loaded it (was ${seen.hash}, now ${hash}): ` +
            'give the changed pack a new version, or restore the old content',
        )
      }
    }
    if (problems.length > 0) throw new Error(problems.join('\n'))
  })()
}
