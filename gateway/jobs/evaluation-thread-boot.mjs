// Entry of the evaluation thread. A worker starts without the gateway's TypeScript loader
// (and under vitest there is none to inherit), so it registers tsx before importing the thread.
import { register } from 'tsx/esm/api'

register()
await import('./evaluation-thread.ts')
