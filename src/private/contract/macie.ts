/**
 * The construct-handler contracts of Amazon Macie: `MacieInvitations` (administrator side) and
 * `MacieInvitationAccepter` (member side). The constructs build their custom resource's properties with
 * `properties()` and read attributes by `attributes`; the handlers parse with `parse()` and answer with `data()`.
 */
import { PropertyError, RawProperties, RemovalMode, readBoolean, readOptionalString } from './read';
import { ACCEPTANCE, ADMINISTRATOR_ACCEPTER, ADMINISTRATOR_ACCOUNT_ID, AdministratorAccepterProps, MEMBER_LIST, REMOVAL } from './shared';
import { EMAIL, characterLength, maskEmail } from '../patterns';

// ---------------------------------------------------------------------------------------------------------------
// MacieInvitations (the administrator side)
// ---------------------------------------------------------------------------------------------------------------

/** An account to make a member of the administrator's Macie and to invite. */
export interface MacieMemberSpec {
  readonly accountId: string;
  /** Where the invitation goes. Never logged. */
  readonly email: string;
}

/** What the Macie inviter's handler works with. */
export interface MacieInviterProps {
  readonly members: readonly MacieMemberSpec[];
  /** Text of the invitation email. Never logged. */
  readonly message?: string;
  readonly disableEmailNotification: boolean;
  /** DESTROY: members removed from the list (and all of them on delete) are disassociated and deleted. RETAIN: never. */
  readonly removalPolicy: RemovalMode;
  /** `acceptance`: the role assumed in each member account to accept there. */
  readonly acceptRoleName?: string;
}

/**
 * The Macie inviter's attributes: counts only, because 1,000 account IDs would not fit in the 4,096 bytes of a
 * custom resource's Data (the construct knows the account IDs at synth time).
 */
export interface MacieInviterData {
  readonly memberCount: number;
  readonly createdCount: number;
  readonly invitedCount: number;
  readonly adoptedCount: number;
  readonly recreatedCount: number;
  readonly organizationManagedCount: number;
  readonly removedCount: number;
  readonly retainedCount: number;
  /** With `acceptance`: the members accepted (now or before). */
  readonly acceptedCount?: number;
  /** With `acceptance`: of the accepted members, those whose relationship is Enabled. */
  readonly enabledCount?: number;
}

const { key: MEMBERS, accountIdKey: MEMBER_ACCOUNT_ID, emailKey: MEMBER_EMAIL } = MEMBER_LIST;
const MESSAGE = 'Message';
const DISABLE_EMAIL_NOTIFICATION = 'DisableEmailNotification';

/** An administrator account can manage at most 1,000 members by invitation. */
const MAX_MEMBERS = 1000;
/** CreateInvitations' message: "as many as 80 alphanumeric characters", counted in code points. */
const MAX_MESSAGE_LENGTH = 80;
/** The message is one line of text: control characters (line breaks, tabs, ...) are refused. */
const CONTROL_CHARACTERS = /\p{Cc}/u;

const INVITER_ATTRIBUTES = {
  memberCount: 'MemberCount',
  createdCount: 'CreatedCount',
  invitedCount: 'InvitedCount',
  adoptedCount: 'AdoptedCount',
  recreatedCount: 'RecreatedCount',
  organizationManagedCount: 'OrganizationManagedCount',
  removedCount: 'RemovedCount',
  retainedCount: 'RetainedCount',
  acceptedCount: 'AcceptedCount',
  enabledCount: 'EnabledCount',
} as const satisfies Record<keyof MacieInviterData, string>;


/** The Macie inviter's contract (`MacieInvitations`, custom resource `Custom::MacieInvitations`). */
export const MACIE_INVITATIONS = {
  keys: {
    members: MEMBERS,
    memberAccountId: MEMBER_ACCOUNT_ID,
    memberEmail: MEMBER_EMAIL,
    message: MESSAGE,
    disableEmailNotification: DISABLE_EMAIL_NOTIFICATION,
  },
  attributes: INVITER_ATTRIBUTES,
  maxMembers: MAX_MEMBERS,
  maxMessageLength: MAX_MESSAGE_LENGTH,
  /** Matches a message that is not one line of text. */
  controlCharacters: CONTROL_CHARACTERS,

  properties(input: Omit<MacieInviterProps, 'acceptRoleName'>): RawProperties {
    return {
      [MEMBERS]: input.members.map((m) => ({ [MEMBER_ACCOUNT_ID]: m.accountId, [MEMBER_EMAIL]: m.email })),
      ...(input.message === undefined ? {} : { [MESSAGE]: input.message }),
      [DISABLE_EMAIL_NOTIFICATION]: input.disableEmailNotification,
      ...REMOVAL.properties(input.removalPolicy),
      // the acceptance role's name: `bindAcceptance` (src/private/acceptance.ts) adds it, with the grant it needs
    };
  },

  parse(raw: RawProperties): MacieInviterProps {
    const given = raw[MEMBERS];
    if (Array.isArray(given) && given.length > MAX_MEMBERS) {
      throw new PropertyError(`${MEMBERS} lists ${given.length} accounts; a Macie administrator can manage at most ${MAX_MEMBERS} by invitation.`);
    }
    const { list, accountIds } = MEMBER_LIST.readAccountIds(raw);
    const members = accountIds.map((accountId, i): MacieMemberSpec => {
      const email = MEMBER_LIST.field(list[i], MEMBER_EMAIL);
      if (typeof email !== 'string' || !EMAIL.test(email)) {
        const shown = typeof email === 'string' ? maskEmail(email) : JSON.stringify(email);
        throw new PropertyError(`${MEMBERS}[${i}].${MEMBER_EMAIL} (account ${accountId}) must be an email address, got ${shown}.`);
      }
      return { accountId, email };
    });
    const message = readOptionalString(raw, MESSAGE);
    if (message !== undefined && (characterLength(message) > MAX_MESSAGE_LENGTH || CONTROL_CHARACTERS.test(message))) {
      throw new PropertyError(`${MESSAGE} must be at most ${MAX_MESSAGE_LENGTH} characters on one line, got ${characterLength(message)} characters.`);
    }
    const acceptRoleName = ACCEPTANCE.parse(raw);
    return {
      members,
      message,
      disableEmailNotification: readBoolean(raw, DISABLE_EMAIL_NOTIFICATION, false),
      removalPolicy: REMOVAL.parse(raw),
      ...(acceptRoleName !== undefined ? { acceptRoleName } : {}),
    };
  },

  /**
   * Old properties that do not parse as a whole (an older version's looser validation): the member account IDs
   * alone, so that removed accounts are still removed. Emails are kept as given ('' when not a string: they only
   * decide whether a pending member is recreated, compared with Macie's own record); the rest is defaulted (the
   * removal policy of an update is the new properties').
   */
  parseOld(raw: RawProperties): MacieInviterProps {
    const { list, accountIds } = MEMBER_LIST.readAccountIds(raw);
    const members = accountIds.map((accountId, i): MacieMemberSpec => {
      const email = MEMBER_LIST.field(list[i], MEMBER_EMAIL);
      return { accountId, email: typeof email === 'string' ? email : '' };
    });
    return { members, disableEmailNotification: false, removalPolicy: 'DESTROY' };
  },

  /**
   * The sensitive inputs among raw properties (the handler's `Lifecycle.sensitive`): the invitation message and the
   * members' emails (masked anyway), scrubbed from every log line and Reason because AWS error texts can echo them.
   * Reads what it can: properties that do not parse are scrubbed too.
   */
  sensitive(raw: RawProperties): string[] {
    const list = raw[MEMBERS];
    const emails = Array.isArray(list) ? list.map((entry) => MEMBER_LIST.field(entry, MEMBER_EMAIL)) : [];
    return [raw[MESSAGE], ...emails].filter((value): value is string => typeof value === 'string');
  },

  data(data: MacieInviterData): Record<string, number> {
    const out: Record<string, number> = {};
    for (const field of Object.keys(INVITER_ATTRIBUTES) as Array<keyof MacieInviterData>) {
      const value = data[field];
      if (value !== undefined) out[INVITER_ATTRIBUTES[field]] = value;
    }
    return out;
  },
} as const;

// ---------------------------------------------------------------------------------------------------------------
// MacieInvitationAccepter (the member side)
// ---------------------------------------------------------------------------------------------------------------

/** What the Macie accepter's handler works with. */
export type MacieAccepterProps = AdministratorAccepterProps;

/** The Macie accepter's attributes (never empty strings: an output of an empty value fails the deploy). */
export interface MacieAccepterData {
  readonly invitationId: string;
  readonly relationshipStatus: string;
  readonly administratorAccountId: string;
}


/** The Macie accepter's contract (`MacieInvitationAccepter`, custom resource `Custom::MacieInvitationAccepter`). */
export const MACIE_ACCEPTER = {
  ...ADMINISTRATOR_ACCEPTER,
  attributes: {
    invitationId: 'InvitationId',
    relationshipStatus: 'RelationshipStatus',
    administratorAccountId: ADMINISTRATOR_ACCOUNT_ID,
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
