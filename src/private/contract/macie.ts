/**
 * The construct-handler contracts of Amazon Macie: `MacieInvitations` (administrator side) and
 * `MacieInvitationAccepter` (member side). The constructs build their custom resource's properties with
 * `properties()` and read attributes by `attributes`; the handlers parse with `parse()` and answer with `data()`.
 */
import { RawProperties, RemovalMode, readAccountId } from './read';
import { ACCEPTER, AccepterCommon, REMOVAL } from './shared';

/** What the Macie accepter's handler works with. */
export interface MacieAccepterProps extends AccepterCommon {
  readonly administratorAccountId: string;
  /** What Delete does with a membership this resource accepted. */
  readonly removalPolicy: RemovalMode;
}

/** The Macie accepter's attributes (never empty strings: an output of an empty value fails the deploy). */
export interface MacieAccepterData {
  readonly invitationId: string;
  readonly relationshipStatus: string;
  readonly administratorAccountId: string;
}

const ADMINISTRATOR_ACCOUNT_ID = 'AdministratorAccountId';

export const MACIE_ACCEPTER = {
  keys: { administratorAccountId: ADMINISTRATOR_ACCOUNT_ID },
  attributes: {
    invitationId: 'InvitationId',
    relationshipStatus: 'RelationshipStatus',
    administratorAccountId: ADMINISTRATOR_ACCOUNT_ID,
  },
  properties(input: { readonly administratorAccountId: string; readonly waitSeconds: number; readonly removalPolicy: RemovalMode }): RawProperties {
    return { [ADMINISTRATOR_ACCOUNT_ID]: input.administratorAccountId, ...ACCEPTER.properties(input), ...REMOVAL.properties(input.removalPolicy) };
  },
  parse(raw: RawProperties): MacieAccepterProps {
    return { administratorAccountId: readAccountId(raw, ADMINISTRATOR_ACCOUNT_ID), ...ACCEPTER.parse(raw), removalPolicy: REMOVAL.parse(raw) };
  },
  data(data: MacieAccepterData): Record<string, string> {
    const a = MACIE_ACCEPTER.attributes;
    return {
      [a.invitationId]: data.invitationId,
      [a.relationshipStatus]: data.relationshipStatus,
      [a.administratorAccountId]: data.administratorAccountId,
    };
  },
} as const;
