/**
 * How the invited account is identified.
 */
export enum InvitationTargetType {
  /** The target is a 12-digit AWS account ID. */
  ACCOUNT = 'ACCOUNT',
  /** The target is the email address of the account's owner (its root user). */
  EMAIL = 'EMAIL',
}

/**
 * The account an `OrgInvitation` invites: by account ID, or by the email address of its owner.
 *
 * Both factories accept tokens (a `CfnParameter`, an SSM value, an import): the kind of target is then known at
 * synth time and the value is checked at deploy time. A literal value is checked at synth time by the
 * `OrgInvitation` that uses it.
 */
export abstract class InvitationTarget {
  /**
   * Invites the account with this 12-digit ID. Allows `acceptance` on the invitation.
   *
   * @param accountId the 12-digit AWS account ID (tokens allowed)
   */
  public static account(accountId: string): InvitationTarget {
    return new LiteralTarget(InvitationTargetType.ACCOUNT, accountId);
  }

  /**
   * Invites the account whose owner (root user) has this email address.
   *
   * @param address the email address of the account's owner (tokens allowed). Treated as sensitive by the handler:
   * never logged.
   */
  public static email(address: string): InvitationTarget {
    return new LiteralTarget(InvitationTargetType.EMAIL, address);
  }

  /** Whether `value` is an account ID or an email address. */
  public abstract readonly type: InvitationTargetType;

  /** The account ID or the email address, as given (possibly a token). */
  public abstract readonly value: string;
}

class LiteralTarget extends InvitationTarget {
  constructor(public readonly type: InvitationTargetType, public readonly value: string) {
    super();
  }
}
