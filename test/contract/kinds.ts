/**
 * The per-kind rows of the contract suites (`accepter.contract.test.ts`, `inviter.contract.test.ts`,
 * `faults.contract.test.ts`): one row per service of the registry (`src/private/handlers.ts`), which covers its
 * inviter and its accepter. A row says how to declare the service's constructs in a CDK app, how to make the
 * inviter's side exist on the emulator, and how to read what the emulator holds for the invited account. The suites
 * never write a wire key: they synthesize the constructs (`synthesize`), send the synthesized `Properties` to the
 * shipped bundles as CloudFormation would (scalars as strings, intrinsics resolved) and read the attributes by the
 * names the construct reads (`Fn::GetAtt`).
 *
 * Adding a kind: one row here (its service's constructs, emulator hooks and operations); the suites then run every
 * scenario for it.
 */
import { DetectiveClient, CreateMembersCommand, DeleteMembersCommand, GetMembersCommand } from '@aws-sdk/client-detective';
import { RAMClient, CreateResourceShareCommand, DeleteResourceShareCommand } from '@aws-sdk/client-ram';
import { App, CfnOutput, CfnParameter, Duration, Fn, Stack, aws_detective as detective } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ram from 'aws-cdk-lib/aws-ram';
import { parseLinkPhysicalId } from '../../lambda/workspaces/inviter/record';
import {
  Acceptance,
  DetectiveInvitationAccepter,
  InvitationTarget,
  MacieInvitations,
  OrgInvitation,
  ResourceShareAccepter,
  SecurityHubInvitations,
  WorkSpacesAccountLink,
} from '../../src';
import { HANDLER_NAMES, HandlerName, HANDLERS } from '../../src/private/handlers';
import { credentialsFor, operationKey, type Emulator } from '../emulator/emulator';
import type { ServiceName } from '../emulator/models';
import type { FinalState } from '../integ/cfn';

/** The inviting account: the emulator's default account (management account, Macie administrator, WorkSpaces source). */
export const INVITER = '111111111111';
/** The invited account, where the accepter's stack lives. */
export const MEMBER = '222222222222';
/** A second invited account, for the inviters' target changes. */
export const SECOND_MEMBER = '333333333333';
/** Another inviting account (another organization's management account, another administrator or source). */
export const OTHER_INVITER = '444444444444';
export const REGION = 'us-east-1';

/** What one custom resource of a synthesized template says, and what CloudFormation would send its handler. */
export interface Synthesized {
  /** The handler of the resource (from its Type, by the registry); none for CloudFormation's own inviting resource. */
  readonly handler?: HandlerName;
  readonly logicalId: string;
  /** The resource's Properties as the template holds them (intrinsics unresolved), without ServiceToken. */
  readonly templateProps: Record<string, unknown>;
  /** What CloudFormation sends the handler: intrinsics resolved, every scalar a string, without ServiceToken. */
  readonly props: Record<string, unknown>;
  /** The attribute names the construct reads from the resource (every `Fn::GetAtt` of it in the template), sorted. */
  readonly attributes: readonly string[];
}

/** One CDK app: the inviting stack (its inviter construct) and, when declared, the member stack with `acceptIn`. */
export interface SynthesizedApp {
  readonly inviter: Synthesized;
  /** The accepter `acceptIn` declared in the member stack (none when a target is a token). */
  readonly accepter?: Synthesized;
}

export interface AppOptions {
  /** The inviting stack's account. Default INVITER. */
  readonly inviter?: string;
  /** The invited accounts. Default [MEMBER]. */
  readonly targets?: readonly string[];
  /** The accepter's `waitTimeout` in seconds (`acceptIn` option). Default: the construct's default. */
  readonly waitSeconds?: number;
  /** The inviter's `acceptance` (a role in the invited account). */
  readonly acceptRole?: string;
  /**
   * The first target comes from a `CfnParameter` named `Target` or from `Fn::ImportValue('Shared-Target')` (both
   * resolve to the first of `targets` on the wire); then no accepter is declared.
   */
  readonly targetFrom?: 'parameter' | 'import';
  /** The largest inputs the inviter takes besides its targets (notes, tags, message): the response-size scenario. */
  readonly large?: boolean;
}


/** A service's inviter and accepter, as the suites drive them. */
export interface KindRow {
  /**
   * The end of the accepter's failure Reason (regular expression source) when nothing arrived, and when only ended
   * invitations were seen, where the kind says more than the shared hints (RAM: share again).
   */
  readonly accepterHints?: { readonly notArrived: string; readonly ended: string };
  /** The registry's service (`HandlerEntry.service`). */
  readonly service: string;
  /** The inviter construct's class name, for the test titles. */
  readonly title: string;
  /**
   * Declares the inviter of `targets` in `stack` and (when `member` is given) its accepter in `member` through
   * `acceptIn`. Returns the attribute tokens the constructs expose, so that the template names every attribute
   * the construct reads.
   */
  readonly declare: (stack: Stack, targets: readonly string[], options: AppOptions, member?: Stack) => {
    readonly inviterAttributes: readonly string[];
    readonly accepterAttributes: readonly string[];
  };
  /**
   * The inviting side when CloudFormation's own resource invites (`AWS::Detective::MemberInvitation`): the suites
   * play its handler's calls instead of running an inviter bundle, and the inviter-only suites skip the row. Absent:
   * the row's inviter is a construct of this library with its registered handler.
   */
  readonly cloudFormationInviter?: CloudFormationInviter;
  /**
   * Whether the invited account still sees an invitation once it ended (declined, removed): then the wait names its
   * state. Detective lists none: an ended invitation is gone, and the wait ends saying none arrived.
   */
  readonly endedVisible: boolean;
  /** Sets up the emulator for an invited account (e.g. Macie enabled there). */
  readonly prepareMember: (emulator: Emulator, account: string) => void;
  /** Makes `account` an inviter besides INVITER (another organization, another Macie administrator). */
  readonly prepareInviter: (emulator: Emulator, account: string) => void;
  /** Whether `member` is associated with `inviter` (in its organization, an Enabled member, a LINKED link). */
  readonly isMember: (emulator: Emulator, member: string, inviter?: string) => boolean;
  /** The accounts with a pending invitation from `inviter` (an open handshake, an Invited member, a pending link), sorted. */
  readonly pendingTargets: (emulator: Emulator, inviter?: string) => string[];
  /**
   * The leak check's expectation for INVITER's side as the emulator holds it now, once `pendingTargets` and
   * `isMember` were asserted: the suites compare the targets, the leak check the rest (validation errors, crashes).
   */
  readonly finalState: (emulator: Emulator) => FinalState;
  /** The service name of `Emulator.setInvitationDelay`. */
  readonly delayService: 'organizations' | 'macie2' | 'workspaces' | 'detective' | 'ram' | 'securityhub';
  /** The invitee's accept operation, and the operation it looks for invitations with. */
  readonly acceptOperation: string;
  readonly lookOperation: string;
  /** The inviter's operation that sends the invitation. */
  readonly inviteOperation: string;
  /** The first call of the inviter's Create (a delay there cuts off a Create before it sends anything). */
  readonly firstCreateOperation: string;
  /**
   * How many invitations INVITER holds, pending or not (handshakes, members, account links): a duplicate would be
   * one more.
   */
  readonly invitations: (emulator: Emulator) => number;
  /**
   * Ends INVITER's pending invitation to MEMBER without the accepter: the inviter's Delete, the administrator's
   * removal, or the invited account's refusal.
   */
  readonly endInvitation: (ends: InvitationEnds) => Promise<void>;
  /**
   * Ends MEMBER's association with `inviter` from outside the stacks (it leaves the organization, the administrator
   * removes it); undefined when the service cannot end one (a LINKED account link stays), and none is needed to
   * accept another inviter's invitation.
   */
  readonly leave?: (emulator: Emulator, member: string, inviter: string) => void;
  /** Makes the inviter's Create or Update for `target` fail (e.g. the account is in another organization). */
  readonly refuseTarget: (emulator: Emulator, target: string) => void;
  /** Whether a target change replaces the resource (a new physical ID) or updates it in place. */
  readonly targetChange: 'replace' | 'in place';
  /** The inviter's operations that remove an invitation (a Delete that keeps one makes none of them). */
  readonly removeOperations: readonly string[];
  /**
   * A Delete keeps an invitation the resource adopted (another stack's, or one a renamed construct's old logical ID
   * made): its physical ID records that it did not make it (WorkSpaces). Otherwise a Delete removes the target's open
   * invitation whoever opened it (Organizations handshakes, Macie members: their rules are the target's).
   */
  readonly deleteKeepsAdopted: boolean;
  /**
   * A Delete after a Create that did not finish (cut off at the deadline, canceled by CloudFormation) keeps the
   * pending invitation: nothing shows which Create made it. Otherwise it removes what that Create made.
   */
  readonly unfinishedCreateKeeps: boolean;
  /** The accepter's Delete can remove the membership (DESTROY), so its removal policy matters. */
  readonly accepterCanLeave: boolean;
  /** The operations of the fault matrix, by side. */
  readonly operations: { readonly inviter: readonly Operation[]; readonly accepter: readonly Operation[] };
}

/**
 * CloudFormation's own inviting resource, played: the calls its handler makes, as the inviting account, with the
 * synthesized properties (intrinsics resolved).
 */
export interface CloudFormationInviter {
  /** The resource type, e.g. `AWS::Detective::MemberInvitation`. */
  readonly resourceType: string;
  /** The Create in `account` (props as the template holds them): returns the physical ID; throws what the handler would fail with. */
  readonly create: (emulator: Emulator, account: string, props: Record<string, unknown>, logicalId: string) => Promise<string>;
  /** The Delete of `physicalId`. */
  readonly delete: (emulator: Emulator, account: string, physicalId: string, props: Record<string, unknown>) => Promise<void>;
}

/** What `endInvitation` works with. */
export interface InvitationEnds {
  readonly emulator: Emulator;
  /** The inviter's Create answer (its physical ID names the invitation for Organizations and WorkSpaces). */
  readonly invited: { readonly PhysicalResourceId: string };
  /** Deletes the inviter's resource (the inviting stack removes it). */
  readonly deleteInviter: () => Promise<void>;
}

/** An AWS operation a handler calls, and when. */
export interface Operation {
  readonly name: string;
  /** The IAM action that allows it. */
  readonly action: string;
  /** Which request calls it: the Create, or the Delete that follows a successful Create. */
  readonly during: 'Create' | 'Delete';
  /** It changes something (invites, accepts, removes): a call whose answers are all lost may still have taken effect. */
  readonly changes: boolean;
}

/** `name`: the emulator's key of the operation (`operationKey`: `ListMembers` for Macie, `securityhub:ListMembers`). */
const op = (action: string, during: Operation['during'] = 'Create', changes = false): Operation => {
  const [prefix, name] = action.split(':');
  return { name: operationKey(prefix as ServiceName, name), action, during, changes };
};
const change = (action: string, during: Operation['during'] = 'Create'): Operation => op(action, during, true);

const email = (account: string) => `owner-${account}@example.com`;

const ORGANIZATIONS: KindRow = {
  service: 'organizations',
  endedVisible: true,
  title: 'OrgInvitation',
  declare: (stack, targets, options, member) => {
    const invitation = new OrgInvitation(stack, 'Invitation', {
      target: InvitationTarget.account(targets[0]),
      notes: options.large ? 'n'.repeat(1024) : undefined,
      accountTags: options.large ? Object.fromEntries([...Array(50).keys()].map((i) => [`key-${i}-${'k'.repeat(100)}`, 'v'.repeat(256)])) : undefined,
      acceptance: options.acceptRole ? Acceptance.assumeRole(options.acceptRole) : undefined,
    });
    const accepter = member && invitation.acceptIn(member, { waitTimeout: wait(options) });
    return {
      inviterAttributes: [invitation.handshakeId, invitation.handshakeArn, invitation.handshakeState],
      accepterAttributes: accepter ? [accepter.handshakeId, accepter.joinedOrganizationId, accepter.handshakeState] : [],
    };
  },
  prepareMember: () => undefined,
  prepareInviter: (emulator, account) => {
    emulator.org.createOrganization(account, { organizationId: 'o-anotherorg1' });
  },
  isMember: (emulator, member, inviter = INVITER) => {
    const organization = emulator.org.organizationOf(member);
    return organization !== undefined && organization === emulator.org.organizationOf(inviter);
  },
  pendingTargets: (emulator, inviter = INVITER) => {
    const organization = emulator.org.organizationOf(inviter);
    return emulator.org.openHandshakes()
      .filter((h) => h.Arn?.includes(`/${organization}/`))
      .flatMap((h) => (h.Parties ?? []).filter((p) => p.Type === 'ACCOUNT').map((p) => p.Id as string))
      .sort();
  },
  finalState: (emulator) => ({ openHandshakes: emulator.openHandshakes().map((h) => h.Id as string) }),
  delayService: 'organizations',
  acceptOperation: 'AcceptHandshake',
  lookOperation: 'ListHandshakesForAccount',
  inviteOperation: 'InviteAccountToOrganization',
  firstCreateOperation: 'ListHandshakesForOrganization',
  invitations: (emulator) => emulator.org.handshakes(emulator.org.organizationOf(INVITER)).length,
  endInvitation: ({ deleteInviter }) => deleteInviter(),
  leave: (emulator, member) => emulator.org.removeFromOrganization(member),
  refuseTarget: (emulator, target) => emulator.org.markInOtherOrganization(target),
  targetChange: 'replace',
  removeOperations: ['CancelHandshake'],
  deleteKeepsAdopted: false,
  unfinishedCreateKeeps: false,
  accepterCanLeave: false,
  operations: {
    inviter: [
      op('organizations:ListHandshakesForOrganization'),
      change('organizations:InviteAccountToOrganization'),
      change('organizations:CancelHandshake', 'Delete'),
    ],
    accepter: [
      op('organizations:DescribeOrganization'),
      op('organizations:ListHandshakesForAccount'),
      change('organizations:AcceptHandshake'),
    ],
  },
};

const MACIE: KindRow = {
  service: 'macie',
  endedVisible: true,
  title: 'MacieInvitations',
  declare: (stack, targets, options, member) => {
    const invitations = new MacieInvitations(stack, 'Invitation', {
      members: targets.map((accountId) => ({ accountId, email: isToken(accountId) ? 'owner@example.com' : email(accountId) })),
      message: options.large ? 'm'.repeat(80) : undefined,
      acceptance: options.acceptRole ? Acceptance.assumeRole(options.acceptRole) : undefined,
    });
    const accepter = member && invitations.acceptIn(member, { waitTimeout: wait(options) });
    return {
      inviterAttributes: [],
      accepterAttributes: accepter ? [accepter.invitationId, accepter.relationshipStatus] : [],
    };
  },
  prepareMember: (emulator, account) => emulator.macie.enable(account),
  prepareInviter: (emulator, account) => emulator.macie.enable(account),
  isMember: (emulator, member, inviter = INVITER) => (emulator.macie.membersByStatus(inviter).Enabled ?? []).includes(member),
  pendingTargets: (emulator, inviter = INVITER) => [...(emulator.macie.membersByStatus(inviter).Invited ?? [])].sort(),
  finalState: (emulator) => ({ macieMembers: emulator.macie.membersByStatus() }),
  delayService: 'macie2',
  acceptOperation: 'AcceptInvitation',
  lookOperation: 'ListInvitations',
  inviteOperation: 'CreateInvitations',
  firstCreateOperation: 'ListMembers',
  // one member per account: an invitation sent again replaces the pending one
  invitations: (emulator) => emulator.macie.members(INVITER).length,
  endInvitation: async ({ emulator }) => {
    // the invitee lists ended invitations too (the stricter case): the accepter must tell them from pending ones;
    // the administrator disassociates the member in the console (the inviter's Delete would remove its record)
    emulator.macie.setListEndedInvitations(true);
    emulator.macie.setRelationshipStatus(MEMBER, 'Removed');
  },
  leave: (emulator, member, inviter) => emulator.macie.setRelationshipStatus(member, 'Removed', inviter),
  refuseTarget: (emulator, target) => emulator.macie.failInvitationFor(target, 'ClientError', 'The account is suspended.'),
  targetChange: 'in place',
  removeOperations: ['DisassociateMember', 'DeleteMember'],
  deleteKeepsAdopted: false,
  unfinishedCreateKeeps: false,
  accepterCanLeave: true,
  operations: {
    inviter: [
      op('macie2:ListMembers'),
      change('macie2:CreateMember'),
      change('macie2:CreateInvitations'),
      change('macie2:DisassociateMember', 'Delete'),
      change('macie2:DeleteMember', 'Delete'),
    ],
    accepter: [
      op('macie2:GetMacieSession'),
      op('macie2:GetAdministratorAccount'),
      op('macie2:ListInvitations'),
      change('macie2:AcceptInvitation'),
    ],
  },
};

/** The link a WorkSpacesAccountLink's physical ID records. */
const linkOf = (physicalId: string): string => parseLinkPhysicalId(physicalId)?.linkId ?? physicalId;

const WORKSPACES: KindRow = {
  service: 'workspaces',
  endedVisible: true,
  title: 'WorkSpacesAccountLink',
  declare: (stack, targets, options, member) => {
    const link = new WorkSpacesAccountLink(stack, 'Invitation', {
      targetAccountId: targets[0],
      acceptance: options.acceptRole ? Acceptance.assumeRole(options.acceptRole) : undefined,
    });
    const accepter = member && link.acceptIn(member, { waitTimeout: wait(options) });
    return {
      inviterAttributes: [link.accountLinkId, link.accountLinkStatus],
      accepterAttributes: accepter ? [accepter.accountLinkId, accepter.accountLinkStatus] : [],
    };
  },
  prepareMember: () => undefined,
  prepareInviter: () => undefined,
  isMember: (emulator, member, inviter = INVITER) => emulator.workspaces.links()
    .some((l) => l.SourceAccountId === inviter && l.TargetAccountId === member && l.AccountLinkStatus === 'LINKED'),
  pendingTargets: (emulator, inviter = INVITER) => emulator.workspaces.pendingLinks()
    .filter((l) => l.SourceAccountId === inviter)
    .map((l) => l.TargetAccountId as string)
    .sort(),
  finalState: (emulator) => ({ pendingLinks: emulator.workspaces.pendingLinks().map((l) => l.AccountLinkId as string) }),
  delayService: 'workspaces',
  acceptOperation: 'AcceptAccountLinkInvitation',
  lookOperation: 'ListAccountLinks',
  inviteOperation: 'CreateAccountLinkInvitation',
  firstCreateOperation: 'CreateAccountLinkInvitation',
  invitations: (emulator) => emulator.workspaces.links().filter((l) => l.SourceAccountId === INVITER).length,
  // the source cannot end a pending link but by deleting it (then it is gone, not ended): the target refuses it
  endInvitation: async ({ emulator, invited }) => emulator.workspaces.reject(linkOf(invited.PhysicalResourceId)),
  refuseTarget: (emulator, target) => emulator.workspaces.markOutsideOrganization(target),
  targetChange: 'replace',
  removeOperations: ['DeleteAccountLinkInvitation'],
  deleteKeepsAdopted: true,
  unfinishedCreateKeeps: true,
  accepterCanLeave: false,
  operations: {
    inviter: [
      change('workspaces:CreateAccountLinkInvitation'),
      op('workspaces:GetAccountLink', 'Delete'),
      change('workspaces:DeleteAccountLinkInvitation', 'Delete'),
    ],
    accepter: [
      op('workspaces:ListAccountLinks'),
      change('workspaces:AcceptAccountLinkInvitation'),
    ],
  },
};

/** The graph ID of `account`'s behavior graph in the suites: the account ID, padded to 32 hex digits. */
export const graphIdOf = (account: string) => `${account}${'0'.repeat(20)}`;
export const graphArnOf = (account: string) => `arn:aws:detective:${REGION}:${account}:graph:${graphIdOf(account)}`;

/** A Detective client of `account` against the emulator, as CloudFormation's handler in that account would call. */
function detectiveOf(emulator: Emulator, account: string): DetectiveClient {
  return new DetectiveClient({ endpoint: emulator.url, region: REGION, credentials: credentialsFor(account) });
}

/**
 * `AWS::Detective::MemberInvitation` as its CloudFormation handler calls Detective (cfn-lint schema handlers: create
 * CreateMembers + GetMembers, delete DeleteMembers; physical ID GraphArn|MemberId).
 */
export const DETECTIVE_MEMBER_INVITATION: CloudFormationInviter = {
  resourceType: 'AWS::Detective::MemberInvitation',
  create: async (emulator, account, props) => {
    const client = detectiveOf(emulator, account);
    try {
      const GraphArn = String(props.GraphArn);
      const AccountId = String(props.MemberId);
      const created = await client.send(new CreateMembersCommand({
        GraphArn,
        Accounts: [{ AccountId, EmailAddress: String(props.MemberEmailAddress) }],
        ...(props.Message === undefined ? {} : { Message: String(props.Message) }),
        ...(props.DisableEmailNotification === undefined ? {} : { DisableEmailNotification: props.DisableEmailNotification === 'true' }),
      }));
      const unprocessed = created.UnprocessedAccounts?.find((u) => u.AccountId === AccountId);
      if (unprocessed) throw new Error(`CreateMembers: ${unprocessed.Reason}`);
      const got = await client.send(new GetMembersCommand({ GraphArn, AccountIds: [AccountId] }));
      if (got.MemberDetails?.[0]?.Status === 'VERIFICATION_FAILED') throw new Error('The member account failed verification.');
      return `${GraphArn}|${AccountId}`;
    } finally {
      client.destroy();
    }
  },
  delete: async (emulator, account, _physicalId, props) => {
    const client = detectiveOf(emulator, account);
    try {
      await client.send(new DeleteMembersCommand({ GraphArn: String(props.GraphArn), AccountIds: [String(props.MemberId)] }));
    } finally {
      client.destroy();
    }
  },
};

/** The share every RAM row's stack declares (the accepter expects it by owner and name, as `acceptShare` does). */
const SHARE_NAME = 'contract-share';

/** CloudFormation's AWS::RAM::ResourceShare handler, as far as the accepter meets it: it creates and deletes the share. */
export const RESOURCE_SHARE: CloudFormationInviter = {
  resourceType: 'AWS::RAM::ResourceShare',
  create: async (emulator, account, properties, logicalId) => {
    const client = new RAMClient({ endpoint: emulator.url, region: REGION, credentials: credentialsFor(account) });
    try {
      const { resourceShare } = await client.send(new CreateResourceShareCommand({
        name: properties.Name as string,
        principals: properties.Principals as string[],
        allowExternalPrincipals: properties.AllowExternalPrincipals === undefined ? undefined : properties.AllowExternalPrincipals === 'true',
        // CloudFormation's token: one per resource and request, so a second resource makes a second share
        clientToken: `${account}-${logicalId}-${emulator.requests.length}`,
      }));
      return resourceShare!.resourceShareArn!;
    } finally {
      client.destroy();
    }
  },
  delete: async (emulator, account, physicalId) => {
    const client = new RAMClient({ endpoint: emulator.url, region: REGION, credentials: credentialsFor(account) });
    try {
      await client.send(new DeleteResourceShareCommand({ resourceShareArn: physicalId }));
    } finally {
      client.destroy();
    }
  },
};

const ACCEPTED_DETECTIVE: readonly string[] = ['ENABLED', 'ACCEPTED_BUT_DISABLED'];

const DETECTIVE: KindRow = {
  service: 'detective',
  title: 'CfnMemberInvitation (Detective)',
  deleteKeepsAdopted: false,
  endedVisible: false,
  declare: (stack, targets, options, member) => {
    const invitation = new detective.CfnMemberInvitation(stack, 'Invitation', {
      graphArn: graphArnOf(stack.account),
      memberId: targets[0],
      memberEmailAddress: isToken(targets[0]) ? 'owner@example.com' : email(targets[0]),
      message: options.large ? 'm'.repeat(1000) : undefined,
    });
    const accepter = member && DetectiveInvitationAccepter.acceptInvitation(invitation, member, { waitTimeout: wait(options) });
    return {
      inviterAttributes: [],
      accepterAttributes: accepter ? [accepter.memberStatus, accepter.disabledReason] : [],
    };
  },
  cloudFormationInviter: DETECTIVE_MEMBER_INVITATION,
  prepareMember: () => undefined,
  prepareInviter: (emulator, account) => void emulator.detective.createGraph(account, graphIdOf(account)),
  isMember: (emulator, member, inviter = INVITER) => ACCEPTED_DETECTIVE.includes(emulator.detective.statusOf(inviter, member) ?? ''),
  // an invitation still verified is pending too: the member will see it INVITED
  pendingTargets: (emulator, inviter = INVITER) => {
    const members = emulator.detective.membersByStatus(inviter);
    return [...(members.INVITED ?? []), ...(members.VERIFICATION_IN_PROGRESS ?? [])].sort();
  },
  finalState: (emulator) => ({ detectiveMembers: emulator.detective.state() }),
  delayService: 'detective',
  acceptOperation: 'detective:AcceptInvitation',
  lookOperation: 'detective:ListInvitations',
  inviteOperation: 'detective:CreateMembers',
  firstCreateOperation: 'detective:CreateMembers',
  invitations: (emulator) => Object.values(emulator.detective.membersByStatus(INVITER)).flat().length,
  // the administrator's stack removes the invitation (DeleteMembers): the member no longer sees it
  endInvitation: ({ deleteInviter }) => deleteInviter(),
  // no `leave`: a member may belong to several graphs, so another graph's invitation is accepted without leaving one
  refuseTarget: (emulator, target) => emulator.detective.failVerificationFor(target),
  targetChange: 'replace',
  removeOperations: ['detective:DeleteMembers'],
  unfinishedCreateKeeps: false,
  accepterCanLeave: true,
  operations: {
    // CloudFormation's own handler invites: not this library's to fault
    inviter: [],
    accepter: [
      op('detective:ListInvitations'),
      change('detective:AcceptInvitation'),
    ],
  },
};

const RAM: KindRow = {
  service: 'ram',
  title: 'CfnResourceShare',
  deleteKeepsAdopted: false,
  cloudFormationInviter: RESOURCE_SHARE,
  endedVisible: true,
  accepterHints: {
    notArrived: 'Add this account to the share\'s principals in owner account \\d{12} .*, or raise waitTimeout; then deploy again\\. ' +
      'Within an AWS Organization with RAM sharing enabled no invitation is sent: the share is adopted once it is ACTIVE for this account\\.',
    ended: 'An EXPIRED invitation .* or a REJECTED one cannot be accepted: the owner account \\d{12} must share again .*, then deploy this stack again\\.',
  },
  declare: (stack, targets, options, member) => {
    const share = new ram.CfnResourceShare(stack, 'Invitation', { name: SHARE_NAME, principals: [...targets] });
    const accepter = member && ResourceShareAccepter.acceptShare(share, member, { waitTimeout: wait(options) });
    return {
      inviterAttributes: [share.attrArn],
      accepterAttributes: accepter ? [accepter.resourceShareArn, accepter.invitationArn, accepter.status] : [],
    };
  },
  prepareMember: () => undefined,
  prepareInviter: () => undefined,
  isMember: (emulator, member, inviter = INVITER) => emulator.ram.state().shares
    .some((s) => s?.owningAccountId === inviter && ['associated', 'organization'].includes(s.principals[member] ?? '')),
  pendingTargets: (emulator, inviter = INVITER) => emulator.ram.allInvitations()
    .filter((i) => i.senderAccountId === inviter && i.status === 'PENDING')
    .map((i) => i.receiverAccountId)
    .sort(),
  // the pending invitations are the suites' pendingTargets: nothing else of RAM's is checked
  finalState: () => ({}),
  delayService: 'ram',
  acceptOperation: 'AcceptResourceShareInvitation',
  lookOperation: 'GetResourceShareInvitations',
  inviteOperation: 'CreateResourceShare',
  firstCreateOperation: 'CreateResourceShare',
  invitations: (emulator) => emulator.ram.allInvitations().filter((i) => i.senderAccountId === INVITER).length,
  // the receiving account rejects it
  endInvitation: async ({ emulator }) => {
    const pending = emulator.ram.allInvitations().filter((i) => i.senderAccountId === INVITER && i.receiverAccountId === MEMBER && i.status === 'PENDING');
    pending.forEach((i) => emulator.ram.reject(i.resourceShareInvitationArn));
  },
  leave: (emulator, member, inviter) => emulator.ram.removePrincipal(inviter, member),
  refuseTarget: () => {
    throw new Error('the inviter suite does not run a row whose inviter is CloudFormation\'s own resource');
  },
  targetChange: 'in place',
  removeOperations: ['DeleteResourceShare'],
  unfinishedCreateKeeps: false,
  accepterCanLeave: true,
  operations: {
    inviter: [],
    accepter: [
      op('ram:GetResourceShareInvitations'),
      op('ram:GetResourceShares'),
      change('ram:AcceptResourceShareInvitation'),
    ],
  },
};

const SECURITYHUB: KindRow = {
  service: 'securityhub',
  title: 'SecurityHubInvitations',
  endedVisible: true,
  declare: (stack, targets, options, member) => {
    const invitations = new SecurityHubInvitations(stack, 'Invitation', {
      // the email is optional: given for the first account only, so that both forms go through the contract
      members: targets.map((accountId, i) => ({ accountId, email: i > 0 ? undefined : isToken(accountId) ? 'owner@example.com' : email(accountId) })),
      acceptance: options.acceptRole ? Acceptance.assumeRole(options.acceptRole) : undefined,
    });
    const accepter = member && invitations.acceptIn(member, { waitTimeout: wait(options) });
    return {
      inviterAttributes: [],
      accepterAttributes: accepter ? [accepter.invitationId, accepter.memberStatus] : [],
    };
  },
  prepareMember: (emulator, account) => emulator.securityhub.enable(account),
  prepareInviter: (emulator, account) => emulator.securityhub.enable(account),
  isMember: (emulator, member, inviter = INVITER) => (emulator.securityhub.membersByStatus(inviter).Enabled ?? []).includes(member),
  pendingTargets: (emulator, inviter = INVITER) => [...(emulator.securityhub.membersByStatus(inviter).Invited ?? [])].sort(),
  finalState: (emulator) => ({ securityHubMembers: emulator.securityhub.membersByStatus() }),
  delayService: 'securityhub',
  acceptOperation: 'securityhub:AcceptAdministratorInvitation',
  lookOperation: 'securityhub:ListInvitations',
  inviteOperation: 'securityhub:InviteMembers',
  firstCreateOperation: 'securityhub:ListMembers',
  // one member per account: an invitation sent again replaces the pending one
  invitations: (emulator) => emulator.securityhub.members(INVITER).length,
  endInvitation: async ({ emulator }) => {
    // the invitee lists ended invitations too (the stricter case); the administrator disassociates the member
    emulator.securityhub.setListEndedInvitations(true);
    emulator.securityhub.setMemberStatus(MEMBER, 'Removed');
  },
  leave: (emulator, member, inviter) => emulator.securityhub.setMemberStatus(member, 'Removed', inviter),
  refuseTarget: (emulator, target) => emulator.securityhub.failInviteFor(target, 'The account is suspended.'),
  targetChange: 'in place',
  removeOperations: ['securityhub:DisassociateMembers', 'securityhub:DeleteMembers'],
  // members carry no evidence of which unfinished Create invited them
  unfinishedCreateKeeps: true,
  accepterCanLeave: true,
  deleteKeepsAdopted: true,
  operations: {
    inviter: [
      op('securityhub:ListMembers'),
      change('securityhub:CreateMembers'),
      change('securityhub:InviteMembers'),
      change('securityhub:DisassociateMembers', 'Delete'),
      change('securityhub:DeleteMembers', 'Delete'),
    ],
    accepter: [
      op('securityhub:DescribeHub'),
      op('securityhub:GetAdministratorAccount'),
      op('securityhub:ListInvitations'),
      change('securityhub:AcceptAdministratorInvitation'),
    ],
  },
};

/** The rows, by the registry's service. */
export const KINDS: readonly KindRow[] = [ORGANIZATIONS, MACIE, WORKSPACES, DETECTIVE, RAM, SECURITYHUB];

/** The rows whose inviter is a construct of this library (the inviter suite's). */
export const INVITER_KINDS: readonly KindRow[] = KINDS.filter((row) => row.cloudFormationInviter === undefined);

/** The services the registry lists (each must have a row). */
export const REGISTERED_SERVICES = [...new Set(HANDLER_NAMES.map((name) => HANDLERS[name].service))].sort();

/** The registry's handler of a service's side. */
export function handlerOf(row: KindRow, side: 'inviter' | 'accepter'): HandlerName {
  if (side === 'inviter' && row.cloudFormationInviter) throw new Error(`${row.title}: CloudFormation's own resource invites, no handler of this library`);
  const name = HANDLER_NAMES.find((n) => HANDLERS[n].service === row.service && HANDLERS[n].side === side);
  if (!name) throw new Error(`the registry lists no ${side} of service ${row.service}`);
  return name;
}

function wait(options: AppOptions): Duration | undefined {
  return options.waitSeconds === undefined ? undefined : Duration.seconds(options.waitSeconds);
}

function isToken(value: string): boolean {
  return value.includes('${Token[');
}

/** The parameter (`targetFrom: 'parameter'`) and the import (`'import'`) a target can come from. */
export const TARGET_PARAMETER = 'Target';
export const TARGET_IMPORT = 'Shared-Target';

const cache = new Map<string, SynthesizedApp>();

/**
 * Synthesizes the row's constructs (inviting stack in `options.inviter`, member stack in MEMBER with `acceptIn`)
 * and returns what CloudFormation would send each handler. Cached: the suites synthesize each variant once.
 */
export function synthesize(row: KindRow, options: AppOptions = {}): SynthesizedApp {
  const key = JSON.stringify([row.service, options]);
  const cached = cache.get(key);
  if (cached) return cached;
  const targets = options.targets ?? [MEMBER];
  const app = new App();
  const inviting = new Stack(app, 'Inviting', { env: { account: options.inviter ?? INVITER, region: REGION } });
  let declared = targets;
  if (options.targetFrom === 'parameter') {
    declared = [new CfnParameter(inviting, TARGET_PARAMETER, { type: 'String' }).valueAsString, ...targets.slice(1)];
  } else if (options.targetFrom === 'import') {
    declared = [Fn.importValue(TARGET_IMPORT), ...targets.slice(1)];
  }
  const member = options.targetFrom ? undefined : new Stack(app, 'Member', { env: { account: targets[0], region: REGION } });
  const { inviterAttributes, accepterAttributes } = row.declare(inviting, declared, options, member);
  inviterAttributes.forEach((token, i) => new CfnOutput(inviting, `ContractAttribute${i}`, { value: token }));
  accepterAttributes.forEach((token, i) => member && new CfnOutput(member, `ContractAttribute${i}`, { value: token }));
  const resolved = { [TARGET_PARAMETER]: targets[0], [TARGET_IMPORT]: targets[0] };
  const synthesized: SynthesizedApp = {
    inviter: row.cloudFormationInviter
      ? resourceOfType(Template.fromStack(inviting).toJSON(), row.cloudFormationInviter.resourceType, undefined, resolved)
      : customResource(Template.fromStack(inviting).toJSON(), handlerOf(row, 'inviter'), resolved),
    accepter: member ? customResource(Template.fromStack(member).toJSON(), handlerOf(row, 'accepter'), resolved) : undefined,
  };
  cache.set(key, synthesized);
  return synthesized;
}

/** The one custom resource of `handler`'s type in a template. */
function customResource(template: { Resources?: Record<string, any> }, handler: HandlerName, values: Record<string, string>): Synthesized {
  return resourceOfType(template, HANDLERS[handler].resourceType, handler, values);
}

/** The one resource of `type` in a template. */
function resourceOfType(
  template: { Resources?: Record<string, any> },
  type: string,
  handler: HandlerName | undefined,
  values: Record<string, string>,
): Synthesized {
  const found = Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === type);
  if (found.length !== 1) throw new Error(`expected one ${type} in the template, found ${found.length}`);
  const [logicalId, resource] = found[0];
  const { ServiceToken: _token, ...templateProps } = resource.Properties as Record<string, unknown>;
  const attributes = new Set<string>();
  collectGetAtts(template, logicalId, attributes);
  return { handler, logicalId, templateProps, props: toWire(templateProps, values) as Record<string, unknown>, attributes: [...attributes].sort() };
}


function collectGetAtts(node: unknown, logicalId: string, into: Set<string>): void {
  if (Array.isArray(node)) {
    node.forEach((n) => collectGetAtts(n, logicalId, into));
  } else if (node && typeof node === 'object') {
    const getAtt = (node as Record<string, unknown>)['Fn::GetAtt'];
    if (Array.isArray(getAtt) && getAtt[0] === logicalId) into.add(String(getAtt[1]));
    Object.values(node).forEach((n) => collectGetAtts(n, logicalId, into));
  }
}

/**
 * What CloudFormation sends a custom resource's handler for these template properties: `Ref` of a parameter and
 * `Fn::ImportValue` resolved from `values`, every number and boolean as a string.
 */
export function toWire(node: unknown, values: Record<string, string>): unknown {
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (Array.isArray(node)) return node.map((n) => toWire(n, values));
  if (node && typeof node === 'object') {
    const entries = Object.entries(node);
    if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0] === 'Fn::ImportValue')) {
      const value = values[String(entries[0][1])];
      if (value === undefined) throw new Error(`cannot resolve ${JSON.stringify(node)}`);
      return value;
    }
    if (entries.some(([k]) => k.startsWith('Fn::'))) throw new Error(`an intrinsic the suites do not resolve: ${JSON.stringify(node)}`);
    return Object.fromEntries(entries.map(([k, v]) => [k, toWire(v, values)]));
  }
  return node;
}
