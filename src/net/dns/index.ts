export * from './types.js';
export { createDnsClient, normalizeName, label as serverLabel } from './client.js';
export { systemResolvers } from './system.js';
export { mailauthResolver, type MailauthResolver } from './mailauth-resolver.js';
