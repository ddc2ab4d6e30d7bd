/**
 * AWS Resource Access Manager in one region, across accounts (restJson1): the owner creates, associates, disassociates
 * and deletes resource shares the way CloudFormation's AWS::RAM::ResourceShare handler calls them; a principal account
 * outside the owner's organization-sharing set gets an invitation it lists, accepts (or rejects, a test helper), and
 * can leave; a principal inside it is associated at once, with no invitation (organization sharing).
 *
 * Modeled choices (RAM's documentation leaves them open): a share with a PENDING invitation is not listed to the
 * receiver under OTHER-ACCOUNTS until accepted; an invitation expires `expiryMs` after it was sent (12 hours by
 * default); a receiver cannot leave a share it received through the organization (OperationNotPermittedException).
 */
import { randomUUID } from 'node:crypto';
import { Clock, helperContext, Input, InvitationDelay, paginate, PagingOptions, RequestContext, ServiceError, ServiceHandler, Visibility } from './common';

export type InvitationStatus = 'PENDING' | 'ACCEPTED' | 'REJECTED' | 'EXPIRED';
export type ShareStatus = 'PENDING' | 'ACTIVE' | 'FAILED' | 'DELETING' | 'DELETED';

/** ResourceShareInvitation as RAM sends it (the timestamp in epoch seconds, restJson1's default). */
export interface WireInvitation {
  readonly resourceShareInvitationArn: string;
  readonly resourceShareName: string;
  readonly resourceShareArn: string;
  readonly senderAccountId: string;
  readonly receiverAccountId: string;
  readonly invitationTimestamp: number;
  readonly status: InvitationStatus;
}

/** ResourceShare as RAM sends it. */
export interface WireShare {
  readonly resourceShareArn: string;
  readonly name: string;
  readonly owningAccountId: string;
  readonly allowExternalPrincipals: boolean;
  readonly status: ShareStatus;
}

interface ShareRecord {
  readonly arn: string;
  readonly name: string;
  readonly owner: string;
  readonly allowExternalPrincipals: boolean;
  readonly clientToken?: string;
  readonly createInput: string;
  status: ShareStatus;
  /** Principal account → how it is associated. */
  readonly principals: Map<string, 'invited' | 'associated' | 'organization'>;
  readonly resourceArns: Set<string>;
}

interface InvitationRecord {
  readonly arn: string;
  readonly shareArn: string;
  readonly sender: string;
  readonly receiver: string;
  readonly sentAt: number;
  readonly visibility: Visibility;
  status: InvitationStatus;
  acceptToken?: string;
}

export interface RamOptions {
  readonly region: string;
  /** The default account (the owner of the helpers' shares). */
  readonly ownerAccountId: string;
  readonly paging: PagingOptions;
}

/** How long an invitation stays acceptable by default: RAM's 12 hours for most resource types. */
export const INVITATION_EXPIRY_MS = 12 * 60 * 60 * 1000;

export class RamEmulator implements ServiceHandler {
  private readonly shares = new Map<string, ShareRecord>();
  private readonly invitations: InvitationRecord[] = [];
  /** Owner account → the accounts of its organization with RAM sharing enabled (associated without invitation). */
  private readonly organizationSharing = new Map<string, Set<string>>();
  private delay: InvitationDelay = {};
  private expiryMs = INVITATION_EXPIRY_MS;

  constructor(private readonly clock: Clock, private readonly options: RamOptions) {}

  // ---- test helpers -------------------------------------------------------------------------------------------

  /** `owner`'s organization has RAM sharing enabled and holds `accounts`: shares reach them with no invitation. */
  enableOrganizationSharing(owner: string, accounts: readonly string[]): void {
    this.organizationSharing.set(owner, new Set(accounts));
  }

  /** Invitations sent from now on become visible to the receiver only after the delay. */
  setInvitationDelay(delay: InvitationDelay): void {
    this.delay = { ...delay };
  }

  /** How long invitations stay acceptable (the emulator's clock). */
  setInvitationExpiry(ms: number): void {
    this.expiryMs = ms;
  }

  /** The receiver rejects (PENDING → REJECTED). */
  reject(invitationArn: string): void {
    const invitation = this.invitations.find(i => i.arn === invitationArn);
    if (!invitation || this.statusOf(invitation) !== 'PENDING') throw new Error(`no pending invitation ${invitationArn}`);
    invitation.status = 'REJECTED';
    this.shares.get(invitation.shareArn)?.principals.delete(invitation.receiver);
  }

  /** `principal` leaves (or the owner removes it from) every share of `owner`, from outside the stacks. */
  removePrincipal(owner: string, principal: string): void {
    for (const share of this.shares.values()) {
      if (share.owner === owner) share.principals.delete(principal);
    }
  }

  /** A share as its owner sees it, with its principals. */
  share(arn: string): (WireShare & { readonly principals: Readonly<Record<string, string>> }) | undefined {
    const share = this.shares.get(arn);
    return share ? { ...this.toWireShare(share), principals: Object.fromEntries(share.principals) } : undefined;
  }

  /** Every invitation, of every owner. */
  allInvitations(): WireInvitation[] {
    return this.invitations.map(i => this.toWireInvitation(i));
  }

  /** Every share and invitation: state dumps and leak checks. */
  state(): { readonly shares: ReturnType<RamEmulator['share']>[]; readonly invitations: WireInvitation[] } {
    return { shares: [...this.shares.keys()].map(arn => this.share(arn)), invitations: this.allInvitations() };
  }

  // ---- API ----------------------------------------------------------------------------------------------------

  handle(operation: string, input: Input, context: RequestContext = helperContext(this.options.ownerAccountId)): unknown {
    const caller = context.principal.accountId;
    switch (operation) {
      case 'CreateResourceShare':
        return { resourceShare: this.toWireShare(this.create(caller, input)), clientToken: input.clientToken };
      case 'AssociateResourceShare':
        return { resourceShareAssociations: this.associate(caller, input), clientToken: input.clientToken };
      case 'DisassociateResourceShare':
        return { resourceShareAssociations: this.disassociate(caller, input), clientToken: input.clientToken };
      case 'DeleteResourceShare':
        this.delete(caller, input.resourceShareArn as string);
        return { returnValue: true, clientToken: input.clientToken };
      case 'GetResourceShareInvitations':
        return this.listInvitations(caller, input);
      case 'AcceptResourceShareInvitation':
        return { resourceShareInvitation: this.toWireInvitation(this.accept(caller, input)), clientToken: input.clientToken };
      case 'GetResourceShares':
        return this.listShares(caller, input);
      default:
        throw new Error(`RAM operation ${operation} is not emulated`);
    }
  }

  /** The same clientToken with the same input returns the same share; with another input it is a mismatch. */
  private create(owner: string, input: Input): ShareRecord {
    const createInput = JSON.stringify({ ...input, clientToken: undefined });
    const token = input.clientToken as string | undefined;
    const previous = token === undefined ? undefined : [...this.shares.values()].find(s => s.owner === owner && s.clientToken === token);
    if (previous && previous.createInput === createInput) return previous;
    if (previous) throw new ServiceError('IdempotentParameterMismatchException', 'The client token was already used with other parameters.');
    const share: ShareRecord = {
      arn: `arn:aws:ram:${this.options.region}:${owner}:resource-share/${randomUUID()}`,
      name: input.name as string,
      owner,
      allowExternalPrincipals: input.allowExternalPrincipals as boolean | undefined ?? true,
      clientToken: token,
      createInput,
      status: 'ACTIVE',
      principals: new Map(),
      resourceArns: new Set((input.resourceArns as string[] | undefined) ?? []),
    };
    this.addPrincipals(share, (input.principals as string[] | undefined) ?? []);
    this.shares.set(share.arn, share);
    return share;
  }

  private associate(owner: string, input: Input) {
    const share = this.ownShare(owner, input.resourceShareArn as string);
    for (const arn of (input.resourceArns as string[] | undefined) ?? []) share.resourceArns.add(arn);
    const principals = (input.principals as string[] | undefined) ?? [];
    this.addPrincipals(share, principals);
    return principals.map(p => this.association(share, p));
  }

  /**
   * The owner removes any principal; a receiver removes only itself (leaving), and not from a share it received
   * through the organization. An open invitation of a removed principal ends.
   */
  private disassociate(caller: string, input: Input) {
    const share = this.shares.get(input.resourceShareArn as string);
    if (!share || share.status === 'DELETED') throw unknownResource(input.resourceShareArn as string);
    const principals = (input.principals as string[] | undefined) ?? [];
    if (share.owner !== caller) {
      if (principals.some(p => p !== caller) || !share.principals.has(caller)) throw unknownResource(share.arn);
      if (share.principals.get(caller) === 'organization') {
        throw new ServiceError('OperationNotPermittedException', 'You cannot leave a resource share that was shared with you through your organization.');
      }
    }
    for (const principal of principals) {
      share.principals.delete(principal);
      for (const invitation of this.invitations) {
        if (invitation.shareArn === share.arn && invitation.receiver === principal && this.statusOf(invitation) === 'PENDING') invitation.status = 'REJECTED';
      }
    }
    return principals.map(p => ({ resourceShareArn: share.arn, resourceShareName: share.name, associatedEntity: p, associationType: 'PRINCIPAL', status: 'DISASSOCIATING' }));
  }

  private delete(owner: string, arn: string): void {
    const share = this.ownShare(owner, arn);
    share.status = 'DELETED';
    share.principals.clear();
  }

  /** The receiver's invitations it can see, by invitation or share ARN when asked. */
  private listInvitations(caller: string, input: Input) {
    const byArn = input.resourceShareInvitationArns as string[] | undefined;
    const byShare = input.resourceShareArns as string[] | undefined;
    if (byArn) {
      for (const arn of byArn) {
        if (!this.invitations.some(i => i.arn === arn && i.receiver === caller)) {
          throw new ServiceError('ResourceShareInvitationArnNotFoundException', `The invitation ${arn} could not be found.`);
        }
      }
    }
    const seen = this.invitations.filter(i => i.receiver === caller && i.visibility.visible(true)
      && (!byArn || byArn.includes(i.arn)) && (!byShare || byShare.includes(i.shareArn)));
    const page = paginate(seen, {
      token: input.nextToken,
      maxResults: input.maxResults,
      scope: `GetResourceShareInvitations ${caller} ${JSON.stringify([byArn, byShare])}`,
    }, this.options.paging, invalidToken);
    return { resourceShareInvitations: page.items.map(i => this.toWireInvitation(i)), nextToken: page.nextToken };
  }

  /**
   * Only the receiver accepts. Accepted already: the same clientToken answers the invitation again (an idempotent
   * retry); another token is ResourceShareInvitationAlreadyAcceptedException.
   */
  private accept(caller: string, input: Input): InvitationRecord {
    const arn = input.resourceShareInvitationArn as string;
    const invitation = this.invitations.find(i => i.arn === arn && i.receiver === caller && i.visibility.visible(false));
    if (!invitation) {
      if (!/^arn:aws[a-z-]*:ram:[a-z0-9-]+:\d{12}:resource-share-invitation\/.+$/.test(arn)) {
        throw new ServiceError('MalformedArnException', `The ARN ${arn} is malformed.`);
      }
      throw new ServiceError('ResourceShareInvitationArnNotFoundException', `The invitation ${arn} could not be found.`);
    }
    const token = input.clientToken as string | undefined;
    switch (this.statusOf(invitation)) {
      case 'ACCEPTED':
        if (token !== undefined && invitation.acceptToken === token) return invitation;
        throw new ServiceError('ResourceShareInvitationAlreadyAcceptedException', `The invitation ${arn} was already accepted.`);
      case 'REJECTED':
        throw new ServiceError('ResourceShareInvitationAlreadyRejectedException', `The invitation ${arn} was already rejected.`);
      case 'EXPIRED':
        throw new ServiceError('ResourceShareInvitationExpiredException', `The invitation ${arn} has expired.`);
      default:
        break;
    }
    invitation.status = 'ACCEPTED';
    invitation.acceptToken = token;
    this.shares.get(invitation.shareArn)?.principals.set(caller, 'associated');
    return invitation;
  }

  /** SELF: the caller's own shares; OTHER-ACCOUNTS: the shares the caller is associated with (not merely invited to). */
  private listShares(caller: string, input: Input) {
    const owner = input.resourceOwner as 'SELF' | 'OTHER-ACCOUNTS';
    const arns = input.resourceShareArns as string[] | undefined;
    const shares = [...this.shares.values()].filter(s =>
      (owner === 'SELF' ? s.owner === caller : s.owner !== caller && ['associated', 'organization'].includes(s.principals.get(caller) ?? ''))
      && (!arns || arns.includes(s.arn))
      && (input.name === undefined || s.name === input.name)
      && (input.resourceShareStatus === undefined || s.status === input.resourceShareStatus));
    const page = paginate(shares, {
      token: input.nextToken,
      maxResults: input.maxResults,
      scope: `GetResourceShares ${caller} ${JSON.stringify([owner, arns, input.name, input.resourceShareStatus])}`,
    }, this.options.paging, invalidToken);
    return { resourceShares: page.items.map(s => this.toWireShare(s)), nextToken: page.nextToken };
  }

  /** Accounts of the owner's organization-sharing set are associated at once; others get an invitation. */
  private addPrincipals(share: ShareRecord, principals: readonly string[]): void {
    const organization = this.organizationSharing.get(share.owner) ?? new Set<string>();
    for (const principal of principals) {
      if (!/^\d{12}$/.test(principal)) {
        throw new ServiceError('InvalidParameterException', `The emulator shares with account IDs only, got ${principal}.`);
      }
      if (principal === share.owner) throw new ServiceError('InvalidParameterException', 'You cannot share with your own account.');
      if (share.principals.has(principal)) continue;
      if (organization.has(principal)) {
        share.principals.set(principal, 'organization');
        continue;
      }
      if (!share.allowExternalPrincipals) {
        throw new ServiceError('OperationNotPermittedException', `The principal ${principal} is outside your organization and the share does not allow external principals.`);
      }
      share.principals.set(principal, 'invited');
      this.invitations.push({
        arn: `arn:aws:ram:${this.options.region}:${share.owner}:resource-share-invitation/${randomUUID()}`,
        shareArn: share.arn,
        sender: share.owner,
        receiver: principal,
        sentAt: this.clock.now(),
        visibility: new Visibility(this.clock, this.delay),
        status: 'PENDING',
      });
    }
  }

  private association(share: ShareRecord, principal: string) {
    const how = share.principals.get(principal);
    return {
      resourceShareArn: share.arn,
      resourceShareName: share.name,
      associatedEntity: principal,
      associationType: 'PRINCIPAL',
      status: how === 'invited' ? 'ASSOCIATING' : 'ASSOCIATED',
      external: how !== 'organization',
    };
  }

  private ownShare(owner: string, arn: string): ShareRecord {
    const share = this.shares.get(arn);
    if (!share || share.owner !== owner || share.status === 'DELETED') throw unknownResource(arn);
    return share;
  }

  /** PENDING turns EXPIRED once the expiry passed on the emulator's clock. */
  private statusOf(invitation: InvitationRecord): InvitationStatus {
    if (invitation.status === 'PENDING' && this.clock.now() >= invitation.sentAt + this.expiryMs) {
      invitation.status = 'EXPIRED';
      const share = this.shares.get(invitation.shareArn);
      if (share?.principals.get(invitation.receiver) === 'invited') share.principals.delete(invitation.receiver);
    }
    return invitation.status;
  }

  private toWireInvitation(invitation: InvitationRecord): WireInvitation {
    const share = this.shares.get(invitation.shareArn)!;
    return {
      resourceShareInvitationArn: invitation.arn,
      resourceShareName: share.name,
      resourceShareArn: share.arn,
      senderAccountId: invitation.sender,
      receiverAccountId: invitation.receiver,
      invitationTimestamp: Math.floor(invitation.sentAt / 1000),
      status: this.statusOf(invitation),
    };
  }

  private toWireShare(share: ShareRecord): WireShare {
    return {
      resourceShareArn: share.arn,
      name: share.name,
      owningAccountId: share.owner,
      allowExternalPrincipals: share.allowExternalPrincipals,
      status: share.status,
    };
  }
}

function unknownResource(arn: string): ServiceError {
  return new ServiceError('UnknownResourceException', `The resource ${arn} could not be found.`);
}

function invalidToken(): ServiceError {
  return new ServiceError('InvalidNextTokenException', 'The nextToken is not valid.', {}, undefined, true);
}
