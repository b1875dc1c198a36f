/**
 * Every error code the gateway sends, with what it means: the HTTP API's codes, the ingest's
 * problem codes (answered on the device's error topic and kept with quarantined messages),
 * the notices a device gets about messages that were stored, the codes a verdict carries, and
 * the CONNACK return codes the broker refuses a connection with. The places that emit a code
 * take its type from here, so a misspelt code is a compile error; docs/protocol.md lists them
 * (contract/protocol-doc.ts); test/contract/errors.test.ts checks that every GW_ERR_* in the
 * sources is listed here.
 */

interface Meaning {
  readonly meaning: string
}

/** `{error: {code, message}}` answers of the HTTP API, with their HTTP status. */
export const HTTP_ERRORS = {
  GW_ERR_VALIDATION: { status: 400, meaning: 'the request (path, query or body) is not what the route takes; the message names each bad field' },
  GW_ERR_BAD_REQUEST: { status: 400, meaning: 'the request was refused before its route ran (e.g. a body that is not JSON)' },
  GW_ERR_UNAUTHORIZED: { status: 401, meaning: 'missing or wrong bearer token' },
  GW_ERR_NOT_FOUND: { status: 404, meaning: 'no such route, job, device or record' },
  GW_ERR_CONFLICT: { status: 409, meaning: 'the request contradicts what is stored (an id that exists, a work order not ready to confirm)' },
  GW_ERR_TOO_LARGE: { status: 413, meaning: 'the body is larger than 1 MiB' },
  GW_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'the body is not application/json' },
  GW_ERR_INTERNAL: { status: 500, meaning: 'the gateway failed; the details are in its log' },
  GW_ERR_BUSY: { status: 503, meaning: 'too many streams open at once (GET /api/v1/alerts/stream); try again later' },
} as const satisfies Record<`GW_ERR_${string}`, Meaning & { readonly status: number }>
export type HttpErrorCode = keyof typeof HTTP_ERRORS

/** Why (part of) a device's message was refused: quarantined with the reason, and answered on the error topic. */
export const INGEST_PROBLEMS = {
  GW_ERR_NOT_JSON: { meaning: 'the payload is not JSON (or not valid UTF-8)' },
  GW_ERR_TOO_LARGE: { meaning: 'more samples in one message than GW_MAX_SAMPLES_PER_MESSAGE, values in one sample than GW_MAX_VALUES_PER_SAMPLE, or attribute names than a message or a device may hold' },
  GW_ERR_SHAPE: { meaning: 'the JSON is not shaped as the topic takes it (a sample without values, a wrong type, an unknown key)' },
  GW_ERR_UNKNOWN_CHANNEL: { meaning: 'a value names a channel the gateway does not know' },
  GW_ERR_BAD_VALUE: { meaning: 'a value is not a finite number' },
  GW_ERR_UNIT: { meaning: "a unit is unknown, or not one the channel accepts (e.g. an absolute pressure on a gauge channel)" },
  GW_ERR_OUT_OF_RANGE: { meaning: "a value is outside the channel's plausible range" },
  GW_ERR_TIMESTAMP: { meaning: 'a timestamp more than GW_FUTURE_TOLERANCE_MS in the future, or before 2020' },
  GW_ERR_NOT_AUTHORIZED: { meaning: 'a bridge spoke for a device it is not registered to bridge' },
} as const satisfies Record<`GW_ERR_${string}`, Meaning>
export type IngestProblemCode = keyof typeof INGEST_PROBLEMS

/** Told to a device on its error topic about messages that were acknowledged and kept. */
export const DEVICE_NOTICES = {
  GW_ERR_CONFLICT: { meaning: 'a reading was re-sent with a device time already stored but another value: both kept and flagged for review' },
  GW_ERR_RATE_LIMITED: { meaning: 'the device publishes faster than GW_DEVICE_PUBLISH_RATE: acknowledgements are delayed, nothing is dropped' },
} as const satisfies Record<`GW_ERR_${string}`, Meaning>
export type DeviceNoticeCode = keyof typeof DEVICE_NOTICES

/** Carried by a verdict (its `error`, or a check's message) when something could not be judged. */
export const VERDICT_ERRORS = {
  GW_ERR_EVALUATION_FAILED: { meaning: 'the gateway could not evaluate the job or a step; the step (or job) is incomplete, with the reason' },
  GW_ERR_UNKNOWN_REFRIGERANT: { meaning: 'no saturation table for the refrigerant named on the job' },
  GW_ERR_OUT_OF_TABLE: { meaning: "a pressure or temperature is outside the refrigerant's saturation table: not extrapolated" },
} as const satisfies Record<`GW_ERR_${string}`, Meaning>
export type VerdictErrorCode = keyof typeof VERDICT_ERRORS

/** Why a command on a fault alert (acknowledge, assign, clear, on-site) was refused, with the HTTP status it answers. */
export const ALERT_ERRORS = {
  GW_ERR_ALERT_NO_ALERT: { status: 404, meaning: 'there is no such alert (or no open alert of that unit and fault)' },
  GW_ERR_ALERT_CLEARED: { status: 409, meaning: 'the alert was cleared already: a new occurrence of the fault raises a new alert' },
  GW_ERR_ALERT_ALREADY: { status: 409, meaning: 'the alert was already acknowledged, or the visit already recorded on site (by whom and when is in the message)' },
  GW_ERR_ALERT_BAD_COMMAND: { status: 400, meaning: 'the command lacks who does it, a reason for a manual clear, or names another unit or fault' },
  GW_ERR_ALERT_TIME: { status: 400, meaning: 'the command is dated before the alert was raised (or an on-site visit in the future)' },
} as const satisfies Record<`GW_ERR_${string}`, Meaning & { readonly status: number }>
export type AlertErrorCode = keyof typeof ALERT_ERRORS

/** Every GW_ERR_* code the gateway sends (a code may be in more than one list: GW_ERR_TOO_LARGE, GW_ERR_CONFLICT). */
export type ErrorCode = HttpErrorCode | IngestProblemCode | DeviceNoticeCode | VerdictErrorCode | AlertErrorCode

/**
 * CONNACK return codes a connection is refused with [MQTT-3.2.2-5] (MQTT 3.1.1 table 3.1);
 * after a non-zero CONNACK the connection closes. `when` is what the gateway refuses with it.
 */
export const CONNACK_REFUSALS = {
  unacceptableProtocolVersion: {
    returnCode: 1,
    when: 'MQTT 5 (protocol level 5); a CONNECT with any other unknown level closes the connection without CONNACK',
  },
  identifierRejected: {
    returnCode: 2,
    when: 'empty ClientId with CleanSession=0 [MQTT-3.1.3-8]; ClientId with ill-formed UTF-8 [MQTT-1.5.3-1] or U+0000 [MQTT-1.5.3-2]; MQTT 3.1 ClientId over 23 characters',
  },
  serverUnavailable: {
    returnCode: 3,
    when: 'the device already has `GW_MAX_CONNECTIONS_PER_DEVICE` connections (retry later), or the device registry is unavailable',
  },
  badUsernameOrPassword: { returnCode: 4, when: 'wrong or missing credentials' },
  notAuthorized: { returnCode: 5, when: 'the registry holds the device under an id that cannot be a topic level (never for a device registered through the API)' },
} as const satisfies Record<string, { readonly returnCode: number; readonly when: string }>
export type ConnackRefusal = (typeof CONNACK_REFUSALS)[keyof typeof CONNACK_REFUSALS]['returnCode']
