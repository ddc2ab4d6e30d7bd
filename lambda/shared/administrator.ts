/**
 * What every accepter that joins an administrator account shares (Macie, Security Hub): the administrator is both what
 * the resource expects and the inviter, and the invitation ID (`NONE` for an association no invitation made, e.g.
 * through AWS Organizations) identifies the relationship. A kind's `AccepterSpec` spreads `administratorSpec(...)` and
 * adds its service's calls.
 */
import type { AccepterSpec } from './accepter';
import { NO_INVITATION } from './accepter';
import { ACCOUNT_ID } from './props';
import type { StackTargets } from './stack';
import type { AccepterCommon } from '../../src/private/contract/shared';

/** The properties of an accepter that joins an administrator. */
export interface AdministratorProps extends AccepterCommon {
  readonly administratorAccountId: string;
}

/** The spec parts `administratorSpec` fills in. */
type AdministratorParts<P extends AdministratorProps, A> =
  Pick<AccepterSpec<P, never, A>, 'targets' | 'inviterAccount' | 'identify' | 'expects' | 'sameExpectation'>;

/**
 * The administrator parts of an accepter's spec. `wireKey`: the template property that names the administrator (what
 * the stack's other accepters of the kind expect: a renamed construct expects the same one, and it stays).
 */
export function administratorSpec<P extends AdministratorProps, A extends { readonly invitationId: string }>(
  wireKey: string,
): AdministratorParts<P, A> & { readonly targets: StackTargets<P> } {
  return {
    targets: {
      keys: (props) => [props.administratorAccountId],
      templateValues: (properties) => [properties[wireKey]],
      key: (value) => (ACCOUNT_ID.test(value) ? value : undefined),
    },
    inviterAccount: (props) => props.administratorAccountId,
    identify: (props, attributes) => ({
      inviter: props.administratorAccountId,
      // an association no invitation made (AWS Organizations) has none: the physical ID says NONE
      ...(attributes.invitationId !== NO_INVITATION ? { invitationId: attributes.invitationId } : {}),
    }),
    expects: (props, recorded) => props.administratorAccountId === recorded.inviter,
    sameExpectation: (props, oldProps) => props.administratorAccountId === oldProps.administratorAccountId,
  };
}
