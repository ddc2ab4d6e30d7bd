/**
 * WorkSpacesAccountLink with `acceptance` (AcceptRoleName): invite, then accept in the target account through the
 * assumed role's clients (the shared mechanism, lambda/shared/acceptance.ts); a failed acceptance deletes the pending
 * link this request created, never another, and says what became of it.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import {
  AcceptAccountLinkInvitationCommand,
  AccountLink,
  CreateAccountLinkInvitationCommand,
  DeleteAccountLinkInvitationCommand,
  GetAccountLinkCommand,
  ListAccountLinksCommand,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { mockClient } from 'aws-sdk-client-mock';
import { BASE, awsError, captureLogs } from './util/events';
import { expectModelValidRequests } from './util/model';
import { AssumeRoleError } from '../lambda/shared/assume-role';
import type { RequestContext } from '../lambda/shared/runtime';
import { INVITER_CLIENTS, WorkSpacesClients, createAccountLink, updateAccountLink } from '../lambda/workspaces/inviter/lifecycle';
import { clientToken } from '../lambda/workspaces/service';
import { AccountLinkProps, WORKSPACES_ACCOUNT_LINK } from '../src/private/contract/workspaces';

const parseProps = WORKSPACES_ACCOUNT_LINK.parse;

const OWN = '111111111111';
const TARGET = '333333333333';
const LINK = 'link-abcd1234efgh';
const PENDING = 'PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT';
const ROLE = 'LinkAccepter';
const CTX: RequestContext = {
  requestType: 'Create',
  stackId: BASE.StackId,
  logicalResourceId: BASE.LogicalResourceId,
  requestId: 'r-1',
  resourceType: 'Custom::WorkSpacesAccountLink',
};
const PROPS: AccountLinkProps = { targetAccountId: TARGET, acceptRoleName: ROLE };

// the source account's client (the handler's own role) and the target's (the assumed role): two instances, two mocks
const sourceClient = new WorkSpacesClient({ region: 'eu-west-1', maxAttempts: 1 });
const targetClient = new WorkSpacesClient({ region: 'eu-west-1', maxAttempts: 1 });
const source = mockClient(sourceClient);
const target = mockClient(targetClient);

function link(status: string, id = LINK): AccountLink {
  return { AccountLinkId: id, AccountLinkStatus: status as AccountLink['AccountLinkStatus'], SourceAccountId: OWN, TargetAccountId: TARGET };
}

let assumed: Array<{ roleName: string; accountId: string }>;
let assumeError: Error | undefined;

/** What the fake STS answers when the role cannot be assumed (the shared factory's error, naming account and role). */
function cannotAssume(code = 'AccessDenied', message = 'not authorized'): AssumeRoleError {
  return new AssumeRoleError(TARGET, ROLE, `arn:aws:iam::${TARGET}:role/${ROLE}`, OWN, awsError(code, message, {}, 403));
}
function clients(): WorkSpacesClients {
  return {
    workspaces: sourceClient,
    assumeRole: (roleName) => async (accountId) => {
      assumed.push({ roleName, accountId });
      if (assumeError) throw assumeError;
      return { workspaces: targetClient };
    },
  };
}

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  source.reset();
  target.reset();
  assumed = [];
  assumeError = undefined;
  process.env.CDK_ACCOUNT_INVITATIONS_ACCEPT_WAIT_MS = '0';
  logs = captureLogs();
});
afterEach(() => {
  logs.restore();
  delete process.env.CDK_ACCOUNT_INVITATIONS_ACCEPT_WAIT_MS;
});

test('AcceptRoleName is parsed (optional)', () => {
  expect(parseProps({ TargetAccountId: TARGET, AcceptRoleName: ROLE })).toEqual(PROPS);
  expect(parseProps({ TargetAccountId: TARGET })).toEqual({ targetAccountId: TARGET });
  // a role name from a parameter is checked at deploy time, with the pattern the construct checks at synth
  expect(() => parseProps({ TargetAccountId: TARGET, AcceptRoleName: 'path/Role' })).toThrow(
    'The property AcceptRoleName must be an IAM role name (1 to 64 letters, digits and +=,.@_-, no path), got "path/Role".');
});

test('invites, then accepts the very link in the target account through the role: Data reports LINKED', async () => {
  source.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: link(PENDING) });
  target.on(GetAccountLinkCommand, { LinkId: LINK }).resolves({ AccountLink: link(PENDING) });
  target.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link('LINKED') });

  const result = await createAccountLink(clients(), PROPS, CTX);

  expect(result).toEqual({
    PhysicalResourceId: `workspaces-account-link:${TARGET}:made:${LINK}`,
    Data: { AccountLinkId: LINK, AccountLinkStatus: 'LINKED', SourceAccountId: OWN, TargetAccountId: TARGET, Adopted: false },
  });
  expect(assumed).toEqual([{ roleName: ROLE, accountId: TARGET }]);
  expect(target.commandCalls(AcceptAccountLinkInvitationCommand).map((c) => c.args[0].input))
    .toEqual([{ LinkId: LINK, ClientToken: clientToken('accept', CTX, LINK) }]);
  // accepting is the target's call only: the source account never accepts, and looks up nothing
  expect(source.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(0);
  expect(target.commandCalls(ListAccountLinksCommand)).toHaveLength(0);
  expectModelValidRequests(source, 'workspaces');
  expectModelValidRequests(target, 'workspaces');
});

test('a role that cannot be assumed: fails naming the account and the role, and deletes the pending link it created', async () => {
  source.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: link(PENDING) });
  source.on(GetAccountLinkCommand).resolves({ AccountLink: link(PENDING) });
  source.on(DeleteAccountLinkInvitationCommand).resolves({ AccountLink: link(PENDING) });
  assumeError = cannotAssume();

  const failure = createAccountLink(clients(), PROPS, CTX);

  // the outcome first (CloudFormation shows the start of a long Reason), then the cause and what to do
  await expect(failure).rejects.toThrow(new RegExp(`^Nothing was accepted in account ${TARGET}; the pending invitation ${LINK} this ` +
    `deployment created was deleted\\. Assuming role ${ROLE} in account ${TARGET} failed with AccessDenied: not authorized\\. ` +
    `Create the role ${ROLE} in account ${TARGET} with the accept permissions listed in the README .*account ${OWN}`));
  expect(source.commandCalls(DeleteAccountLinkInvitationCommand).map((c) => c.args[0].input))
    .toEqual([{ LinkId: LINK, ClientToken: clientToken('delete', CTX, LINK) }]);
  expect(target.calls()).toHaveLength(0);
  expectModelValidRequests(source, 'workspaces');
});

test('the accept denied in the target account: names the role and the account, deletes the pending link it created', async () => {
  source.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: link(PENDING) });
  source.on(GetAccountLinkCommand).resolves({ AccountLink: link(PENDING) });
  source.on(DeleteAccountLinkInvitationCommand).resolves({});
  target.on(GetAccountLinkCommand).resolves({ AccountLink: link(PENDING) });
  target.on(AcceptAccountLinkInvitationCommand).rejects(awsError('AccessDeniedException', 'not authorized'));

  await expect(createAccountLink(clients(), PROPS, CTX)).rejects.toThrow(
    new RegExp(`^Nothing was accepted in account ${TARGET}; the pending invitation ${LINK} this deployment created was deleted\\. ` +
      `Accepting through role ${ROLE} in account ${TARGET} failed: ` +
      `Accepting the WorkSpaces account link invitation ${LINK} from source account ${OWN} in .* failed with ` +
      `AccessDeniedException: not authorized\\. Check that role ${ROLE} in account ${TARGET} may call workspaces:ListAccountLinks, ` +
      'workspaces:GetAccountLink and workspaces:AcceptAccountLinkInvitation \\(service control policies and permission boundaries can deny them\\)\\.$'));
  expect(source.commandCalls(DeleteAccountLinkInvitationCommand)).toHaveLength(1);
});

test('a link that is LINKED by the time of the clean-up is never deleted, and the failure says it stays', async () => {
  source.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: link(PENDING) });
  source.on(GetAccountLinkCommand).resolves({ AccountLink: link('LINKED') });
  target.on(GetAccountLinkCommand).resolves({ AccountLink: link(PENDING) });
  target.on(AcceptAccountLinkInvitationCommand).rejects(awsError('InternalServerException', 'boom'));

  await expect(createAccountLink(clients(), PROPS, CTX)).rejects.toThrow(new RegExp(`^Nothing was accepted in account ${TARGET}; ` +
    `the invitation ${LINK} this deployment created is LINKED now and stays \\(a LINKED link cannot be undone\\)\\. .*InternalServerException`));
  expect(source.commandCalls(DeleteAccountLinkInvitationCommand)).toHaveLength(0);
});

// issue 17 item 13: the undo said "deleted again" whatever the clean-up found
test.each([
  ['REJECTED', () => source.on(GetAccountLinkCommand).resolves({ AccountLink: link('REJECTED') }), 'is REJECTED now: there was nothing to delete'],
  ['gone', () => source.on(GetAccountLinkCommand).rejects(awsError('ResourceNotFoundException')), 'is LINK_NOT_FOUND now: there was nothing to delete'],
])('a link that is %s by the time of the clean-up: the failure never says it was deleted', async (_, setUp, says) => {
  source.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: link(PENDING) });
  setUp();
  assumeError = cannotAssume();

  const failure = createAccountLink(clients(), PROPS, CTX);

  await expect(failure).rejects.toThrow(`Nothing was accepted in account ${TARGET}; the invitation ${LINK} this deployment created ${says}. `);
  await expect(failure).rejects.not.toThrow(/deleted/);
  expect(source.commandCalls(DeleteAccountLinkInvitationCommand)).toHaveLength(0);
});

test('an adopted link (ConflictException: invited by someone else) is not deleted when the acceptance fails', async () => {
  source.on(CreateAccountLinkInvitationCommand).rejects(awsError('ConflictException'));
  source.on(ListAccountLinksCommand).resolves({ AccountLinks: [link(PENDING)] });
  assumeError = cannotAssume();

  await expect(createAccountLink(clients(), PROPS, CTX)).rejects.toThrow(
    /^Nothing was accepted in account 333333333333\. Assuming role LinkAccepter in account 333333333333 failed with AccessDenied/);
  expect(source.commandCalls(GetAccountLinkCommand)).toHaveLength(0);
  expect(source.commandCalls(DeleteAccountLinkInvitationCommand)).toHaveLength(0);
});

test('an adopted LINKED link: the acceptance adopts it too (no accept call)', async () => {
  source.on(CreateAccountLinkInvitationCommand).rejects(awsError('ConflictException'));
  source.on(ListAccountLinksCommand).resolves({ AccountLinks: [link('LINKED')] });
  target.on(GetAccountLinkCommand).resolves({ AccountLink: link('LINKED') });

  await expect(createAccountLink(clients(), PROPS, CTX)).resolves.toMatchObject({ Data: { AccountLinkStatus: 'LINKED', Adopted: true } });
  expect(target.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(0);
});

test('a clean-up that fails too: the message says so and how to delete the invitation by hand', async () => {
  source.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: link(PENDING) });
  source.on(GetAccountLinkCommand).rejects(awsError('AccessDeniedException', 'no'));
  assumeError = cannotAssume();

  await expect(createAccountLink(clients(), PROPS, CTX)).rejects.toThrow(
    /^Nothing was accepted in account 333333333333; the pending invitation link-abcd1234efgh this deployment created could not be deleted \(AccessDeniedException\): delete it in the WorkSpaces console \(Account settings\)\. Assuming role/);
});

test('an update to a new target invites and accepts there; an unchanged pending link gets accepted when acceptance is added', async () => {
  source.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: link(PENDING) });
  target.on(GetAccountLinkCommand).resolves({ AccountLink: link(PENDING) });
  target.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link('LINKED') });

  const moved = await updateAccountLink(clients(), 'link-0000aaaa1111', PROPS, { targetAccountId: '444444444444' }, CTX);
  expect(moved).toMatchObject({ PhysicalResourceId: `workspaces-account-link:${TARGET}:made:${LINK}`, Data: { AccountLinkStatus: 'LINKED' } });

  source.on(GetAccountLinkCommand).resolves({ AccountLink: link(PENDING) });
  const added = await updateAccountLink(clients(), LINK, PROPS, { targetAccountId: TARGET }, CTX);
  expect(added).toMatchObject({ PhysicalResourceId: LINK, Data: { AccountLinkStatus: 'LINKED' } });
  expect(target.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(2);
  expect(source.commandCalls(CreateAccountLinkInvitationCommand)).toHaveLength(1);
});

// issue 17 item 13: the clients made from the role's credentials served one request and were never released
test.each([
  ['accepted', () => target.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link('LINKED') })],
  ['failed', () => target.on(AcceptAccountLinkInvitationCommand).rejects(awsError('AccessDeniedException', 'not authorized'))],
])('the target account\'s clients are released after the acceptance (%s)', async (_, setUp) => {
  source.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: link(PENDING) });
  source.on(GetAccountLinkCommand).resolves({ AccountLink: link(PENDING) });
  source.on(DeleteAccountLinkInvitationCommand).resolves({});
  target.on(GetAccountLinkCommand).resolves({ AccountLink: link(PENDING) });
  setUp();
  const destroy = jest.spyOn(targetClient, 'destroy').mockImplementation(() => undefined);
  const sourceDestroy = jest.spyOn(sourceClient, 'destroy').mockImplementation(() => undefined);
  try {
    await createAccountLink(clients(), PROPS, CTX).catch(() => undefined);
    expect(destroy).toHaveBeenCalledTimes(1);
    // the function's own clients serve the next requests too
    expect(sourceDestroy).not.toHaveBeenCalled();
  } finally {
    destroy.mockRestore();
    sourceDestroy.mockRestore();
  }
});

/**
 * The real clients factory of the inviter (INVITER_CLIENTS.perRequest: the shared `assumeRole`) against an STS
 * endpoint that accepts connections and never answers (issue 17 item 13).
 */
describe('assuming the role through the inviter\'s own clients factory', () => {
  const saved = { ...process.env };
  let server: http.Server;
  let hung: number;

  beforeAll(async () => {
    hung = 0;
    server = http.createServer(() => { hung++; });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      CDK_ACCOUNT_INVITATIONS_MAX_ATTEMPTS: '1',
    });
    delete process.env.AWS_PROFILE;
  });

  afterAll(async () => {
    process.env = saved;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  afterEach(() => {
    delete process.env.CDK_ACCOUNT_INVITATIONS_REQUEST_TIMEOUT_MS;
  });

  const ctx = (signal?: AbortSignal) => ({ ...CTX, signal: signal ?? new AbortController().signal });

  test('the STS call times out (the shared request timeout), and the failure names the account and the role', async () => {
    process.env.CDK_ACCOUNT_INVITATIONS_REQUEST_TIMEOUT_MS = '200';
    const started = Date.now();

    const failure = INVITER_CLIENTS.perRequest!(ctx()).assumeRole(ROLE)(TARGET);

    await expect(failure).rejects.toThrow(AssumeRoleError);
    await expect(failure).rejects.toThrow(new RegExp(`^Assuming role ${ROLE} in account ${TARGET} \\(arn:aws:iam::${TARGET}:role/${ROLE}\\) ` +
      'to accept the invitation failed with TimeoutError'));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(hung).toBeGreaterThanOrEqual(1);
  }, 10_000);

  test('the request\'s deadline signal ends the wait for STS at once', async () => {
    process.env.CDK_ACCOUNT_INVITATIONS_REQUEST_TIMEOUT_MS = '60000';
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('the deadline')), 100);

    await expect(INVITER_CLIENTS.perRequest!(ctx(controller.signal)).assumeRole(ROLE)(TARGET)).rejects.toThrow('the deadline');
    expect(Date.now() - started).toBeLessThan(3_000);
  }, 10_000);
});
