// Acknowledgements in the order the messages came, whatever order they become durable in:
// "When it receives a PUBLISH Packet it MUST send PUBACK packets in the order in which the
// corresponding PUBLISH Packets were received (QoS 1 messages)" (MQTT 3.1.1 §4.6, MQTT 5 §4.6).
// A message is acknowledged once it and every message before it are done. Pure.

export interface AckOrder {
  /** A QoS 1 message arrived; call done() on what is returned once it is durable. */
  received(messageId: number): { done(): void }
  /** Messages received and not yet acknowledged. */
  pending(): number
}

export function createAckOrder(send: (messageId: number) => void): AckOrder {
  const queue: { id: number; done: boolean }[] = []
  let head = 0
  return {
    received(id) {
      const entry = { id, done: false }
      queue.push(entry)
      return {
        done() {
          entry.done = true
          while (head < queue.length && queue[head]!.done) send(queue[head++]!.id)
          if (head > 1024 && head * 2 > queue.length) {
            queue.splice(0, head)
            head = 0
          }
        },
      }
    },
    pending: () => queue.length - head,
  }
}
