/**
 * AWS STS (awsQuery): AssumeRole hands out temporary credentials that the emulator maps to the role's account, so
 * a client built with them (e.g. `fromTemporaryCredentials`) acts as that account; GetCallerIdentity says who calls.
 */
import { Clock, Input, RequestContext, ServiceError, ServiceHandler } from './common';
import { Identities, parseRoleArn } from './identity';

/** A role's MaxSessionDuration (the IAM default): a longer DurationSeconds is a ValidationError. */
const MAX_SESSION_SECONDS = 3600;
const DEFAULT_SESSION_SECONDS = 3600;
/** The model's pattern, matched in full as STS does (the fixture's patterns are not anchored). */
const SESSION_NAME = /^[\w+=,.@-]*$/;

export class StsEmulator implements ServiceHandler {
  private readonly deniedRoles = new Set<string>();

  constructor(private readonly clock: Clock, private readonly identities: Identities) {}

  // ---- test helpers -------------------------------------------------------------------------------------------

  /**
   * The role can't be assumed (it does not exist, or its trust policy does not name the caller: AWS answers both
   * the same way): AssumeRole answers AccessDenied (403) naming the caller and the role. `roleArn` is
   * `arn:aws:iam::<account>:role/<name>`.
   */
  denyRole(roleArn: string): void {
    if (!parseRoleArn(roleArn)) throw new Error(`not a role ARN: ${roleArn}`);
    this.deniedRoles.add(roleArn);
  }

  allowRole(roleArn: string): void {
    this.deniedRoles.delete(roleArn);
  }

  /** Role sessions handed out so far: account, role, session name (never the secrets). */
  sessions(): Array<{ accountId: string; roleArn: string; sessionName: string; assumedBy: string }> {
    return this.identities.sessions().map(s => ({ accountId: s.accountId, roleArn: s.roleArn, sessionName: s.sessionName, assumedBy: s.assumedBy }));
  }

  // ---- API ----------------------------------------------------------------------------------------------------

  handle(operation: string, input: Input, context: RequestContext): unknown {
    switch (operation) {
      case 'AssumeRole':
        return this.assumeRole(input, context);
      case 'GetCallerIdentity':
        return { UserId: context.principal.userId, Account: context.principal.accountId, Arn: context.principal.arn };
      default:
        throw new Error(`STS operation ${operation} is not emulated`);
    }
  }

  private assumeRole(input: Input, context: RequestContext) {
    const roleArn = input.RoleArn as string;
    const sessionName = input.RoleSessionName as string;
    const role = parseRoleArn(roleArn);
    if (!role) throw new ServiceError('ValidationError', `${roleArn} is invalid`, {}, 400, true);
    if (!SESSION_NAME.test(sessionName)) {
      throw new ServiceError('ValidationError', '1 validation error detected: Value at \'roleSessionName\' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*', {}, 400, true);
    }
    const seconds = (input.DurationSeconds as number | undefined) ?? DEFAULT_SESSION_SECONDS;
    if (seconds > MAX_SESSION_SECONDS) {
      throw new ServiceError('ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.', {}, 400);
    }
    if (this.deniedRoles.has(roleArn) || context.isDenied('sts:AssumeRole')) {
      throw new ServiceError('AccessDenied',
        `User: ${context.principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, {}, 403);
    }
    const credentials = this.identities.mint(roleArn, sessionName, seconds * 1000, this.clock.now(), context.principal.accountId);
    return {
      Credentials: {
        AccessKeyId: credentials.accessKeyId,
        SecretAccessKey: credentials.secretAccessKey,
        SessionToken: credentials.sessionToken,
        Expiration: new Date(credentials.expiresAt),
      },
      AssumedRoleUser: {
        AssumedRoleId: `${this.identities.resolve(credentials.accessKeyId).userId}`,
        Arn: `arn:aws:sts::${role.accountId}:assumed-role/${role.roleName}/${sessionName}`,
      },
      PackedPolicySize: input.Policy === undefined ? undefined : 6,
    };
  }
}
