/**
 * What to do after an AWS Organizations error, for both sides: inviting (management account) and accepting (invited
 * account, by the accepter's own role or by a role the inviter assumed there). The message always names the reason
 * code or error name itself (`failedWith`); these say what to do about it.
 */
import { ORG_INVITATION } from './service';
import type { Hints } from '../shared/errors';

/** Organizations' answers to a call from outside the management account (or without the permission). */
export const NOT_MANAGEMENT_ACCOUNT_ERRORS = ['AWSOrganizationsNotInUseException', 'AccessDeniedException', 'AccountOwnerNotVerifiedException'];

const MANAGEMENT_ACCOUNT_HINT =
  'Deploy this stack in the AWS Organization\'s management account, with all features enabled, ' +
  'and make sure the deployment role may call organizations:InviteAccountToOrganization.';

/**
 * Inviting: what to do, per reason code (HandshakeConstraintViolationException / ConstraintViolationException /
 * InvalidInputException carry one) and per error name.
 */
export const ORG_HINTS: Hints = {
  ALREADY_IN_AN_ORGANIZATION:
    'The account already belongs to another AWS Organization: it must leave that organization before it can be invited; then deploy again.',
  ACCOUNT_NUMBER_LIMIT_EXCEEDED:
    'The organization has reached its account quota (pending invitations count toward it). Request a quota increase or remove accounts or invitations, then deploy again.',
  HANDSHAKE_RATE_LIMIT_EXCEEDED:
    'Organizations allows 20 invitations per 24 hours. Deploy again later, or spread invitations over several deployments.',
  INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES:
    'Invitations are disabled while the organization is enabling all features. Finish or cancel that process, then deploy again.',
  ORGANIZATION_FROM_DIFFERENT_SELLER_OF_RECORD:
    'The account and the organization have different sellers of record (for example AWS and AWS India); such an account cannot be invited.',
  PAYMENT_INSTRUMENT_REQUIRED:
    'The organization\'s management account needs a valid payment instrument before it can invite accounts.',
  ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION:
    'The organization is migrating to all features. Wait for the migration to finish, then deploy again.',
  ORGANIZATION_MEMBERSHIP_CHANGE_RATE_LIMIT_EXCEEDED:
    'Too many membership changes in a short time. Deploy again later.',
  MASTER_ACCOUNT_MISSING_CONTACT_INFO:
    'The management account is missing contact information. Add it in the AWS Billing console, then deploy again.',
  MANAGEMENT_ACCOUNT_EMAIL_NOT_VERIFIED:
    'Verify the management account\'s email address, then deploy again.',
  TAG_POLICY_VIOLATION: 'The tags violate a tag policy of the organization. Change the tags to comply, then deploy again.',
  MAX_TAG_LIMIT_EXCEEDED:
    `Too many tags: Organizations allows at most ${ORG_INVITATION.limits.maxTags} tags per account. Remove tags, then deploy again.`,
  AWSOrganizationsNotInUseException: MANAGEMENT_ACCOUNT_HINT,
  AccessDeniedException: MANAGEMENT_ACCOUNT_HINT,
  AccountOwnerNotVerifiedException: MANAGEMENT_ACCOUNT_HINT,
  HandshakeConstraintViolationException: 'Resolve the constraint named here, then deploy again.',
  ConstraintViolationException: 'Resolve the constraint named here, then deploy again.',
  InvalidInputException: 'Check the target, notes and tags of the invitation, then deploy again.',
  DuplicateAccountException: 'The account is already a member of this organization, so there is nothing to invite: remove this OrgInvitation, then deploy again.',
};

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
