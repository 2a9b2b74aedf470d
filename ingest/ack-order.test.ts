import { describe, expect, it } from 'vitest'
import { createAckOrder } from './ack-order.ts'

describe('acknowledgements in the order messages came', () => {
  it('when later messages are durable first, then nothing is acknowledged until the first one is, and then all in order', () => {
    const sent: number[] = []
    const acks = createAckOrder((id) => sent.push(id))
    const [a, b, c] = [acks.received(7), acks.received(8), acks.received(9)]
    c.done()
    b.done()
    expect(sent).toEqual([])
    expect(acks.pending()).toBe(3)
    a.done()
    expect(sent).toEqual([7, 8, 9])
    expect(acks.pending()).toBe(0)
  })

  it('when a message in the middle is never done, then none after it is acknowledged', () => {
    const sent: number[] = []
    const acks = createAckOrder((id) => sent.push(id))
    const tickets = Array.from({ length: 3000 }, (_, i) => acks.received((i % 65535) + 1))
    tickets.forEach((t, i) => {
      if (i !== 1500) t.done()
    })
    expect(sent).toHaveLength(1500)
    expect(acks.pending()).toBe(1500)
  })
})
