// Entry of every worker thread the gateway hosts (worker-host.ts). A worker starts without the
// gateway's TypeScript loader (and under vitest there is none to inherit), so it registers tsx
// once, then imports the thread's own module, named by its host in workerData.entry.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.entry)
