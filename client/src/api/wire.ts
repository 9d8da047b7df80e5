/**
 * The client's single entry point for wire types: everything comes from the schemas shared with the server
 * (protocol/wireSchemas.ts, browser-safe, zod only), so client and server cannot drift apart.
 */
export * from '../../../protocol/wireSchemas';
export type { NodeDefWire as NodeDef } from '../../../protocol/wireSchemas';
