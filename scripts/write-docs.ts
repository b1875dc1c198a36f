import { writeFileSync } from 'node:fs'
import { renderProtocolDoc } from '../contract/protocol-doc.js'

writeFileSync(new URL('../docs/protocol.md', import.meta.url), renderProtocolDoc())
