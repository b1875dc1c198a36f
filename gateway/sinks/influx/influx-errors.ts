/** InfluxDB answered, but refused the request (4xx): retrying the same request will not help. */
export class InfluxRefusedError extends Error {
  override name = 'InfluxRefusedError'
}
