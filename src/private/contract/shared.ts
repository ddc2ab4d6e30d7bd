/**
 * The parts of the construct-handler contract that more than one kind shares, written once:
 * - every accepter: how long to wait for the invitation, and what Delete does (`ACCEPTER`);
 * - every inviter that can accept through a role (`acceptance`): the role's name (`ACCEPTANCE`);
 * - every construct that removes what it made: the removal mode (`REMOVAL`);
 * - every accepter that joins an administrator account (Macie, Security Hub): its properties (`ADMINISTRATOR_ACCEPTER`);
 * - every inviter of a member list (Macie, Security Hub): the list's wire names and its account IDs (`MEMBER_LIST`).
 * Each kind's contract (`./<service>.ts`) spreads these into its properties and calls their `parse`.
 */
import { PropertyError, RawProperties, RemovalMode, readAccountId, readRemovalMode, readRoleName, readWholeNumber } from './read';
import { ACCOUNT_ID } from '../patterns';

/** The removal mode: DESTROY (remove what the resource made) or RETAIN. */
export const REMOVAL = {
  key: 'RemovalPolicy',
  properties(mode: RemovalMode): RawProperties {
    return { [REMOVAL.key]: mode };
  },
  parse(raw: RawProperties): RemovalMode {
    return readRemovalMode(raw, REMOVAL.key);
  },
} as const;

/** What every accepter's handler reads besides its inviter. */
export interface AccepterCommon {
  /** How long Create waits for the invitation, in milliseconds (0 = look once). */
  readonly waitTimeoutMs: number;
}

/** Every accepter's wait (an accepter that can leave adds `REMOVAL`). */
export const ACCEPTER = {
  waitKey: 'WaitTimeoutSeconds',
  /** The wait when `waitTimeout` is not given: 5 minutes. */
  defaultWaitSeconds: 5 * 60,
  /** The longest wait: one Lambda invocation (15 minutes) must still accept and answer within `acceptMarginSeconds`. */
  maxWaitSeconds: 14 * 60,
  /** What a handler needs besides waiting: the accept call(s), their retries, and the answer to CloudFormation. */
  acceptMarginSeconds: 60,
  /** The shortest timeout of an accepter's function. */
  minLambdaSeconds: 2 * 60,
  properties(input: { readonly waitSeconds: number }): RawProperties {
    return { [ACCEPTER.waitKey]: input.waitSeconds };
  },
  parse(raw: RawProperties): AccepterCommon {
    const seconds = readWholeNumber(raw, ACCEPTER.waitKey, ACCEPTER.defaultWaitSeconds, 0, ACCEPTER.maxWaitSeconds);
    return { waitTimeoutMs: seconds * 1000 };
  },
} as const;

/**
 * The wire name of the administrator account an accepter joins: the Macie and Security Hub accepters' property, the
 * Detective accepter's attribute. One name for every kind with an administrator.
 */
export const ADMINISTRATOR_ACCOUNT_ID = 'AdministratorAccountId';

/** The role an inviter assumes in the invited account(s) to accept there (`Acceptance.assumeRole`). */
export const ACCEPTANCE = {
  roleNameKey: 'AcceptRoleName',
  properties(roleName: string | undefined): RawProperties {
    return roleName === undefined ? {} : { [ACCEPTANCE.roleNameKey]: roleName };
  },
  /** The role name, or undefined without `acceptance`. */
  parse(raw: RawProperties): string | undefined {
    return readRoleName(raw, ACCEPTANCE.roleNameKey);
  },
} as const;

/** What an accepter that joins an administrator account reads (Macie, Security Hub). */
export interface AdministratorAccepterProps extends AccepterCommon {
  readonly administratorAccountId: string;
  /** What Delete does with a membership this resource accepted. */
  readonly removalPolicy: RemovalMode;
}

/**
 * The properties of every accepter that joins an administrator account: the administrator, the wait and the removal
 * mode. None is sensitive (the administrator's ID must stay readable in messages). Each kind adds its attributes.
 */
export const ADMINISTRATOR_ACCEPTER = {
  keys: { administratorAccountId: ADMINISTRATOR_ACCOUNT_ID },
  properties(input: { readonly administratorAccountId: string; readonly waitSeconds: number; readonly removalPolicy: RemovalMode }): RawProperties {
    return { [ADMINISTRATOR_ACCOUNT_ID]: input.administratorAccountId, ...ACCEPTER.properties(input), ...REMOVAL.properties(input.removalPolicy) };
  },
  parse(raw: RawProperties): AdministratorAccepterProps {
    return { administratorAccountId: readAccountId(raw, ADMINISTRATOR_ACCOUNT_ID), ...ACCEPTER.parse(raw), removalPolicy: REMOVAL.parse(raw) };
  },
  sensitive(_raw: RawProperties): string[] {
    return [];
  },
} as const;

/** The member list of an inviter of members (Macie, Security Hub): `Members: [{ AccountId, Email? }, ...]`. */
export const MEMBER_LIST = {
  key: 'Members',
  accountIdKey: 'AccountId',
  emailKey: 'Email',
  /** A member entry's field, or undefined when the entry is not an object. */
  field(entry: unknown, key: string): unknown {
    return entry !== null && typeof entry === 'object' ? (entry as RawProperties)[key] : undefined;
  },
  /** The members' account IDs alone (12 digits, each once): the identifying fields of the inviter's properties. */
  readAccountIds(raw: RawProperties): { list: readonly unknown[]; accountIds: string[] } {
    const { key, accountIdKey } = MEMBER_LIST;
    const list = raw[key];
    if (!Array.isArray(list) || list.length === 0) {
      throw new PropertyError(`The property ${key} is required and must list at least one account.`);
    }
    const seen = new Set<string>();
    const accountIds = list.map((entry, i) => {
      const accountId = MEMBER_LIST.field(entry, accountIdKey);
      if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) {
        throw new PropertyError(`${key}[${i}].${accountIdKey} must be a 12-digit AWS account ID, got ${JSON.stringify(accountId)}.`);
      }
      if (seen.has(accountId)) throw new PropertyError(`${key} lists account ${accountId} more than once.`);
      seen.add(accountId);
      return accountId;
    });
    return { list, accountIds };
  },
} as const;
