/**
 * The construct-handler contract of Amazon Detective's member side, `DetectiveInvitationAccepter`. The inviting side
 * is CloudFormation's own `AWS::Detective::MemberInvitation`: there is no inviter contract. The construct builds its
 * custom resource's properties with `properties()` and reads attributes by `attributes`; the handler parses with
 * `parse()` and answers with `data()`.
 */
import { PropertyError, RawProperties, RemovalMode, readString } from './read';
import { ACCEPTER, ADMINISTRATOR_ACCOUNT_ID, AccepterCommon, REMOVAL } from './shared';
import { GRAPH_ARN } from '../patterns';

/** A behavior graph ARN, read: the Region and the administrator account are the ARN's own fields. */
export interface GraphArnParts {
  readonly graphArn: string;
  readonly region: string;
  readonly administratorAccountId: string;
  readonly graphId: string;
}

/** What the Detective accepter's handler works with. */
export interface DetectiveAccepterProps extends AccepterCommon, GraphArnParts {
  /** What Delete does with a membership this resource accepted. */
  readonly removalPolicy: RemovalMode;
}

/** The Detective accepter's attributes (never empty strings: an output of an empty value fails the deploy). */
export interface DetectiveAccepterData {
  readonly graphArn: string;
  readonly administratorAccountId: string;
  readonly memberStatus: string;
  /** `VOLUME_TOO_HIGH` or `VOLUME_UNKNOWN` for ACCEPTED_BUT_DISABLED; `NONE` otherwise. */
  readonly disabledReason: string;
}

const GRAPH_ARN_KEY = 'GraphArn';

/** The graph ARN's fields, or undefined when it is not a behavior graph ARN. */
export function parseGraphArn(graphArn: string): GraphArnParts | undefined {
  const match = GRAPH_ARN.exec(graphArn);
  return match ? { graphArn, region: match[1], administratorAccountId: match[2], graphId: match[3] } : undefined;
}

/** The Detective accepter's contract (`DetectiveInvitationAccepter`, custom resource `Custom::DetectiveInvitationAccepter`). */
export const DETECTIVE_ACCEPTER = {
  keys: { graphArn: GRAPH_ARN_KEY },
  attributes: {
    graphArn: GRAPH_ARN_KEY,
    administratorAccountId: ADMINISTRATOR_ACCOUNT_ID,
    memberStatus: 'MemberStatus',
    disabledReason: 'DisabledReason',
  },
  /** What `disabledReason` says when the member is not ACCEPTED_BUT_DISABLED. */
  noDisabledReason: 'NONE',
  graphArnPattern: GRAPH_ARN,
  properties(input: { readonly graphArn: string; readonly waitSeconds: number; readonly removalPolicy: RemovalMode }): RawProperties {
    return { [GRAPH_ARN_KEY]: input.graphArn, ...ACCEPTER.properties(input), ...REMOVAL.properties(input.removalPolicy) };
  },
  parse(raw: RawProperties): DetectiveAccepterProps {
    const value = readString(raw, GRAPH_ARN_KEY);
    const parts = parseGraphArn(value);
    if (!parts) {
      throw new PropertyError(`The property ${GRAPH_ARN_KEY} must be a Detective behavior graph ARN ` +
        `(arn:<partition>:detective:<region>:<account>:graph:<32 hex digits>), got ${JSON.stringify(value)}.`);
    }
    return { ...parts, ...ACCEPTER.parse(raw), removalPolicy: REMOVAL.parse(raw) };
  },
  /** None: a graph ARN, a wait and a removal policy. */
  sensitive(_raw: RawProperties): string[] {
    return [];
  },
  data(data: DetectiveAccepterData): Record<string, string> {
    const a = DETECTIVE_ACCEPTER.attributes;
    return {
      [a.graphArn]: data.graphArn,
      [a.administratorAccountId]: data.administratorAccountId,
      [a.memberStatus]: data.memberStatus,
      [a.disabledReason]: data.disabledReason,
    };
  },
} as const;
