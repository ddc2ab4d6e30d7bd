/**
 * What to do after an AWS Organizations error when inviting (management account). The message always names the
 * reason code or error name itself (`failedWith`); these say what to do about it. Kept apart from the accepting
 * side's hints (`./accept-hints.ts`), which the accepter's bundle loads without this table.
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
