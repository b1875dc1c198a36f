/**
 * MQTT 3.1.1 rules for UTF-8 strings and topic names that mqtt-packet does not check.
 *
 * mqtt-packet decodes every string with Buffer#toString('utf8'), which replaces each ill-formed
 * sequence (bad continuation, overlong form, UTF-16 surrogate, > U+10FFFF) with U+FFFD and
 * reports nothing. So a decoded U+FFFD is the trace of ill-formed UTF-8 [MQTT-1.5.3-1]. A
 * well-formed string may also carry a literal U+FFFD; it is refused as well: no topic of the
 * device API contains one, and a server may reject any ClientId [MQTT-3.1.3-9]. Rules return
 * the broken rule's text (with its spec ID) or null.
 */
const REPLACEMENT = '\uFFFD'
const NUL = '\u0000'

/** Any UTF-8 encoded string field (ClientId, topic name, topic filter, user name). */
export function utf8StringProblem(value: string): string | null {
  if (value.includes(REPLACEMENT)) return 'ill-formed UTF-8 [MQTT-1.5.3-1]'
  if (value.includes(NUL)) return 'contains U+0000 [MQTT-1.5.3-2]'
  return null
}

/** A PUBLISH topic name (aedes itself refuses empty names and wildcards [MQTT-3.3.2-2]). */
export function topicNameProblem(topic: string): string | null {
  const problem = utf8StringProblem(topic)
  if (problem !== null) return problem
  if (topic.length === 0) return 'empty topic name [MQTT-4.7.3-1]'
  if (topic.includes('#') || topic.includes('+')) return 'wildcard in a topic name [MQTT-3.3.2-2]'
  return null
}
