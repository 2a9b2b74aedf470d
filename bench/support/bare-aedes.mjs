// A bare aedes broker, no hooks and nothing stored: the floor the capacity bench measures
// Tongxing against. Plain JavaScript so it runs under plain node, like the compiled service.
//   node bench/support/bare-aedes.mjs PORT
import { createServer } from 'node:net'
import { Aedes } from 'aedes'

const aedes = await Aedes.createBroker()
createServer(aedes.handle).listen(Number(process.argv[2]), '127.0.0.1', () => console.log('listening'))
