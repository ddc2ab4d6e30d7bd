/** Amazon WorkSpaces account links (BYOL), seen from the source account in one region. */
import { Input, paginate, PagingOptions, randomId, ServiceError, ServiceHandler } from './common';

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
  readonly targetAccountId: string;
  readonly clientToken?: string;
  status: AccountLinkStatus;
}

export interface WorkSpacesOptions {
  readonly sourceAccountId: string;
  readonly paging: PagingOptions;
}

const PENDING: AccountLinkStatus = 'PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT';

export class WorkSpacesEmulator implements ServiceHandler {
  /** In creation order. */
  private readonly linksById = new Map<string, LinkRecord>();
  private readonly outsideOrganization = new Set<string>();

  constructor(private readonly options: WorkSpacesOptions) {}

  // ---- test helpers -------------------------------------------------------------------------------------------

  /** Links to this account fail: it is not in the source account's organization. */
  markOutsideOrganization(accountId: string): void {
    this.outsideOrganization.add(accountId);
  }

  /** The target account accepts (PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT → LINKED). */
  accept(linkId: string): void {
    this.respond(linkId, 'LINKED');
  }

  /** The target account rejects (PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT → REJECTED). */
  reject(linkId: string): void {
    this.respond(linkId, 'REJECTED');
  }

  links(): WireAccountLink[] {
    return [...this.linksById.values()].map(l => this.toWire(l));
  }

  /** Links waiting for the target account: leak check. */
  pendingLinks(): WireAccountLink[] {
    return this.links().filter(l => l.AccountLinkStatus === PENDING);
  }

  // ---- API ----------------------------------------------------------------------------------------------------

  handle(operation: string, input: Input): unknown {
    switch (operation) {
      case 'CreateAccountLinkInvitation':
        return { AccountLink: this.toWire(this.create(input.TargetAccountId as string, input.ClientToken as string | undefined)) };
      case 'GetAccountLink':
        return { AccountLink: this.toWire(this.get(input)) };
      case 'ListAccountLinks':
        return this.list(input);
      case 'DeleteAccountLinkInvitation':
        return { AccountLink: this.toWire(this.delete(input.LinkId as string)) };
      case 'AcceptAccountLinkInvitation':
        return { AccountLink: this.toWire(this.respond(input.LinkId as string, 'LINKED')) };
      case 'RejectAccountLinkInvitation':
        return { AccountLink: this.toWire(this.respond(input.LinkId as string, 'REJECTED')) };
      default:
        throw new Error(`WorkSpaces operation ${operation} is not emulated`);
    }
  }

  /**
   * A ClientToken already used for the same target returns that link; used for another target, it conflicts.
   * A pending or linked link to the target conflicts too.
   */
  private create(targetAccountId: string, clientToken: string | undefined): LinkRecord {
    if (targetAccountId === this.options.sourceAccountId) {
      throw new ServiceError('ValidationException', 'The TargetAccountId must differ from the SourceAccountId.');
    }
    if (this.outsideOrganization.has(targetAccountId)) {
      throw new ServiceError('ValidationException', 'The target account must be in the same organization as the source account.');
    }
    const links = [...this.linksById.values()];
    const sameToken = clientToken === undefined ? undefined : links.find(l => l.clientToken === clientToken);
    if (sameToken?.targetAccountId === targetAccountId) return sameToken;
    if (sameToken) throw new ServiceError('ConflictException', 'The ClientToken was already used for another TargetAccountId.');
    if (links.some(l => l.targetAccountId === targetAccountId && (l.status === PENDING || l.status === 'LINKED'))) {
      throw new ServiceError('ConflictException', 'The TargetAccountId is already linked or invited.');
    }
    const link: LinkRecord = { id: `link-${randomId(12)}`, targetAccountId, clientToken, status: PENDING };
    this.linksById.set(link.id, link);
    return link;
  }

  private get(input: Input): LinkRecord {
    if (input.LinkId === undefined && input.LinkedAccountId === undefined) {
      throw new ServiceError('ValidationException', 'Either LinkId or LinkedAccountId is required.', {}, undefined, true);
    }
    const link = input.LinkId !== undefined
      ? this.linksById.get(input.LinkId as string)
      : [...this.linksById.values()].reverse().find(l => l.targetAccountId === input.LinkedAccountId);
    if (!link) throw notFound(String(input.LinkId ?? input.LinkedAccountId));
    return link;
  }

  private list(input: Input) {
    const filter = input.LinkStatusFilter as AccountLinkStatus[] | undefined;
    const links = [...this.linksById.values()].filter(l => !filter || filter.includes(l.status));
    const page = paginate(links, {
      token: input.NextToken,
      maxResults: input.MaxResults,
      scope: `ListAccountLinks ${JSON.stringify(filter ?? [])}`,
    }, this.options.paging, () => new ServiceError('ValidationException', 'The NextToken is not valid.', {}, undefined, true));
    return { AccountLinks: page.items.map(l => this.toWire(l)), NextToken: page.nextToken };
  }

  /** A linked account can't be unlinked through this API: ConflictException. */
  private delete(linkId: string): LinkRecord {
    const link = this.link(linkId);
    if (link.status === 'LINKED') throw new ServiceError('ConflictException', 'A linked account link can\'t be deleted.');
    this.linksById.delete(linkId);
    return link;
  }

  private respond(linkId: string, status: 'LINKED' | 'REJECTED'): LinkRecord {
    const link = this.link(linkId);
    if (link.status !== PENDING) throw new ServiceError('ConflictException', `The account link is ${link.status}.`);
    link.status = status;
    return link;
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
      SourceAccountId: this.options.sourceAccountId,
      TargetAccountId: link.targetAccountId,
    };
  }
}

function notFound(resourceId: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', 'The resource could not be found.', { ResourceId: resourceId });
}
