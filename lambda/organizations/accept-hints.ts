/**
 * What to do after an AWS Organizations error when accepting (invited account, by the accepter's own role or by a role
 * the inviter assumed there). The message always names the reason code or error name itself (`failedWith`); these say
 * what to do about it.
 */
import type { Hints } from '../shared/errors';

/** An account in another organization: what it takes to join the expected one. */
export const LEAVE_FIRST =
  'An account belongs to at most one organization: it must leave that organization first (this library never leaves ' +
  'an organization on anyone\'s behalf), or expect that organization instead; then deploy again.';

/** Accepting: what to do, by reason code (HandshakeConstraintViolationException) and by error name. */
export const ACCEPT_HINTS: Hints = {
  ALREADY_IN_AN_ORGANIZATION: LEAVE_FIRST,
  ORGANIZATION_MEMBERSHIP_CHANGE_RATE_LIMIT_EXCEEDED:
    'This account changed its organization membership too recently (it left or joined an organization shortly ' +
    'before). Wait, then deploy again.',
  ORGANIZATION_FROM_DIFFERENT_SELLER_OF_RECORD:
    'This account and the inviting organization have different sellers of record (for example AWS and AWS India): ' +
    'such an account cannot join that organization. Use an account of the same seller, or ask AWS Support.',
  PAYMENT_INSTRUMENT_REQUIRED:
    'An account without a payment instrument (such as a credit card) takes part in this change: add one to this ' +
    'account in the AWS Billing console (or to the inviting management account), then deploy again.',
  ACCOUNT_NUMBER_LIMIT_EXCEEDED:
    'The inviting organization has reached its account quota. Its management account must request a quota increase ' +
    'or remove accounts, then deploy again.',
  HANDSHAKE_RATE_LIMIT_EXCEEDED: 'Too many handshakes in one day. Deploy again later.',
  INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES:
    'The inviting organization is enabling all features. Deploy again once its management account has finished or ' +
    'canceled that process.',
  MANAGEMENT_ACCOUNT_EMAIL_NOT_VERIFIED:
    'The inviting organization\'s management account must verify its email address, then deploy again.',
  HandshakeConstraintViolationException:
    'Resolve the constraint named here (see HandshakeConstraintViolationException in the AWS Organizations API reference), then deploy again.',
  ConstraintViolationException:
    'Resolve the constraint named here (see ConstraintViolationException in the AWS Organizations API reference), then deploy again.',
  MasterCannotLeaveOrganizationException:
    'This account is the management account of its own organization and cannot join another one. Nothing was changed.',
};

const capitalized = (text: string) => `${text[0].toUpperCase()}${text.slice(1)}`;

/**
 * Who accepts: the accepter's own handler role (OrgInvitationAccepter, `principal` undefined), or a role the inviter
 * assumed in the invited account (OrgInvitation with `acceptance`). The permission hints differ: the construct grants
 * its own role what it needs, while an assumed role is the user's to fix.
 */
export function principalHints(principal: string | undefined): Hints {
  const slr =
    'Joining an organization with all features makes Organizations create its service-linked role ' +
    '(AWSServiceRoleForOrganizations) with the caller\'s iam:CreateServiceLinkedRole permission. ' +
    (principal
      ? `Allow ${principal} iam:CreateServiceLinkedRole on AWSServiceRoleForOrganizations (condition iam:AWSServiceName = ` +
        'organizations.amazonaws.com, see the README\'s accept policy), then deploy again.'
      : 'The construct grants it (condition iam:AWSServiceName = organizations.amazonaws.com); check that no service ' +
        'control policy or permissions boundary of this account denies it, then deploy again.');
  const denied = principal
    ? `${capitalized(principal)} needs organizations:AcceptHandshake (see the README's accept policy), and no service control policy ` +
      'or permissions boundary of the invited account may deny it; then deploy again.'
    : 'The handler\'s role may accept only handshakes of the expected organization (organizations:AcceptHandshake on its ' +
      'handshake ARNs): check that the invitation comes from it, and that no service control policy or permissions ' +
      'boundary of this account denies the action; then deploy again.';
  return {
    AccessDeniedForDependencyException: slr,
    AccessDeniedException: denied,
  };
}

/** What a refused read in the invited account says: which actions the caller needs. */
export function readHint(principal: string | undefined): string {
  return principal
    ? `${capitalized(principal)} needs organizations:DescribeOrganization, ListHandshakesForAccount and DescribeHandshake (see the ` +
      'README\'s accept policy), and no service control policy or permissions boundary may deny them; then deploy again.'
    : 'The handler\'s role is granted organizations:DescribeOrganization, ListHandshakesForAccount and DescribeHandshake: ' +
      'check that no service control policy or permissions boundary denies them, then deploy again.';
}
