/**
 * How an inviter also accepts its invitation in the same deployment, through a role in the invited account.
 *
 * Platform teams often already hold such a role in the accounts they invite (created with the account, by a
 * baseline, or by AWS Control Tower: `AWSControlTowerExecution`). The role needs only the accept permissions of the
 * kind of invitation (listed in the README), and must trust the inviting account.
 */
export abstract class Acceptance {
  /**
   * After inviting, the handler assumes `arn:<partition>:iam::<invited account>:role/<roleName>` and accepts the
   * invitation there. The inviter's role gets `sts:AssumeRole` on that role name only.
   *
   * @param roleName the name of the role in the invited account(s), without a path (e.g. `OrganizationAccountAccessRole`)
   */
  public static assumeRole(roleName: string): Acceptance {
    return new RoleAcceptance(roleName);
  }

  /** The name of the role assumed in the invited account. */
  public abstract readonly roleName: string;
}

class RoleAcceptance extends Acceptance {
  constructor(public readonly roleName: string) {
    super();
  }
}
