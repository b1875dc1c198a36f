/** The verdict as the API documents it (OpenAPI) and serialises it: the contract's one schema (contract/verdict.ts). */
export { VerdictSchema } from '../../contract/verdict.js'
