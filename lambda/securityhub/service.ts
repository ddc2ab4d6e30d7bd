/**
 * What both Security Hub handlers (the administrator side, SecurityHubInvitations, and the member side,
 * SecurityHubInvitationAccepter) know about AWS Security Hub: their clients, how Security Hub says it is off (the hub
 * is not enabled: InvalidAccessException), the member-status vocabulary, the answers that mean "no administrator",
 * and the hints for its transient errors.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { AcceptanceClients } from '../shared/assume-role';
import { clientConfig } from '../shared/clients';
import type { ClientsSpec } from '../shared/entry';
import { FailedWithOptions, Hints, errorMessage, failedWith, isAwsError } from '../shared/errors';
import { StackClients } from '../shared/stack';

export { whereActing } from '../shared/stack';

/** The clients of either side on the function's own role. */
export interface SecurityHubClients extends StackClients {
  readonly securityhub: SecurityHubClient;
}

/** The clients of a member account, acting there through the acceptance role. */
export interface MemberSecurityHubClients {
  readonly securityhub: SecurityHubClient;
}

/** The administrator side's clients: its own, and (with `acceptance`) `assumeRole`, the member accounts' factory. */
export interface SecurityHubInviterClients extends SecurityHubClients, AcceptanceClients<MemberSecurityHubClients> {}

/**
 * New SDK clients on the function's own role. The SDK's standard retry strategy (shared `clientConfig`) retries
 * LimitExceededException (429, Security Hub's throttling: 10 requests per second, burst 30, for the member and
 * invitation operations) and InternalException (500) with backoff.
 */
export function createClients(): Required<SecurityHubClients> {
  return { securityhub: new SecurityHubClient(clientConfig()), cloudformation: new CloudFormationClient(clientConfig()) };
}

/** Both sides' clients on the function's own role (the administrator side adds its acceptance clients). */
export const SECURITYHUB_CLIENTS: ClientsSpec<Required<SecurityHubClients>, {}> = {
  own: createClients,
  stack: (own) => own.cloudformation,
};

/**
 * Member statuses compared without case: Security Hub's `MemberStatus` is a free string in the service model (Macie's
 * is an enum), documented as `Enabled`, `Invited`, ... but not promised in that spelling.
 */
export class MemberStates {
  private readonly lower: ReadonlySet<string>;
  constructor(...states: Array<string | MemberStates>) {
    this.lower = new Set(states.flatMap((s) => (typeof s === 'string' ? [s.toLowerCase()] : [...s.lower])));
  }
  has(status: string | undefined): boolean {
    return status !== undefined && this.lower.has(status.toLowerCase());
  }
}
/** Member statuses of an association with the administrator (`Associated`: Regions without Organizations support). */
export const ASSOCIATED_STATES = new MemberStates('Enabled', 'Associated');
/** Member statuses of an invitation not yet answered. */
export const INVITED_STATES = new MemberStates('Invited');
/** Member statuses that need no new invitation (an open invitation, or an association). */
export const NO_NEW_INVITATION_STATES = new MemberStates(INVITED_STATES, ASSOCIATED_STATES);

/** Security Hub answers InvalidAccessException ("Account ... is not subscribed to AWS Security Hub") when the hub is off. */
export function isHubOff(error: unknown): boolean {
  return isAwsError(error, 'InvalidAccessException');
}

/**
 * An answer that means the account has no administrator (GetAdministratorAccount, DisassociateFromAdministratorAccount):
 * ResourceNotFoundException; or, as seen by Terraform's provider, AccessDeniedException / BadRequestException "The
 * request is rejected since no such resource found" and, older, "... not associated to a master account".
 */
export function isNoAdministrator(error: unknown): boolean {
  if (isAwsError(error, 'ResourceNotFoundException')) return true;
  return isAwsError(error, 'AccessDeniedException', 'BadRequestException', 'InvalidInputException')
    && /no such resource found|not associated to an? (master|administrator) account/i.test(errorMessage(error));
}

/** What to do after Security Hub's transient errors, once the SDK's retries gave up (both sides). */
export const SECURITYHUB_TRANSIENT_HINTS: Hints = {
  LimitExceededException: 'Security Hub throttled the calls beyond the retries (10 member operations per second): deploy again later.',
  InternalException: 'A Security Hub service error that persisted through the retries: deploy again later.',
};

/** How to turn the hub on, for the failures of either side. */
export const ENABLE_HUB = 'Enable Security Hub first: declare an aws_securityhub.CfnHub (AWS::SecurityHub::Hub) in a stack of that ' +
  'account and Region, or enable it in the Security Hub console.';

/**
 * True when Security Hub is enabled in the account and Region `where` (DescribeHub); false when the hub is off. Other
 * errors (a role without permission, an SCP) throw a user-facing error with the side's hints.
 */
export async function hubEnabled(clients: Pick<SecurityHubClients, 'securityhub'>, where: string, hints: FailedWithOptions): Promise<boolean> {
  try {
    await clients.securityhub.send(new DescribeHubCommand({}));
    return true;
  } catch (error) {
    if (isHubOff(error)) return false;
    throw failedWith(`Reading the Security Hub of ${where} (securityhub:DescribeHub)`, error, hints);
  }
}
