/**
 * mqtt-packet (aedes's encoder) builds, on the first packet it writes, a cache of 65,536
 * two-byte Buffers, one per possible packet id: about 6 MB of heap and RSS for the life of the
 * process, to save one 2-byte allocation per PUBLISH/PUBACK. A gateway that holds 10,000 idle
 * connections in a bounded memory budget (issue 8) has better use for 6 MB; a 2-byte
 * Buffer.allocUnsafe comes from Node's pool and costs next to nothing per packet.
 */
import mqttPacket from 'mqtt-packet'

export function useUncachedPacketNumbers(): void {
  mqttPacket.writeToStream.cacheNumbers = false
}
