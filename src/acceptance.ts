import { Construct } from 'constructs';

/**
 * What an `Acceptance` gives the inviter it is bound to. Every field is optional, so that another kind of
 * acceptance can add its own.
 */
export interface AcceptanceConfig {
  /**
   * The name of the role the handler assumes in the invited account to accept there (without a path).
   *
   * @default - no role: the inviter fails at synth time, as no other kind of acceptance exists yet
   */
  readonly roleName?: string;
}

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

  /**
   * Called by the inviter that uses this acceptance, once per inviter.
   *
   * @param scope the inviting construct
   */
  public abstract bind(scope: Construct): AcceptanceConfig;
}

class RoleAcceptance extends Acceptance {
  constructor(private readonly roleName: string) {
    super();
  }

  public bind(_scope: Construct): AcceptanceConfig {
    return { roleName: this.roleName };
  }
}
