/**
 * What both Macie handlers (the administrator side, MacieInvitations, and the member side, MacieInvitationAccepter)
 * need to read Macie's answers.
 */
import { errorMessage, isAwsError } from '../shared/errors';

/** Macie answers AccessDeniedException "Macie is not enabled" (or ResourceNotFoundException) when it is off. */
export function isMacieNotEnabled(error: unknown): boolean {
  if (isAwsError(error, 'AccessDeniedException', 'ResourceNotFoundException')) {
    return /\bnot\s+(been\s+)?enabled\b|\bisn't\s+enabled\b/i.test(errorMessage(error));
  }
  return false;
}
