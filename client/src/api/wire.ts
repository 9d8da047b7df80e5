/**
 * The client's single entry point for wire types: everything comes from the schemas shared with the server
 * (server/http/wireSchemas.ts, browser-safe, zod only), so client and server cannot drift apart.
 */
export * from '../../../server/http/wireSchemas';
export type { NodeDefWire as NodeDef } from '../../../server/http/wireSchemas';
