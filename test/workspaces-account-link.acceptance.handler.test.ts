/**
 * WorkSpacesAccountLink with `acceptance` (AcceptRoleName): invite, then accept in the target account through the
 * assumed role's clients; a failed acceptance deletes the pending link this request created, never another.
 */
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
import { InvitationError } from '../lambda/shared/errors';
import type { RequestContext } from '../lambda/shared/runtime';
import { WorkSpacesClients, createAccountLink, updateAccountLink } from '../lambda/workspaces/inviter/lifecycle';
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
    PhysicalResourceId: LINK,
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
  assumeError = new InvitationError(`Assuming role ${ROLE} in account ${TARGET} (arn:aws:iam::${TARGET}:role/${ROLE}) to accept the invitation failed with AccessDenied: not authorized.`);

  const failure = createAccountLink(clients(), PROPS, CTX);

  await expect(failure).rejects.toThrow(new RegExp(`^The pending invitation ${LINK} this deployment created was deleted again, because ` +
    `accepting it failed: Assuming role ${ROLE} in account ${TARGET} .*failed with AccessDenied`));
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
    new RegExp(`^The pending invitation ${LINK} this deployment created was deleted again, because accepting it failed: ` +
      `Accepting the WorkSpaces account link invitation ${LINK} from source account ${OWN} in .* failed with ` +
      `AccessDeniedException: not authorized\\. Check that role ${ROLE} in account ${TARGET} may call workspaces:ListAccountLinks, ` +
      'workspaces:GetAccountLink and workspaces:AcceptAccountLinkInvitation \\(service control policies and permission boundaries can deny them\\)\\.$'));
  expect(source.commandCalls(DeleteAccountLinkInvitationCommand)).toHaveLength(1);
});

test('a link that is LINKED by the time of the clean-up is never deleted', async () => {
  source.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: link(PENDING) });
  source.on(GetAccountLinkCommand).resolves({ AccountLink: link('LINKED') });
  target.on(GetAccountLinkCommand).resolves({ AccountLink: link(PENDING) });
  target.on(AcceptAccountLinkInvitationCommand).rejects(awsError('InternalServerException', 'boom'));

  await expect(createAccountLink(clients(), PROPS, CTX)).rejects.toThrow(/InternalServerException/);
  expect(source.commandCalls(DeleteAccountLinkInvitationCommand)).toHaveLength(0);
});

test('an adopted link (ConflictException: invited by someone else) is not deleted when the acceptance fails', async () => {
  source.on(CreateAccountLinkInvitationCommand).rejects(awsError('ConflictException'));
  source.on(ListAccountLinksCommand).resolves({ AccountLinks: [link(PENDING)] });
  assumeError = new InvitationError(`Assuming role ${ROLE} in account ${TARGET} failed with AccessDenied.`);

  await expect(createAccountLink(clients(), PROPS, CTX)).rejects.toThrow(/^Assuming role LinkAccepter in account 333333333333 failed with AccessDenied\.$/);
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
  assumeError = new InvitationError('Assuming role LinkAccepter in account 333333333333 failed with AccessDenied.');

  await expect(createAccountLink(clients(), PROPS, CTX)).rejects.toThrow(
    /^Accepting the invitation failed, and the pending invitation link-abcd1234efgh this deployment created could not be deleted \(.*AccessDeniedException.*\): delete it in the WorkSpaces console \(Account settings\)\. Assuming role/);
});

test('an update to a new target invites and accepts there; an unchanged pending link gets accepted when acceptance is added', async () => {
  source.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: link(PENDING) });
  target.on(GetAccountLinkCommand).resolves({ AccountLink: link(PENDING) });
  target.on(AcceptAccountLinkInvitationCommand).resolves({ AccountLink: link('LINKED') });

  const moved = await updateAccountLink(clients(), 'link-0000aaaa1111', PROPS, { targetAccountId: '444444444444' }, CTX);
  expect(moved).toMatchObject({ PhysicalResourceId: LINK, Data: { AccountLinkStatus: 'LINKED' } });

  source.on(GetAccountLinkCommand).resolves({ AccountLink: link(PENDING) });
  const added = await updateAccountLink(clients(), LINK, PROPS, { targetAccountId: TARGET }, CTX);
  expect(added).toMatchObject({ PhysicalResourceId: LINK, Data: { AccountLinkStatus: 'LINKED' } });
  expect(target.commandCalls(AcceptAccountLinkInvitationCommand)).toHaveLength(2);
  expect(source.commandCalls(CreateAccountLinkInvitationCommand)).toHaveLength(1);
});
