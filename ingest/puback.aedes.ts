// The PUBACK for a band's durable QoS 1 report, written by us as one 4-byte buffer in one socket
// write. aedes writes it through mqtt-packet's writeToStream, which corks the socket, writes the
// header, length and packet id as three pieces and uncorks on the next tick (a writev of three),
// then waits a setImmediate and looks for offline sessions to queue the report for. The profile
// at 10,000 bands × 2 s put that path (writev alone) at 11 % of a core.
//
// "The receiver of a QoS 1 PUBLISH Packet … MUST respond with a PUBACK Packet containing the
// Packet Identifier from the incoming PUBLISH Packet" (MQTT 3.1.1 §4.3.2, MQTT-4.3.2-2); its
// remaining length is 2 (§3.4). MQTT 5 allows the same four bytes for success: "the Reason Code
// 0x00 (Success) and Property Length can be omitted" when the remaining length is 2 (§3.4.2.1).
import type { Client, PublishPacket } from 'aedes'

const PUBACK = 0x40

/** The four bytes of a PUBACK for this packet id. */
export function pubackBytes(messageId: number): Buffer {
  return Buffer.from([PUBACK, 2, messageId >> 8, messageId & 0xff])
}

/**
 * Acknowledges a QoS 1 publish now and hands aedes the rest as QoS 0, so it neither writes a
 * second PUBACK nor queues the report for offline sessions (nobody may subscribe to telemetry:
 * see authorizeSubscribe). Returns false, changing nothing, when the packet is not QoS 1 or the
 * band is not connected: aedes then does what it always does (and fails the closed connection).
 */
export function acknowledgeNow(client: Client, packet: PublishPacket): boolean {
  if (packet.qos !== 1 || !client.connected || typeof packet.messageId !== 'number') return false
  client.conn.write(pubackBytes(packet.messageId))
  packet.qos = 0
  return true
}
