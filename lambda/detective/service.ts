/**
 * What the Detective handler knows about Amazon Detective's member side: its clients, the member's view of its
 * behavior graphs (ListInvitations, paged to the end), the status vocabulary, accepting and leaving, and the hints for
 * Detective's errors. The inviting side is CloudFormation's own `AWS::Detective::MemberInvitation`.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  AcceptInvitationCommand,
  DetectiveClient,
  DisassociateMembershipCommand,
  ListInvitationsCommand,
  MemberDetail,
} from '@aws-sdk/client-detective';
import { clientConfig } from '../shared/clients';
import type { ClientsSpec } from '../shared/entry';
import { Hints, failedWith, isAwsError } from '../shared/errors';
import { StackClients, whereActing } from '../shared/stack';

/** The accepter's clients on the function's own role: Detective, and CloudFormation for the rollback rule. */
export interface DetectiveClients extends StackClients {
  readonly detective: DetectiveClient;
}

/**
 * The SDK's standard retry strategy (shared `clientConfig`) retries TooManyRequestsException (HTTP 429) and
 * InternalServerException (500); waiting for an invitation is a separate, bounded poll.
 */
export const DETECTIVE_CLIENTS: ClientsSpec<Required<DetectiveClients>, {}> = {
  own: () => ({ detective: new DetectiveClient(clientConfig()), cloudformation: new CloudFormationClient(clientConfig()) }),
  stack: (own) => own.cloudformation,
};

/** Member statuses of an accepted invitation (the member side has no `ACCEPTED`). */
export const ACCEPTED_STATUSES: ReadonlySet<string> = new Set(['ENABLED', 'ACCEPTED_BUT_DISABLED']);
/** The only status AcceptInvitation takes. */
export const INVITED = 'INVITED';
/** Detective is still checking the account ID against the root user's email: no invitation sent yet. */
export const VERIFICATION_IN_PROGRESS = 'VERIFICATION_IN_PROGRESS';
/** The account ID and the email address of the invitation do not match: Detective sent nothing. */
export const VERIFICATION_FAILED = 'VERIFICATION_FAILED';

/** ListInvitations' largest page (the model's MemberResultsLimit). */
const LIST_PAGE_SIZE = 200;

/** What to do after Detective's errors, once the SDK's retries gave up. */
export const DETECTIVE_HINTS: Hints = {
  AccessDeniedException:
    'The accepter\'s handler role is granted this action: check service control policies and permission boundaries; then deploy again.',
  TooManyRequestsException: 'Detective throttled the calls beyond the retries: deploy again later.',
  InternalServerException: 'A Detective service error that persisted through the retries: deploy again later.',
};

/** Every behavior graph this account was invited to or belongs to, paging until NextToken is empty. */
export async function listMemberships(clients: Pick<DetectiveClients, 'detective'>, stackId: string): Promise<MemberDetail[]> {
  const all: MemberDetail[] = [];
  let NextToken: string | undefined;
  try {
    do {
      const page = await clients.detective.send(new ListInvitationsCommand({ MaxResults: LIST_PAGE_SIZE, NextToken }));
      all.push(...(page.Invitations ?? []));
      NextToken = page.NextToken || undefined;
    } while (NextToken);
  } catch (error) {
    throw failedWith(`Listing the Detective behavior graph invitations of ${whereActing(stackId)} (detective:ListInvitations)`, error,
      { hints: DETECTIVE_HINTS });
  }
  return all;
}

/** This account's entry for `graphArn`, or undefined when it has none (never invited, declined, removed, left). */
export async function membershipOf(clients: Pick<DetectiveClients, 'detective'>, graphArn: string, stackId: string): Promise<MemberDetail | undefined> {
  return (await listMemberships(clients, stackId)).find((m) => m.GraphArn === graphArn);
}

/** AcceptInvitation: throws the SDK's error as it is, for the caller to word. */
export async function acceptGraphInvitation(clients: Pick<DetectiveClients, 'detective'>, graphArn: string): Promise<void> {
  await clients.detective.send(new AcceptInvitationCommand({ GraphArn: graphArn }));
}

/**
 * DisassociateMembership: `not-member` when there was nothing to leave (the administrator removed the account, or
 * deleted the graph); other errors are thrown as they are.
 */
export async function leaveGraph(clients: Pick<DetectiveClients, 'detective'>, graphArn: string): Promise<'left' | 'not-member'> {
  try {
    await clients.detective.send(new DisassociateMembershipCommand({ GraphArn: graphArn }));
    return 'left';
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) return 'not-member';
    throw error;
  }
}
