/** The gateway as one object (start/stop); its parts and their order are in app.ts. */
export { Gateway, type GatewayOptions } from './app.js'
