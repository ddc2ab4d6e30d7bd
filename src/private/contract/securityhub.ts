/**
 * The construct-handler contracts of AWS Security Hub: `SecurityHubInvitations` (administrator side) and
 * `SecurityHubInvitationAccepter` (member side). The constructs build their custom resource's properties with
 * `properties()` and read attributes by `attributes`; the handlers parse with `parse()` and answer with `data()`.
 */
import { PropertyError, RawProperties, RemovalMode } from './read';
import { ACCEPTANCE, ADMINISTRATOR_ACCEPTER, ADMINISTRATOR_ACCOUNT_ID, AdministratorAccepterProps, MEMBER_LIST, REMOVAL } from './shared';
import { EMAIL, maskEmail } from '../patterns';

// ---------------------------------------------------------------------------------------------------------------
// SecurityHubInvitations (the administrator side)
// ---------------------------------------------------------------------------------------------------------------

/** An account to make a member of the administrator's Security Hub and to invite. */
export interface SecurityHubMemberSpec {
  readonly accountId: string;
  /** CreateMembers' optional email. Never logged. */
  readonly email?: string;
}

/** What the Security Hub inviter's handler works with. */
export interface SecurityHubInviterProps {
  readonly members: readonly SecurityHubMemberSpec[];
  /** DESTROY: members this resource made and that leave the list (all of them on delete) are disassociated and deleted. */
  readonly removalPolicy: RemovalMode;
  /** `acceptance`: the role assumed in each member account to accept there. */
  readonly acceptRoleName?: string;
}

/** The Security Hub inviter's attributes: counts only (1,000 account IDs would not fit in 4,096 bytes of Data). */
export interface SecurityHubInviterData {
  readonly memberCount: number;
  readonly createdCount: number;
  readonly invitedCount: number;
  readonly adoptedCount: number;
  readonly removedCount: number;
  readonly retainedCount: number;
  /** With `acceptance`: the members accepted (now or before). */
  readonly acceptedCount?: number;
}

const { key: MEMBERS, accountIdKey: MEMBER_ACCOUNT_ID, emailKey: MEMBER_EMAIL } = MEMBER_LIST;

/** An administrator account can manage at most 1,000 members by invitation per Region (Security Hub User Guide). */
const MAX_MEMBERS = 1000;

const INVITER_ATTRIBUTES = {
  memberCount: 'MemberCount',
  createdCount: 'CreatedCount',
  invitedCount: 'InvitedCount',
  adoptedCount: 'AdoptedCount',
  removedCount: 'RemovedCount',
  retainedCount: 'RetainedCount',
  acceptedCount: 'AcceptedCount',
} as const satisfies Record<keyof SecurityHubInviterData, string>;


/** The Security Hub inviter's contract (`SecurityHubInvitations`, custom resource `Custom::SecurityHubInvitations`). */
export const SECURITYHUB_INVITATIONS = {
  keys: { members: MEMBERS, memberAccountId: MEMBER_ACCOUNT_ID, memberEmail: MEMBER_EMAIL },
  attributes: INVITER_ATTRIBUTES,
  maxMembers: MAX_MEMBERS,

  properties(input: Omit<SecurityHubInviterProps, 'acceptRoleName'>): RawProperties {
    return {
      [MEMBERS]: input.members.map((m) => ({
        [MEMBER_ACCOUNT_ID]: m.accountId,
        ...(m.email === undefined ? {} : { [MEMBER_EMAIL]: m.email }),
      })),
      ...REMOVAL.properties(input.removalPolicy),
      // the acceptance role's name: `bindAcceptance` (src/private/acceptance.ts) adds it
    };
  },

  parse(raw: RawProperties): SecurityHubInviterProps {
    const given = raw[MEMBERS];
    if (Array.isArray(given) && given.length > MAX_MEMBERS) {
      throw new PropertyError(`${MEMBERS} lists ${given.length} accounts; a Security Hub administrator can manage at most ${MAX_MEMBERS} by invitation.`);
    }
    const { list, accountIds } = MEMBER_LIST.readAccountIds(raw);
    const members = accountIds.map((accountId, i): SecurityHubMemberSpec => {
      const email = MEMBER_LIST.field(list[i], MEMBER_EMAIL);
      if (email === undefined || email === null || email === '') return { accountId };
      if (typeof email !== 'string' || !EMAIL.test(email)) {
        const shown = typeof email === 'string' ? maskEmail(email) : JSON.stringify(email);
        throw new PropertyError(`${MEMBERS}[${i}].${MEMBER_EMAIL} (account ${accountId}) must be an email address, got ${shown}.`);
      }
      return { accountId, email };
    });
    const acceptRoleName = ACCEPTANCE.parse(raw);
    return { members, removalPolicy: REMOVAL.parse(raw), ...(acceptRoleName !== undefined ? { acceptRoleName } : {}) };
  },

  /** Old properties that do not parse as a whole: the member account IDs alone, so that removed accounts still go. */
  parseOld(raw: RawProperties): SecurityHubInviterProps {
    const { accountIds } = MEMBER_LIST.readAccountIds(raw);
    return { members: accountIds.map((accountId) => ({ accountId })), removalPolicy: 'DESTROY' };
  },

  /** The members' emails: scrubbed from every log line and Reason. Reads what it can. */
  sensitive(raw: RawProperties): string[] {
    const list = raw[MEMBERS];
    const emails = Array.isArray(list) ? list.map((entry) => MEMBER_LIST.field(entry, MEMBER_EMAIL)) : [];
    return emails.filter((value): value is string => typeof value === 'string' && value !== '');
  },

  data(data: SecurityHubInviterData): Record<string, number> {
    const out: Record<string, number> = {};
    for (const field of Object.keys(INVITER_ATTRIBUTES) as Array<keyof SecurityHubInviterData>) {
      const value = data[field];
      if (value !== undefined) out[INVITER_ATTRIBUTES[field]] = value;
    }
    return out;
  },
} as const;

// ---------------------------------------------------------------------------------------------------------------
// SecurityHubInvitationAccepter (the member side)
// ---------------------------------------------------------------------------------------------------------------

/** What the Security Hub accepter's handler works with. */
export type SecurityHubAccepterProps = AdministratorAccepterProps;

/** The Security Hub accepter's attributes (never empty strings: an output of an empty value fails the deploy). */
export interface SecurityHubAccepterData {
  readonly invitationId: string;
  readonly memberStatus: string;
  readonly administratorAccountId: string;
}


/** The Security Hub accepter's contract (`SecurityHubInvitationAccepter`, `Custom::SecurityHubInvitationAccepter`). */
export const SECURITYHUB_ACCEPTER = {
  ...ADMINISTRATOR_ACCEPTER,
  attributes: {
    invitationId: 'InvitationId',
    memberStatus: 'MemberStatus',
    administratorAccountId: ADMINISTRATOR_ACCOUNT_ID,
  },
  data(data: SecurityHubAccepterData): Record<string, string> {
    const a = SECURITYHUB_ACCEPTER.attributes;
    return {
      [a.invitationId]: data.invitationId,
      [a.memberStatus]: data.memberStatus,
      [a.administratorAccountId]: data.administratorAccountId,
    };
  },
} as const;
