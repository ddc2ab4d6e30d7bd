/**
 * The construct-handler contract of AWS RAM's receiving side: `ResourceShareAccepter` (custom resource
 * `Custom::ResourceShareAccepter`). There is no inviter construct: CloudFormation's `AWS::RAM::ResourceShare` shares.
 * The construct builds its custom resource's properties with `properties()` and reads attributes by `attributes`;
 * the handler parses with `parse()` and answers with `data()`.
 */
import { PropertyError, RawProperties, RemovalMode, readAccountId, readOptionalString } from './read';
import { ACCEPTER, AccepterCommon, REMOVAL } from './shared';
import { RESOURCE_SHARE_ARN } from '../patterns';

/** The share: by ARN (its account is the owner), or by owner account and name. */
export type ResourceShareTarget =
  | { readonly resourceShareArn: string; readonly resourceShareName?: undefined }
  | { readonly resourceShareArn?: undefined; readonly resourceShareName: string };

/** What the RAM accepter's handler works with. */
export type ResourceShareAccepterProps = AccepterCommon & ResourceShareTarget & {
  /** The account that owns the share and sends its invitation: the ARN's account, or the given one. */
  readonly ownerAccountId: string;
  /** What Delete does with a share this resource accepted: DESTROY leaves it, RETAIN keeps it. */
  readonly removalPolicy: RemovalMode;
};

/** The RAM accepter's attributes (never empty strings: an output of an empty value fails the deploy). */
export interface ResourceShareAccepterData {
  /** The share's ARN, `NONE` when a share given by name was not found (an update or rollback that accepts nothing). */
  readonly resourceShareArn: string;
  /** The accepted invitation's ARN, `NONE` when the share came without one (organization sharing). */
  readonly invitationArn: string;
  /** The share's status as this account sees it (`ACTIVE`), or the handler's word when it cannot be seen. */
  readonly status: string;
}

const RESOURCE_SHARE_ARN_KEY = 'ResourceShareArn';
const OWNER_ACCOUNT_ID = 'OwnerAccountId';
const RESOURCE_SHARE_NAME = 'ResourceShareName';

/** How a share ARN reads, for messages. */
export const RESOURCE_SHARE_ARN_FORM = 'a resource share ARN (arn:<partition>:ram:<region>:<owner account>:resource-share/<ID>)';

/** The parts of a share ARN, or undefined when it is not one. */
export function parseResourceShareArn(arn: string): { partition: string; region: string; account: string; id: string } | undefined {
  const match = RESOURCE_SHARE_ARN.exec(arn);
  return match ? { partition: match[1], region: match[2], account: match[3], id: match[4] } : undefined;
}

/** The RAM accepter's contract (`ResourceShareAccepter`, custom resource `Custom::ResourceShareAccepter`). */
export const RAM_ACCEPTER = {
  keys: { resourceShareArn: RESOURCE_SHARE_ARN_KEY, ownerAccountId: OWNER_ACCOUNT_ID, resourceShareName: RESOURCE_SHARE_NAME },
  attributes: {
    resourceShareArn: 'ResourceShareArn',
    invitationArn: 'InvitationArn',
    status: 'Status',
  },
  /** Either form, as the construct validated it: the ARN alone, or the owner account and the name. */
  properties(input: {
    readonly resourceShareArn?: string;
    readonly ownerAccountId?: string;
    readonly resourceShareName?: string;
    readonly waitSeconds: number;
    readonly removalPolicy: RemovalMode;
  }): RawProperties {
    const target = input.resourceShareArn !== undefined
      ? { [RESOURCE_SHARE_ARN_KEY]: input.resourceShareArn }
      : { [OWNER_ACCOUNT_ID]: input.ownerAccountId, [RESOURCE_SHARE_NAME]: input.resourceShareName };
    return { ...target, ...ACCEPTER.properties(input), ...REMOVAL.properties(input.removalPolicy) };
  },
  parse(raw: RawProperties): ResourceShareAccepterProps {
    const common = { ...ACCEPTER.parse(raw), removalPolicy: REMOVAL.parse(raw) };
    const arn = readOptionalString(raw, RESOURCE_SHARE_ARN_KEY);
    if (arn !== undefined) {
      const given = [OWNER_ACCOUNT_ID, RESOURCE_SHARE_NAME].filter((key) => readOptionalString(raw, key) !== undefined);
      if (given.length > 0) {
        throw new PropertyError(`Give either ${RESOURCE_SHARE_ARN_KEY}, or ${OWNER_ACCOUNT_ID} and ${RESOURCE_SHARE_NAME}; got ${RESOURCE_SHARE_ARN_KEY} and ${given.join(' and ')}.`);
      }
      const parts = parseResourceShareArn(arn);
      if (!parts) throw new PropertyError(`The property ${RESOURCE_SHARE_ARN_KEY} must be ${RESOURCE_SHARE_ARN_FORM}, got ${JSON.stringify(arn)}.`);
      return { resourceShareArn: arn, ownerAccountId: parts.account, ...common };
    }
    if (readOptionalString(raw, OWNER_ACCOUNT_ID) === undefined && readOptionalString(raw, RESOURCE_SHARE_NAME) === undefined) {
      throw new PropertyError(`Give either ${RESOURCE_SHARE_ARN_KEY}, or ${OWNER_ACCOUNT_ID} and ${RESOURCE_SHARE_NAME}; got none of them.`);
    }
    const ownerAccountId = readAccountId(raw, OWNER_ACCOUNT_ID);
    const resourceShareName = readOptionalString(raw, RESOURCE_SHARE_NAME);
    if (resourceShareName === undefined) {
      throw new PropertyError(`The property ${RESOURCE_SHARE_NAME} is required with ${OWNER_ACCOUNT_ID} (or give ${RESOURCE_SHARE_ARN_KEY} alone).`);
    }
    return { resourceShareName, ownerAccountId, ...common };
  },
  /** None: a share ARN or name and an account ID, which messages must name. */
  sensitive(_raw: RawProperties): string[] {
    return [];
  },
  data(data: ResourceShareAccepterData): Record<string, string> {
    const a = RAM_ACCEPTER.attributes;
    return { [a.resourceShareArn]: data.resourceShareArn, [a.invitationArn]: data.invitationArn, [a.status]: data.status };
  },
} as const;
