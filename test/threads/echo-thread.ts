/** A hosted test thread (test/threads/worker-host.test.ts): echoes, dies or hangs when told. */
import { hostedThread } from '../../gateway/threads/hosted-thread.js'

export type ToEcho = { type: 'echo'; text: string } | { type: 'crash'; code: number } | { type: 'stop' }
export type FromEcho = { type: 'echoed'; text: string; label: string } | { type: 'log'; level: 'info'; msg: string } | { type: 'stopped' }

const { port, data, send } = hostedThread<{ label: string; ignoreStop: boolean }, FromEcho>('echo-thread.ts')
port.on('message', (m: ToEcho) => {
  if (m.type === 'echo') return send({ type: 'echoed', text: m.text, label: data.label })
  if (m.type === 'crash') process.exit(m.code)
  if (data.ignoreStop) return // a thread stuck in its work: the host must terminate it
  send({ type: 'log', level: 'info', msg: 'echo thread stopping' })
  send({ type: 'stopped' })
})
