/**
 * Registered devices and their credentials. A secret is 256 random bits issued here and
 * shown once; only its SHA-256 is stored. A fast hash is enough because the secret is
 * machine-generated and unguessable (a slow KDF protects human passwords, which these are
 * not); comparison is constant-time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { DeviceIdentity } from '../../contract/device-identity.js'
import { z } from 'zod'
import { AttributesSchema, type Attributes } from '../../contract/telemetry.js'
import type { Db } from '../store/database.js'
import type { EventBus } from '../bus/event-bus.js'
import { parseStoredJson } from '../store/stored-json.js'

const BridgeForSchema = z.array(z.string())
const where = (row: Row, column: string): string => `id ${JSON.stringify(row.id)} column ${column}`

export type DeviceKind = DeviceIdentity['kind']

export interface DeviceRecord extends DeviceIdentity {
  model: string | null
  attributes: Attributes
  createdAt: number
}

interface Row {
  id: string
  kind: DeviceKind
  model: string | null
  secret_hash: Buffer
  bridge_for: string
  team: string | null
  attributes: string
  created_at: number
}

export class DeviceExistsError extends Error {}

const hashSecret = (secret: Buffer | string): Buffer => createHash('sha256').update(secret).digest()
// Compared against when the device is unknown, so a miss takes as long as a wrong secret.
const DUMMY_HASH = hashSecret('no such device')

export class DeviceRegistry {
  private readonly insert
  private readonly selectOne
  private readonly updateAttributes
  private readonly insertTeam

  /** mergeAttributes() emits 'attributes.changed' on `bus`. */
  constructor(db: Db, private readonly bus?: EventBus) {
    this.insert = db.prepare(
      'INSERT INTO devices (id, kind, model, secret_hash, bridge_for, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    )
    this.selectOne = db.prepare<[string], Row>('SELECT d.*, t.team FROM devices d LEFT JOIN device_teams t ON t.device_id = d.id WHERE d.id = ?')
    const insertTeam = db.prepare('INSERT INTO device_teams (device_id, team) VALUES (?, ?)')
    // A service client and its team are one registration: both rows or neither.
    this.insertTeam = db.transaction((id: string, team: string, insertDevice: () => void) => {
      insertDevice()
      insertTeam.run(id, team)
    })
    this.updateAttributes = db.prepare('UPDATE devices SET attributes = ? WHERE id = ?')
  }

  /** Registers a device and returns its secret; the secret is not kept and cannot be shown again. */
  register(d: { id: string; kind: DeviceKind; model?: string | undefined; bridgeFor?: readonly string[] | undefined; team?: string | undefined }, now: number): string {
    const secret = randomBytes(32).toString('base64url')
    try {
      const insertDevice = () => this.insert.run(d.id, d.kind, d.model ?? null, hashSecret(secret), JSON.stringify(d.bridgeFor ?? []), now)
      if (d.team !== undefined) this.insertTeam(d.id, d.team, insertDevice)
      else insertDevice()
    } catch (err) {
      if (err instanceof Error && 'code' in err && err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new DeviceExistsError(`device "${d.id}" is already registered`)
      }
      throw err
    }
    return secret
  }

  /** The device's identity if the secret is right, else null. */
  authenticate(deviceId: string, secret: Buffer): DeviceIdentity | null {
    const row = this.selectOne.get(deviceId)
    const ok = timingSafeEqual(hashSecret(secret), row?.secret_hash ?? DUMMY_HASH)
    return ok && row ? toIdentity(row) : null
  }

  get(deviceId: string): DeviceRecord | undefined {
    const row = this.selectOne.get(deviceId)
    return row ? toRecord(row) : undefined
  }

  /** Merges reported attributes into what the device said before. */
  mergeAttributes(deviceId: string, attrs: Attributes): void {
    const current = this.get(deviceId)
    if (!current) return
    this.updateAttributes.run(JSON.stringify({ ...current.attributes, ...attrs }), deviceId)
    this.bus?.emit('attributes.changed', { deviceId, changed: attrs })
  }
}

// Most devices speak for nobody else: they all share this one frozen list.
const NOBODY: readonly string[] = Object.freeze([])

/**
 * Only what the broker keeps for the life of a connection (id, kind, bridgeFor): no model,
 * attributes or timestamps, since an identity is held per connected device (issue 8: memory per
 * idle connection). Identities are immutable once registered, so nothing here can go stale.
 */
function toIdentity(row: Row): DeviceIdentity {
  const bridgeFor = row.bridge_for === '[]' ? NOBODY : Object.freeze(parseStoredJson(row.bridge_for, 'devices', where(row, 'bridge_for'), BridgeForSchema))
  return Object.freeze({ id: row.id, kind: row.kind, bridgeFor, ...(row.team !== null ? { team: row.team } : {}) })
}

function toRecord(row: Row): DeviceRecord {
  return {
    id: row.id,
    kind: row.kind,
    bridgeFor: parseStoredJson(row.bridge_for, 'devices', where(row, 'bridge_for'), BridgeForSchema),
    model: row.model,
    attributes: parseStoredJson(row.attributes, 'devices', where(row, 'attributes'), AttributesSchema),
    createdAt: row.created_at,
  }
}
