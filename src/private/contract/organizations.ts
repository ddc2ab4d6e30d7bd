/**
 * The construct-handler contracts of AWS Organizations: `OrgInvitation` (management account side) and
 * `OrgInvitationAccepter` (invited account side). The constructs build their custom resource's properties with
 * `properties()` and read attributes by `attributes`; the handlers parse with `parse()` and answer with `data()`.
 */
import { ACCOUNT_ID, EMAIL, HANDSHAKE_ID, ORGANIZATION_ID, maskEmails } from '../patterns';
import {
  PropertyError,
  RawProperties,
  readOptionalAccountId,
  readOptionalPattern,
  readOptionalString,
  readString,
  readStringMap,
} from './read';
import { ACCEPTANCE, ACCEPTER, AccepterCommon } from './shared';

/** How the invited account is identified (`Target.Type` of InviteAccountToOrganization). */
export type OrgTargetType = 'ACCOUNT' | 'EMAIL';

/** What the inviter's handler works with. */
export interface OrgInvitationProps {
  readonly targetId: string;
  readonly targetType: OrgTargetType;
  readonly notes?: string;
  readonly tags: Record<string, string>;
  /** Accept in the invited account through this role after inviting (one-stack acceptance). */
  readonly acceptRoleName?: string;
}

/** What the inviter's construct gives (the acceptance's own properties come from `bindAcceptance`). */
export interface OrgInvitationInput {
  readonly targetId: string;
  /**
   * Always given by today's construct (`InvitationTarget`); absent in a template synthesized before it (a token
   * target without a type): the handler then decides from the resolved target.
   */
  readonly targetType?: OrgTargetType;
  readonly notes?: string;
  /** Absent or empty: no tags. */
  readonly tags?: Record<string, string>;
}

/** The inviter's attributes. */
export interface OrgInvitationData {
  /** The handshake, or `already-member:<account ID>` when the target already was a member. */
  readonly handshakeId: string;
  /** Empty for an account that already was a member. */
  readonly handshakeArn: string;
  readonly handshakeState: string;
  /** True when an open invitation to the target was adopted instead of sending one. */
  readonly adopted: boolean;
}

/** Which organization the invited account expects to join: at least one of the first two; the handshake optionally. */
export interface OrgExpectation {
  readonly managementAccountId?: string;
  readonly organizationId?: string;
  /** Accept exactly this handshake; otherwise the handler finds it. */
  readonly handshakeId?: string;
}

/** What the accepter's handler works with. */
export interface OrgAccepterProps extends OrgExpectation, AccepterCommon {}

/**
 * What the accepter reported (`handshakeState`); `UNKNOWN` when an update that accepts nothing could not read the
 * membership.
 */
export type OrgAcceptanceState = 'ACCEPTED' | 'ALREADY_MEMBER' | 'NOT_A_MEMBER' | 'OTHER_ORGANIZATION' | 'UNKNOWN';

/** The accepter's attributes (never empty strings: an output of an empty value fails the deploy). */
export interface OrgAccepterData {
  /** The accepted handshake, or `already-member:<organization ID>` when nothing had to be accepted. */
  readonly handshakeId: string;
  readonly organizationId: string;
  readonly handshakeState: OrgAcceptanceState;
  /** The organization's management account, when known: the handler records it, it is not an attribute. */
  readonly managementAccountId?: string;
}

// names both sides use: the accepter takes a handshake ID as a property, and both report one as an attribute
const HANDSHAKE_ID_KEY = 'HandshakeId';
const HANDSHAKE_STATE = 'HandshakeState';
const ORGANIZATION_ID_KEY = 'OrganizationId';

const TARGET_ID = 'TargetId';
const TARGET_TYPE = 'TargetType';
const TARGET_TYPES: readonly OrgTargetType[] = ['ACCOUNT', 'EMAIL'];

/** Drops absent values: the template (and so the handler) never sees them. */
function defined(properties: RawProperties): RawProperties {
  return Object.fromEntries(Object.entries(properties).filter(([, value]) => value !== undefined));
}

/**
 * The target type: as given, or (the construct leaves it out when the target is a token and no type was given)
 * decided from the value at deploy time: an email address is EMAIL, 12 digits are ACCOUNT.
 */
function readTargetType(raw: RawProperties, targetId: string): OrgTargetType {
  const given = readOptionalString(raw, TARGET_TYPE);
  if (given === undefined) {
    if (targetId.includes('@')) return 'EMAIL';
    if (ACCOUNT_ID.test(targetId)) return 'ACCOUNT';
    throw new PropertyError(
      `${TARGET_ID} ${targetId} is neither a 12-digit account ID nor an email address. Give the account ID or ` +
        'the email address of the account to invite, with InvitationTarget.account or InvitationTarget.email.',
    );
  }
  if (!(TARGET_TYPES as readonly string[]).includes(given)) {
    throw new PropertyError(`${TARGET_TYPE} must be ${TARGET_TYPES.join(' or ')}, got ${given}.`);
  }
  return given as OrgTargetType;
}

/**
 * An optional expectation (`ManagementAccountId`, `OrganizationId`, `HandshakeId`) that is present must not be empty:
 * the construct leaves out what is not given, so '' is a parameter or reference that resolved to nothing. Read as
 * "not given" it would accept more than the IAM grant, built from the same value, allows.
 */
function readExpectation(raw: RawProperties, key: string, read: (raw: RawProperties, key: string) => string | undefined): string | undefined {
  if (raw[key] === '') {
    throw new PropertyError(
      `The property ${key} is empty (a parameter or reference that resolved to ''). An empty value does not mean "any": ` +
        'give the value, or leave the property out of the construct; then deploy again.',
    );
  }
  return read(raw, key);
}

/** The identifying fields of an invitation: the target, its type decided and checked (emails masked in messages). */
function readTarget(raw: RawProperties): Pick<OrgInvitationProps, 'targetId' | 'targetType'> {
  const targetId = readString(raw, TARGET_ID);
  const targetType = readTargetType(raw, targetId);
  if (targetType === 'ACCOUNT' && !ACCOUNT_ID.test(targetId)) {
    throw new PropertyError(maskEmails(`${TARGET_ID} ${targetId} is not a 12-digit account ID, but ${TARGET_TYPE} is ACCOUNT.`));
  }
  if (targetType === 'EMAIL' && !EMAIL.test(targetId)) {
    throw new PropertyError(maskEmails(`${TARGET_ID} ${targetId} is not an email address, but ${TARGET_TYPE} is EMAIL.`));
  }
  return { targetId, targetType };
}

/** `OrgInvitation`: invite an account into the organization (InviteAccountToOrganization). */
export const ORG_INVITATION = {
  // the acceptance's role name is the shared inviter key (`ACCEPTANCE`), written by `bindAcceptance`
  keys: { targetId: TARGET_ID, targetType: TARGET_TYPE, notes: 'Notes', tags: 'Tags' },
  attributes: {
    handshakeId: HANDSHAKE_ID_KEY,
    handshakeArn: 'HandshakeArn',
    handshakeState: HANDSHAKE_STATE,
    adopted: 'Adopted',
  },
  /** What InviteAccountToOrganization accepts (the construct checks concrete values at synth; AWS checks the rest). */
  limits: { maxNotes: 1024, maxTags: 50, maxTagKey: 128, maxTagValue: 256 },
  properties(input: OrgInvitationInput): RawProperties {
    const k = ORG_INVITATION.keys;
    const tags = input.tags && Object.keys(input.tags).length > 0 ? input.tags : undefined;
    return defined({ [k.targetId]: input.targetId, [k.targetType]: input.targetType, [k.notes]: input.notes, [k.tags]: tags });
  },
  parse(raw: RawProperties): OrgInvitationProps {
    const k = ORG_INVITATION.keys;
    const target = readTarget(raw);
    const acceptRoleName = ACCEPTANCE.parse(raw);
    if (acceptRoleName !== undefined && target.targetType !== 'ACCOUNT') {
      throw new PropertyError(
        `${ACCEPTANCE.roleNameKey} needs an invitation by account ID: the account behind an email address is unknown until it ` +
          'accepts. Invite by account ID, or accept in the invited account with an OrgInvitationAccepter.',
      );
    }
    return { ...target, notes: readOptionalString(raw, k.notes), tags: readStringMap(raw, k.tags), acceptRoleName };
  },
  /** Old properties that do not parse as a whole: the target alone (notes and tags only matter to a new invitation). */
  parseOld(raw: RawProperties): OrgInvitationProps {
    return { ...readTarget(raw), tags: {} };
  },
  /**
   * The sensitive inputs, scrubbed from every log line and Reason (AWS error texts can echo a request): the notes, and
   * the target when it is an email address (masked anyway). Read from raw properties, which may not parse.
   */
  sensitive(raw: RawProperties): Array<string | undefined> {
    const k = ORG_INVITATION.keys;
    const text = (key: string) => (typeof raw[key] === 'string' ? raw[key] as string : undefined);
    const target = text(k.targetId);
    return [text(k.notes), target?.includes('@') ? target : undefined];
  },
  data(data: OrgInvitationData): Record<string, string | boolean> {
    const a = ORG_INVITATION.attributes;
    return {
      [a.handshakeId]: data.handshakeId,
      [a.handshakeArn]: data.handshakeArn,
      [a.handshakeState]: data.handshakeState,
      [a.adopted]: data.adopted,
    };
  },
} as const;

/** `OrgInvitationAccepter`: the invited account accepts the invitation of the expected organization. */
export const ORG_ACCEPTER = {
  keys: { managementAccountId: 'ManagementAccountId', organizationId: ORGANIZATION_ID_KEY, handshakeId: HANDSHAKE_ID_KEY },
  attributes: { handshakeId: HANDSHAKE_ID_KEY, organizationId: ORGANIZATION_ID_KEY, handshakeState: HANDSHAKE_STATE },
  properties(input: OrgExpectation & { readonly waitSeconds: number }): RawProperties {
    const k = ORG_ACCEPTER.keys;
    return defined({
      [k.managementAccountId]: input.managementAccountId,
      [k.organizationId]: input.organizationId,
      [k.handshakeId]: input.handshakeId,
      ...ACCEPTER.properties(input),
    });
  },
  parse(raw: RawProperties): OrgAccepterProps {
    const k = ORG_ACCEPTER.keys;
    const managementAccountId = readExpectation(raw, k.managementAccountId, readOptionalAccountId);
    const organizationId = readExpectation(raw, k.organizationId, (r, key) => readOptionalPattern(r, key, ORGANIZATION_ID,
      'an organization ID like o-exampleorgid (o- and 10 to 32 lowercase letters or digits)'));
    if (managementAccountId === undefined && organizationId === undefined) {
      throw new PropertyError(`${k.managementAccountId} or ${k.organizationId} is required: say which organization this account expects to join.`);
    }
    const handshakeId = readExpectation(raw, k.handshakeId, (r, key) => readOptionalPattern(r, key, HANDSHAKE_ID,
      'a handshake ID like h-examplehandshakeid (h- and 8 to 32 lowercase letters or digits)'));
    return { managementAccountId, organizationId, handshakeId, ...ACCEPTER.parse(raw) };
  },
  data(data: OrgAccepterData): Record<string, string> {
    const a = ORG_ACCEPTER.attributes;
    return { [a.handshakeId]: data.handshakeId, [a.organizationId]: data.organizationId, [a.handshakeState]: data.handshakeState };
  },
} as const;
