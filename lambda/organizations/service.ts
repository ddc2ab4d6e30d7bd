/**
 * AWS Organizations facts used by both sides: the inviter (`OrgInvitation`, management account) and the accepter
 * (`OrgInvitationAccepter`, invited account; also run by the inviter through an assumed role). One definition for both,
 * so that a state, an ID or a client setting never drifts between them. The hint tables are in `./invite-hints.ts`
 * (inviting) and `./accept-hints.ts` (accepting).
 *
 * The construct-handler contract (`src/private/contract/organizations.ts`) comes to the handlers through here.
 */
import {
  DescribeHandshakeCommand,
  DescribeOrganizationCommand,
  Handshake,
  Organization,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { AwsCredentialIdentity } from '@smithy/types';
import { clientConfig } from '../shared/clients';
import { isAwsError } from '../shared/errors';
import { HANDSHAKE_ID, ORGANIZATION_ID } from '../shared/props';

export {
  ORG_ACCEPTER,
  ORG_INVITATION,
  type OrgAccepterData,
  type OrgAccepterProps,
  type OrgAcceptanceState,
  type OrgExpectation,
  type OrgInvitationData,
  type OrgInvitationProps,
  type OrgTargetType,
} from '../../src/private/contract/organizations';

/** Errors that are transient for Organizations but modeled as client errors: retried by the SDK's strategy. */
export const ORGANIZATIONS_TRANSIENT_ERRORS = ['ConcurrentModificationException', 'FinalizingOrganizationException'];

/**
 * An Organizations client with the shared configuration: on the function's own role, or (`credentials`) acting in
 * the invited account through a role there (the inviter's one-stack acceptance).
 */
export function organizationsClient(credentials?: AwsCredentialIdentity): OrganizationsClient {
  return new OrganizationsClient({ ...clientConfig(ORGANIZATIONS_TRANSIENT_ERRORS), ...(credentials ? { credentials } : {}) });
}

/** The clients that accept, all in the invited account. */
export interface InvitedAccountClients {
  readonly organizations: OrganizationsClient;
}

/** The clients of the invited account: on the function's own role, or with credentials of a role assumed there. */
export function invitedAccountClients(credentials?: AwsCredentialIdentity): InvitedAccountClients {
  return { organizations: organizationsClient(credentials) };
}

// ---------------------------------------------------------------------------------------------------------------
// Handshake states

/** A handshake that can still be accepted (or canceled): OPEN first, the state an invitation usually shows. */
export const PENDING_STATES: readonly string[] = ['OPEN', 'REQUESTED'];
/** A handshake that ended without making the invited account a member. */
export const ENDED_WITHOUT_ACCEPTANCE: ReadonlySet<string> = new Set(['CANCELED', 'DECLINED', 'EXPIRED']);
export const ACCEPTED = 'ACCEPTED';

export function isPending(state: string | undefined): boolean {
  return PENDING_STATES.includes(state ?? '');
}

/** The state both sides report when nothing had to be invited or accepted: the account already was a member. */
export const ALREADY_MEMBER = 'ALREADY_MEMBER';

/**
 * The physical ID of a resource that found the account already a member: `already-member:<account ID>` (inviter) or
 * `already-member:<organization ID>` (accepter). Both are non-empty attributes, unlike an absent handshake ID.
 */
export const ALREADY_MEMBER_ID = {
  prefix: 'already-member:',
  of(id: string): string {
    return `${ALREADY_MEMBER_ID.prefix}${id}`;
  },
  /** The ID after the prefix, when `physicalId` is one and that ID matches `pattern`. */
  parse(physicalId: string, pattern: RegExp): string | undefined {
    if (!physicalId.startsWith(ALREADY_MEMBER_ID.prefix)) return undefined;
    const id = physicalId.slice(ALREADY_MEMBER_ID.prefix.length);
    return pattern.test(id) ? id : undefined;
  },
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Reads

/**
 * The request of a handshake call (DescribeHandshake, AcceptHandshake, CancelHandshake). The API's member happens to
 * share its name with the accepter's property: this is the one place the handlers write it.
 */
export function handshakeRequest(handshakeId: string): { HandshakeId: string } {
  return { HandshakeId: handshakeId };
}

/** The handshake, or undefined when Organizations no longer knows it (30 days after it ended). */
export async function describeHandshake(client: OrganizationsClient, handshakeId: string): Promise<Handshake | undefined> {
  try {
    const { Handshake: handshake } = await client.send(new DescribeHandshakeCommand(handshakeRequest(handshakeId)));
    return handshake;
  } catch (error) {
    if (isAwsError(error, 'HandshakeNotFoundException')) return undefined;
    throw error;
  }
}

/** The organization the caller's account belongs to, or undefined when it belongs to none. */
export async function currentOrganization(client: OrganizationsClient): Promise<Organization | undefined> {
  try {
    const { Organization: organization } = await client.send(new DescribeOrganizationCommand({}));
    return organization;
  } catch (error) {
    if (isAwsError(error, 'AWSOrganizationsNotInUseException')) return undefined;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Who is who

/** An organization as far as it is known: its ID and/or its management account. */
export interface OrgParty {
  readonly organizationId?: string;
  readonly managementAccountId?: string;
}

/** The body of an ID pattern, to compose it into a larger one. */
const inner = (pattern: RegExp) => pattern.source.replace(/^\^|\$$/g, '');

/** `arn:<partition>:organizations::<management account>:handshake/<o-…>/<action>/<h-…>` */
const HANDSHAKE_ARN = new RegExp(
  `^arn:[a-z-]+:organizations::(\\d{12}):handshake/(${inner(ORGANIZATION_ID)})/([a-z_]{1,32})/(${inner(HANDSHAKE_ID)})$`,
);

/**
 * The inviting organization of a handshake: from its ARN (management account and organization), else from its
 * ORGANIZATION party. Only IDs are read: parties and resources also hold emails and the invitation's notes.
 */
export function handshakeInviter(handshake: Handshake): OrgParty {
  const arn = HANDSHAKE_ARN.exec(handshake.Arn ?? '');
  const party = (handshake.Parties ?? []).find((p) => p.Type === 'ORGANIZATION' && p.Id && ORGANIZATION_ID.test(p.Id));
  return { managementAccountId: arn?.[1], organizationId: arn?.[2] ?? party?.Id };
}

export function organizationParty(organization: Organization): OrgParty {
  return { organizationId: organization.Id, managementAccountId: organization.MasterAccountId };
}

/** "organization o-… (management account …)", "management account …", "organization o-…". */
export function describeInviter(inviter: OrgParty): string {
  const { organizationId: org, managementAccountId: mgmt } = inviter;
  if (org && mgmt) return `organization ${org} (management account ${mgmt})`;
  if (org) return `organization ${org}`;
  if (mgmt) return `management account ${mgmt}`;
  return 'an unknown organization';
}

/** True when the organization matches every part of the expectation that is given (and known of the organization). */
export function isExpected(expected: OrgParty, actual: OrgParty): boolean {
  if (expected.organizationId && actual.organizationId !== expected.organizationId) return false;
  if (expected.managementAccountId && actual.managementAccountId !== expected.managementAccountId) return false;
  return Boolean(expected.organizationId || expected.managementAccountId);
}
