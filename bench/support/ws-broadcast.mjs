// The fan-out floor: a bare `ws` server that sends every connected client the same stream the
// service's dashboards get — a position message of the same shape and size, RATE a second — and,
// on POST /alert, an alert message to every client at once. No scoping, no database, no MQTT.
// Plain JavaScript so it runs under plain node, like the compiled service.
//   node bench/support/ws-broadcast.mjs PORT RATE
import { createServer } from 'node:http'
import { WebSocketServer } from 'ws'

const [port, rate] = process.argv.slice(2).map(Number)
const server = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/alert') return res.writeHead(404).end()
  let body = ''
  req.on('data', (d) => {
    body += d
  })
  req.on('end', () => {
    const text = JSON.stringify({ type: 'alert', change: 'raised', alert: JSON.parse(body) })
    for (const c of wss.clients) if (c.readyState === 1) c.send(text)
    res.writeHead(204).end()
  })
})
const wss = new WebSocketServer({ server, path: '/ws' })
wss.on('connection', (ws) => ws.send(JSON.stringify({ type: 'snapshot', bands: [], alerts: [] })))
let seq = 0
const TICK_MS = 10
let owed = 0
setInterval(() => {
  owed += (rate * TICK_MS) / 1000
  for (; owed >= 1; owed--) {
    const k = seq++ % 1500
    const text = JSON.stringify({
      type: 'position',
      position: {
        bandId: `load-${String(k).padStart(6, '0')}`,
        residentId: 1000 + k,
        fixTime: Date.now(),
        lat: 36.8 + k * 1e-5,
        lon: 118.05 + k * 1e-5,
        acc: 8.5,
        batt: 80,
      },
    })
    for (const c of wss.clients) if (c.readyState === 1 && c.bufferedAmount < 1024 * 1024) c.send(text)
  }
}, TICK_MS)
server.listen(port, '127.0.0.1', () => console.log('listening'))
