/**
 * What the handlers compare and match in property values. Reading ResourceProperties lives in the contracts
 * (src/private/contract/read.ts), shared with the constructs.
 */

// the ID patterns are defined once, with the constructs' synth-time checks (bundled into each handler)
export { ACCOUNT_ID, ACCOUNT_LINK_ID, EMAIL, HANDSHAKE_ID, ORGANIZATION_ID, ROLE_NAME } from '../../src/private/patterns';

/** Email addresses compare case-insensitively (as AWS matches account emails). */
export function sameEmail(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
