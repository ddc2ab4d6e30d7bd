/**
 * The construct-handler contracts of Amazon WorkSpaces account links: `WorkSpacesAccountLink` (source side, with the
 * optional acceptance through a role) and `WorkSpacesAccountLinkAccepter` (target side). The constructs build their
 * custom resource's properties with `properties()` and read attributes by `attributes`; the handlers parse with
 * `parse()` and answer with `data()`. Both sides answer with the same attributes: the link as WorkSpaces reports it.
 */
import { RawProperties, readAccountId, readOptionalPattern } from './read';
import { ACCEPTANCE, ACCEPTER, AccepterCommon } from './shared';
import { ACCOUNT_LINK_ID } from '../patterns';

/** What the inviter's handler works with. */
export interface AccountLinkProps {
  readonly targetAccountId: string;
  /** Accept in the target account through this role after inviting (one-stack acceptance). */
  readonly acceptRoleName?: string;
}

/** What the accepter's handler works with. */
export interface LinkAccepterProps extends AccepterCommon {
  /** The account that sent the invitation. */
  readonly sourceAccountId: string;
  /** Accept exactly this link; default: find it. */
  readonly accountLinkId?: string;
}

/** The attributes of both sides: the link as WorkSpaces reported it. */
export interface AccountLinkData {
  readonly accountLinkId: string;
  readonly accountLinkStatus: string;
  readonly sourceAccountId: string;
  readonly targetAccountId: string;
  /** True when the link existed already (nothing invited, or nothing accepted, by this request). */
  readonly adopted: boolean;
}

// names used both as a property of one side and as an attribute of both: written once
const TARGET_ACCOUNT_ID = 'TargetAccountId';
const SOURCE_ACCOUNT_ID = 'SourceAccountId';
const ACCOUNT_LINK = 'AccountLinkId';

/** What an account link ID looks like, for the messages of both sides (`ACCOUNT_LINK_ID`). */
export const ACCOUNT_LINK_ID_FORM = "an account link ID ('link-' and 8 to 24 characters)";

const LINK_ATTRIBUTES = {
  accountLinkId: ACCOUNT_LINK,
  accountLinkStatus: 'AccountLinkStatus',
  sourceAccountId: SOURCE_ACCOUNT_ID,
  targetAccountId: TARGET_ACCOUNT_ID,
  adopted: 'Adopted',
} as const;

/**
 * The sensitive inputs of both sides, which the handlers scrub from every log line and Reason (`Lifecycle.sensitive`):
 * none. Account IDs, link IDs, the role name and the wait are identifiers a user needs to read in a message, and the
 * client tokens are not inputs (derived from the request, never logged).
 */
const SENSITIVE_KEYS: readonly string[] = [];

/** The values of the sensitive keys among raw properties. */
function sensitive(raw: RawProperties): readonly (string | undefined)[] {
  return SENSITIVE_KEYS.map((key) => (typeof raw[key] === 'string' ? raw[key] as string : undefined));
}

function linkData(data: AccountLinkData): Record<string, string | boolean> {
  const a = LINK_ATTRIBUTES;
  return {
    [a.accountLinkId]: data.accountLinkId,
    [a.accountLinkStatus]: data.accountLinkStatus,
    [a.sourceAccountId]: data.sourceAccountId,
    [a.targetAccountId]: data.targetAccountId,
    [a.adopted]: data.adopted,
  };
}

export const WORKSPACES_ACCOUNT_LINK = {
  keys: { targetAccountId: TARGET_ACCOUNT_ID },
  attributes: LINK_ATTRIBUTES,
  /** The inviter's own properties; `acceptance` adds the role name through the shared `ACCEPTANCE` contract. */
  properties(input: { readonly targetAccountId: string }): RawProperties {
    return { [TARGET_ACCOUNT_ID]: input.targetAccountId };
  },
  parse(raw: RawProperties): AccountLinkProps {
    const props = WORKSPACES_ACCOUNT_LINK.parseOld(raw);
    const acceptRoleName = ACCEPTANCE.parse(raw);
    return acceptRoleName === undefined ? props : { ...props, acceptRoleName };
  },
  /** The identifying field alone (old properties that no longer parse as a whole): the target account. */
  parseOld(raw: RawProperties): AccountLinkProps {
    return { targetAccountId: readAccountId(raw, TARGET_ACCOUNT_ID) };
  },
  data: linkData,
  sensitiveKeys: SENSITIVE_KEYS,
  sensitive,
} as const;

export const WORKSPACES_ACCEPTER = {
  keys: { sourceAccountId: SOURCE_ACCOUNT_ID, accountLinkId: ACCOUNT_LINK },
  attributes: LINK_ATTRIBUTES,
  properties(input: { readonly sourceAccountId: string; readonly accountLinkId?: string; readonly waitSeconds: number }): RawProperties {
    return {
      [SOURCE_ACCOUNT_ID]: input.sourceAccountId,
      ...(input.accountLinkId !== undefined ? { [ACCOUNT_LINK]: input.accountLinkId } : {}),
      ...ACCEPTER.properties(input),
    };
  },
  parse(raw: RawProperties): LinkAccepterProps {
    return {
      sourceAccountId: readAccountId(raw, SOURCE_ACCOUNT_ID),
      accountLinkId: readOptionalPattern(raw, ACCOUNT_LINK, ACCOUNT_LINK_ID, ACCOUNT_LINK_ID_FORM),
      ...ACCEPTER.parse(raw),
    };
  },
  data: linkData,
  sensitiveKeys: SENSITIVE_KEYS,
  sensitive,
} as const;
