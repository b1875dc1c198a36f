/**
 * Where the generated files live in this repository and where Grafana reads them inside
 * its container. docker-compose.yml mounts the one onto the other; the tests check that
 * the mounts and the provisioning files agree.
 */
export const DATASOURCE_UID = 'hvac-influxdb'
export const DATASOURCE_REF = { type: 'influxdb', uid: DATASOURCE_UID } as const

/** Repository paths, relative to the repository root. */
export const REPO = {
  datasources: 'dashboards/provisioning/datasources',
  providers: 'dashboards/provisioning/dashboards',
  json: 'dashboards/provisioning/json',
  influxInit: 'dashboards/deploy/influxdb-init',
} as const

/** Paths inside the containers (grafana/grafana-oss, influxdb:1.8). */
export const CONTAINER = {
  datasources: '/etc/grafana/provisioning/datasources',
  providers: '/etc/grafana/provisioning/dashboards',
  json: '/etc/grafana/dashboards/hvac',
  influxInit: '/docker-entrypoint-initdb.d',
} as const

/** The folder the dashboards appear in. */
export const GRAFANA_FOLDER = 'HVAC installations'
