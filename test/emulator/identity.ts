/**
 * Who calls: the emulator reads the caller's account from the access key ID of the request's SigV4 credential.
 *
 * - `AKIA<12-digit account><4 characters>` (what `credentialsFor(accountId)` returns): that account.
 * - `ASIA…` keys handed out by the emulated STS AssumeRole: the role's account, as that role's session.
 * - any other key (e.g. `test`), and unsigned requests: the default account, as a "legacy" caller that may also
 *   answer invitations on the invitee's behalf (Macie AcceptInvitation, WorkSpaces Accept/Reject), as the
 *   single-account emulator allowed before accounts existed.
 */
import { createHash, randomBytes } from 'node:crypto';

export const DEFAULT_ACCOUNT_ID = '111111111111';
const ACCOUNT_ID = /^\d{12}$/;
const ACCOUNT_KEY = /^AKIA(\d{12})[A-Z0-9]{4}$/;

/** Static credentials of an account, as a child process or an SDK client takes them. */
export interface AccountCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** The principal behind a request. */
export interface Principal {
  readonly accountId: string;
  /** `arn:aws:iam::<account>:user/emulator` or `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  readonly arn: string;
  readonly userId: string;
  /** For assumed-role sessions. */
  readonly roleName?: string;
  /** A key that names no account: the default account, allowed to answer invitations on the invitee's behalf. */
  readonly legacy: boolean;
}

export interface RoleSession {
  readonly accountId: string;
  readonly roleArn: string;
  readonly roleName: string;
  readonly sessionName: string;
  readonly accessKeyId: string;
  readonly expiresAt: number;
  /** Account that assumed the role. */
  readonly assumedBy: string;
}

/**
 * Deterministic credentials for an account: `AKIA<account>EMUL`, secret derived from the account. Pure: usable
 * before the emulator starts (e.g. to build a child process's environment).
 */
export function credentialsFor(accountId: string): AccountCredentials {
  if (!ACCOUNT_ID.test(accountId)) throw new Error(`not an account ID: ${accountId}`);
  return {
    accessKeyId: `AKIA${accountId}EMUL`,
    secretAccessKey: createHash('sha256').update(`emulator ${accountId}`).digest('base64').slice(0, 40),
  };
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

/** `{ accountId, roleName }` of a role ARN, or undefined for anything else. */
export function parseRoleArn(arn: string): { accountId: string; roleName: string } | undefined {
  const match = ROLE_ARN.exec(arn);
  return match ? { accountId: match[1], roleName: match[2] } : undefined;
}

export class Identities {
  private readonly sessionsByKey = new Map<string, RoleSession>();

  constructor(readonly defaultAccountId: string) {}

  /** The principal of a request signed with `accessKeyId` (undefined: unsigned). */
  resolve(accessKeyId: string | undefined): Principal {
    const session = accessKeyId === undefined ? undefined : this.sessionsByKey.get(accessKeyId);
    if (session) {
      return {
        accountId: session.accountId,
        arn: `arn:aws:sts::${session.accountId}:assumed-role/${session.roleName}/${session.sessionName}`,
        userId: `AROA${hash(session.roleArn, 17)}:${session.sessionName}`,
        roleName: session.roleName,
        legacy: false,
      };
    }
    const account = accessKeyId === undefined ? undefined : ACCOUNT_KEY.exec(accessKeyId)?.[1];
    const accountId = account ?? this.defaultAccountId;
    return { accountId, arn: `arn:aws:iam::${accountId}:user/emulator`, userId: `AIDA${hash(accountId, 17)}`, legacy: account === undefined };
  }

  /** New temporary credentials for a role session (STS AssumeRole). */
  mint(roleArn: string, sessionName: string, durationMs: number, now: number, assumedBy: string): AccountCredentials & { expiresAt: number } {
    const role = parseRoleArn(roleArn);
    if (!role) throw new Error(`not a role ARN: ${roleArn}`);
    const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const expiresAt = now + durationMs;
    this.sessionsByKey.set(accessKeyId, { ...role, roleArn, sessionName, accessKeyId, expiresAt, assumedBy });
    return {
      accessKeyId,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(96).toString('base64'),
      expiresAt,
    };
  }

  /** Role sessions handed out so far (no secrets). */
  sessions(): RoleSession[] {
    return [...this.sessionsByKey.values()];
  }
}

function hash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').toUpperCase().slice(0, length);
}
