/**
 * Amazon WorkSpaces account links (BYOL) in one region, across accounts: the source account invites, the target
 * account lists, accepts or rejects.
 */
import { Clock, helperContext, Input, InvitationDelay, paginate, PagingOptions, randomId, RequestContext, ServiceError, ServiceHandler, Visibility } from './common';

export type AccountLinkStatus = 'LINKED' | 'LINKING_FAILED' | 'LINK_NOT_FOUND' | 'PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT' | 'REJECTED';

/** AccountLink as WorkSpaces sends it. */
export interface WireAccountLink {
  readonly AccountLinkId: string;
  readonly AccountLinkStatus: AccountLinkStatus;
  readonly SourceAccountId: string;
  readonly TargetAccountId: string;
}

interface LinkRecord {
  readonly id: string;
  readonly sourceAccountId: string;
  readonly targetAccountId: string;
  readonly clientToken?: string;
  /** When the target account sees it (the delay knob). */
  readonly visibility: Visibility;
  status: AccountLinkStatus;
  /** ClientToken of the target's Accept/Reject: a retry with the same token answers the link again. */
  answerToken?: string;
}

export interface WorkSpacesOptions {
  /** The default account (the source of the legacy helpers' links). */
  readonly sourceAccountId: string;
  readonly paging: PagingOptions;
}

const PENDING: AccountLinkStatus = 'PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT';

export class WorkSpacesEmulator implements ServiceHandler {
  /** In creation order. */
  private readonly linksById = new Map<string, LinkRecord>();
  private readonly outsideOrganization = new Set<string>();
  private delay: InvitationDelay = {};

  constructor(private readonly clock: Clock, private readonly options: WorkSpacesOptions) {}

  // ---- test helpers -------------------------------------------------------------------------------------------

  /** Links to this account fail: it is not in the source account's organization. */
  markOutsideOrganization(accountId: string): void {
    this.outsideOrganization.add(accountId);
  }

  /** Invitations sent from now on become visible to the target account only after the delay (see InvitationDelay). */
  setInvitationDelay(delay: InvitationDelay): void {
    this.delay = { ...delay };
  }

  /** The target account accepts (PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT → LINKED). */
  accept(linkId: string): void {
    this.respond(this.link(linkId), 'LINKED');
  }

  /** The target account rejects (PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT → REJECTED). */
  reject(linkId: string): void {
    this.respond(this.link(linkId), 'REJECTED');
  }

  /** Every link, of every source account. */
  links(): WireAccountLink[] {
    return [...this.linksById.values()].map(l => this.toWire(l));
  }

  /** Links waiting for the target account: leak check. */
  pendingLinks(): WireAccountLink[] {
    return this.links().filter(l => l.AccountLinkStatus === PENDING);
  }

  // ---- API ----------------------------------------------------------------------------------------------------

  handle(operation: string, input: Input, context: RequestContext = helperContext(this.options.sourceAccountId)): unknown {
    const caller = context.principal.accountId;
    switch (operation) {
      case 'CreateAccountLinkInvitation':
        return { AccountLink: this.toWire(this.create(caller, input.TargetAccountId as string, input.ClientToken as string | undefined)) };
      case 'GetAccountLink':
        return { AccountLink: this.toWire(this.get(caller, input)) };
      case 'ListAccountLinks':
        return this.list(caller, input);
      case 'DeleteAccountLinkInvitation':
        return { AccountLink: this.toWire(this.delete(context, input.LinkId as string)) };
      case 'AcceptAccountLinkInvitation':
        return { AccountLink: this.toWire(this.answer(context, input, 'LINKED')) };
      case 'RejectAccountLinkInvitation':
        return { AccountLink: this.toWire(this.answer(context, input, 'REJECTED')) };
      default:
        throw new Error(`WorkSpaces operation ${operation} is not emulated`);
    }
  }

  /**
   * A ClientToken already used by the source for the same target returns that link; used for another target, it
   * conflicts. A pending or linked link from the source to the target conflicts too.
   */
  private create(source: string, targetAccountId: string, clientToken: string | undefined): LinkRecord {
    if (targetAccountId === source) {
      throw new ServiceError('ValidationException', 'The TargetAccountId must differ from the SourceAccountId.');
    }
    if (this.outsideOrganization.has(targetAccountId)) {
      throw new ServiceError('ValidationException', 'The target account must be in the same organization as the source account.');
    }
    const links = [...this.linksById.values()].filter(l => l.sourceAccountId === source);
    const sameToken = clientToken === undefined ? undefined : links.find(l => l.clientToken === clientToken);
    if (sameToken?.targetAccountId === targetAccountId) return sameToken;
    if (sameToken) throw new ServiceError('ConflictException', 'The ClientToken was already used for another TargetAccountId.');
    if (links.some(l => l.targetAccountId === targetAccountId && (l.status === PENDING || l.status === 'LINKED'))) {
      throw new ServiceError('ConflictException', 'The TargetAccountId is already linked or invited.');
    }
    const link: LinkRecord = {
      id: `link-${randomId(12)}`,
      sourceAccountId: source,
      targetAccountId,
      clientToken,
      visibility: new Visibility(this.clock, this.delay),
      status: PENDING,
    };
    this.linksById.set(link.id, link);
    return link;
  }

  /** By LinkId, or the latest link between the caller and LinkedAccountId (either direction). */
  private get(caller: string, input: Input): LinkRecord {
    if (input.LinkId === undefined && input.LinkedAccountId === undefined) {
      throw new ServiceError('ValidationException', 'Either LinkId or LinkedAccountId is required.', {}, undefined, true);
    }
    const seen = (l: LinkRecord) => this.sees(caller, l, true);
    const link = input.LinkId !== undefined
      ? [this.linksById.get(input.LinkId as string)].find(l => l !== undefined && seen(l))
      : [...this.linksById.values()].reverse().find(l => this.otherParty(caller, l) === input.LinkedAccountId && seen(l));
    if (!link) throw notFound(String(input.LinkId ?? input.LinkedAccountId));
    return link;
  }

  /** The links the caller is the source or the target of (the target sees them once visible). */
  private list(caller: string, input: Input) {
    const filter = input.LinkStatusFilter as AccountLinkStatus[] | undefined;
    const links = [...this.linksById.values()].filter(l => (!filter || filter.includes(l.status)) && this.sees(caller, l, true));
    const page = paginate(links, {
      token: input.NextToken,
      maxResults: input.MaxResults,
      scope: `ListAccountLinks ${caller} ${JSON.stringify(filter ?? [])}`,
    }, this.options.paging, () => new ServiceError('ValidationException', 'The NextToken is not valid.', {}, undefined, true));
    return { AccountLinks: page.items.map(l => this.toWire(l)), NextToken: page.nextToken };
  }

  /** Only the source deletes; a linked account link can't be deleted through this API: ConflictException. */
  private delete(context: RequestContext, linkId: string): LinkRecord {
    const link = this.visibleLink(context.principal.accountId, linkId);
    if (link.sourceAccountId !== context.principal.accountId && !context.principal.legacy) {
      throw accessDenied('Only the source account can delete an account link invitation.');
    }
    if (link.status === 'LINKED') throw new ServiceError('ConflictException', 'A linked account link can\'t be deleted.');
    this.linksById.delete(linkId);
    return link;
  }

  /**
   * Only the target answers (the legacy caller may answer for it). Not pending: ConflictException, unless it is a
   * retry of the same answer with the same ClientToken, which returns the link.
   */
  private answer(context: RequestContext, input: Input, status: 'LINKED' | 'REJECTED'): LinkRecord {
    const caller = context.principal.accountId;
    const link = this.visibleLink(caller, input.LinkId as string);
    if (link.targetAccountId !== caller && !context.principal.legacy) {
      throw accessDenied('Only the target account can accept or reject an account link invitation.');
    }
    const token = input.ClientToken as string | undefined;
    if (link.status === status && token !== undefined && link.answerToken === token) return link;
    this.respond(link, status);
    link.answerToken = token;
    return link;
  }

  private respond(link: LinkRecord, status: 'LINKED' | 'REJECTED'): LinkRecord {
    if (link.status !== PENDING) throw new ServiceError('ConflictException', `The account link is ${link.status}.`);
    link.status = status;
    return link;
  }

  /** A link the caller may see: the source's, or the target's once visible; another account's: not found. */
  private visibleLink(caller: string, linkId: string): LinkRecord {
    const link = this.linksById.get(linkId);
    if (!link || !this.sees(caller, link, false)) throw notFound(linkId);
    return link;
  }

  private sees(caller: string, link: LinkRecord, look: boolean): boolean {
    if (link.sourceAccountId === caller) return true;
    return link.targetAccountId === caller && link.visibility.visible(look);
  }

  private otherParty(caller: string, link: LinkRecord): string | undefined {
    if (link.sourceAccountId === caller) return link.targetAccountId;
    return link.targetAccountId === caller ? link.sourceAccountId : undefined;
  }

  private link(linkId: string): LinkRecord {
    const link = this.linksById.get(linkId);
    if (!link) throw notFound(linkId);
    return link;
  }

  private toWire(link: LinkRecord): WireAccountLink {
    return {
      AccountLinkId: link.id,
      AccountLinkStatus: link.status,
      SourceAccountId: link.sourceAccountId,
      TargetAccountId: link.targetAccountId,
    };
  }
}

function accessDenied(message: string): ServiceError {
  return new ServiceError('AccessDeniedException', message);
}

function notFound(resourceId: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', 'The resource could not be found.', { ResourceId: resourceId });
}
