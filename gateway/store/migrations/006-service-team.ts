/**
 * 5: a service client's team (issue 11): a device of kind 'service' is a maintenance team's
 * client and may subscribe to v1/teams/<team>/# only (broker/acl.ts). A table beside `devices`
 * (one row per service device) rather than a column every other device would carry as NULL.
 */
import type { Migration } from './migration.js'

export const serviceTeam: Migration = {
  version: 6,
  name: 'service team',
  up(db) {
    db.exec('CREATE TABLE device_teams (device_id TEXT PRIMARY KEY REFERENCES devices(id), team TEXT NOT NULL) WITHOUT ROWID')
  },
}
