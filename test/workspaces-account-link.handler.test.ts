import { Readable } from 'stream';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AccountLink,
  CreateAccountLinkInvitationCommand,
  DeleteAccountLinkInvitationCommand,
  GetAccountLinkCommand,
  ListAccountLinksCommand,
  ListAccountLinksCommandInput,
  ListAccountLinksCommandOutput,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { mockClient } from 'aws-sdk-client-mock';
import { BASE, awsError, captureLogs, createEvent, deleteEvent, updateEvent } from './util/events';
import { expectModelValidRequests as expectModelValid } from './util/model';
import { mockStackKeepingNothing } from './util/stack';
import type { RequestContext } from '../lambda/shared/runtime';
import { handler } from '../lambda/workspaces/inviter';
import { findLink } from '../lambda/workspaces/inviter/invite';
import { INVITER_CLIENTS, accountLinkLifecycle, createAccountLink, updateAccountLink } from '../lambda/workspaces/inviter/lifecycle';
import { deleteAccountLink } from '../lambda/workspaces/inviter/remove';
import { MAX_CLIENT_TOKEN, clientToken } from '../lambda/workspaces/service';
import { AccountLinkProps, WORKSPACES_ACCOUNT_LINK } from '../src/private/contract/workspaces';

const ownsPhysicalId = accountLinkLifecycle.ownsPhysicalId;

const ws = mockClient(WorkSpacesClient);
const clients = { workspaces: new WorkSpacesClient({ region: 'eu-west-1', maxAttempts: 1 }) };

/** The stack and logical ID of the events of test/util/events.ts. */
const STACK_ID = BASE.StackId;
const OWN = '111111111111';
const CTX: RequestContext = {
  requestType: 'Create',
  stackId: STACK_ID,
  logicalResourceId: BASE.LogicalResourceId,
  requestId: 'r-1',
  resourceType: 'Custom::WorkSpacesAccountLink',
};
const TARGET: AccountLinkProps = { targetAccountId: '333333333333' };
const OTHER: AccountLinkProps = { targetAccountId: '444444444444' };

const LINK_ID = 'link-abcd1234efgh';
/** What the physical ID records (lambda/workspaces/inviter/record.ts): the target, made or adopted, the link. */
const made = (linkId: string, target = TARGET.targetAccountId) => `workspaces-account-link:${target}:made:${linkId}`;
const adopted = (linkId: string, target = TARGET.targetAccountId) => `workspaces-account-link:${target}:adopted:${linkId}`;
/** A link this resource made; `LINK_ID` alone is an earlier version's physical ID (whether it made the link is unknown). */
const MADE_ID = made(LINK_ID);
const PENDING = 'PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT';

function link(id: string, status: string, target = TARGET.targetAccountId, source = OWN): AccountLink {
  return { AccountLinkId: id, AccountLinkStatus: status as AccountLink['AccountLinkStatus'], SourceAccountId: source, TargetAccountId: target };
}

/** Every request sent so far satisfies the WorkSpaces service model (required members, patterns, lengths, ranges). */
function expectModelValidRequests(): void {
  expectModelValid(ws, 'workspaces');
}

function createToken(index = 0): string {
  return ws.commandCalls(CreateAccountLinkInvitationCommand)[index].args[0].input.ClientToken!;
}

let logs: ReturnType<typeof captureLogs>;

beforeEach(() => {
  ws.reset();
  logs = captureLogs();
});

afterEach(() => logs.restore());

describe('client token', () => {
  beforeEach(() => {
    ws.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: link(LINK_ID, PENDING) });
  });

  test('the same request sends the same token: 64 ASCII characters, valid for the model', async () => {
    await createAccountLink(clients, TARGET, CTX);
    await createAccountLink(clients, TARGET, { ...CTX, requestId: 'a-retry-has-another-request-id' });

    const token = createToken(0);
    expect(createToken(1)).toBe(token);
    expect(token).toMatch(/^[\x21-\x7e]{1,64}$/);
    expect(token.length).toBeLessThanOrEqual(MAX_CLIENT_TOKEN);
    expectModelValidRequests();
  });

  test('another target, stack or logical ID sends another token', async () => {
    await createAccountLink(clients, TARGET, CTX);
    await createAccountLink(clients, OTHER, CTX);
    await createAccountLink(clients, TARGET, { ...CTX, stackId: STACK_ID.replace('5b1c4e10', '6c2d5f21') });
    await createAccountLink(clients, TARGET, { ...CTX, logicalResourceId: 'Other1A2B3C4D' });

    const tokens = [0, 1, 2, 3].map(createToken);
    expect(new Set(tokens).size).toBe(4);
  });

  test('tokens are a pure function of purpose, stack, logical ID and parts', () => {
    expect(clientToken('create', CTX, '333333333333')).toBe(clientToken('create', { ...CTX }, '333333333333'));
    expect(clientToken('create', CTX, '333333333333')).not.toBe(clientToken('update', CTX, '333333333333'));
    expect(clientToken('delete', CTX, LINK_ID)).not.toBe(clientToken('delete', CTX, 'link-zzzz9999yyyy'));
  });
});

describe('create', () => {
  test('sends TargetAccountId and ClientToken; the physical ID records the link it made, Data carries the link', async () => {
    ws.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: link(LINK_ID, PENDING) });

    const result = await createAccountLink(clients, TARGET, CTX);

    expect(result).toEqual({
      PhysicalResourceId: MADE_ID,
      Data: {
        AccountLinkId: LINK_ID,
        AccountLinkStatus: PENDING,
        SourceAccountId: OWN,
        TargetAccountId: '333333333333',
        Adopted: false,
      },
    });
    const calls = ws.commandCalls(CreateAccountLinkInvitationCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({ TargetAccountId: '333333333333', ClientToken: clientToken('create', CTX, '333333333333') });
    expect(ws.commandCalls(ListAccountLinksCommand)).toHaveLength(0);
  });

  test('the stack\'s own account (known only at deploy time) fails without calling WorkSpaces', async () => {
    await expect(createAccountLink(clients, { targetAccountId: OWN }, CTX))
      .rejects.toThrow(/TargetAccountId 111111111111 is the stack's own account/);
    expect(ws.calls()).toHaveLength(0);
  });

  test('a link answered without its accounts: Data names the stack\'s account and the target, never an empty value', async () => {
    ws.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: { AccountLinkId: LINK_ID } });
    const result = await createAccountLink(clients, TARGET, CTX);
    expect(result.Data).toEqual({
      AccountLinkId: LINK_ID, AccountLinkStatus: PENDING, SourceAccountId: OWN, TargetAccountId: '333333333333', Adopted: false,
    });
  });

  test('a link without an ID fails clearly', async () => {
    ws.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: { AccountLinkStatus: PENDING } });
    await expect(createAccountLink(clients, TARGET, CTX)).rejects.toThrow(/without an ID/);
  });

  test('Data holds only the known, bounded fields: far under 4096 bytes whatever the service returns', async () => {
    ws.on(CreateAccountLinkInvitationCommand).resolves({
      AccountLink: { ...link(`link-${'x'.repeat(24)}`, PENDING), Unmodeled: 'y'.repeat(10_000) } as AccountLink,
    });

    const result = await createAccountLink(clients, TARGET, CTX);

    expect(Object.keys(result.Data!).sort()).toEqual(['AccountLinkId', 'AccountLinkStatus', 'Adopted', 'SourceAccountId', 'TargetAccountId']);
    expect(Buffer.byteLength(JSON.stringify(result.Data))).toBeLessThan(4096);
  });
});

describe('create: ConflictException adopts the existing link', () => {
  beforeEach(() => {
    ws.on(CreateAccountLinkInvitationCommand).rejects(awsError('ConflictException', 'The TargetAccountId is already linked or invited.'));
  });

  test('pages until NextToken is empty, past empty pages, and adopts the match', async () => {
    const pages: ListAccountLinksCommandOutput[] = [
      { AccountLinks: [], NextToken: 't1', $metadata: {} },
      { AccountLinks: [link('link-other00001', PENDING, OTHER.targetAccountId)], NextToken: 't2', $metadata: {} },
      { NextToken: 't3', $metadata: {} },
      { AccountLinks: [link(LINK_ID, 'LINKED')], $metadata: {} },
    ];
    // the SDK's paginator reuses one input object: record each request's input when it is sent
    const sent: ListAccountLinksCommandInput[] = [];
    ws.on(ListAccountLinksCommand).callsFake((input: ListAccountLinksCommandInput) => {
      sent.push({ ...input });
      return pages.shift();
    });

    const result = await createAccountLink(clients, TARGET, CTX);

    expect(result).toEqual({
      PhysicalResourceId: adopted(LINK_ID),
      Data: { AccountLinkId: LINK_ID, AccountLinkStatus: 'LINKED', SourceAccountId: OWN, TargetAccountId: '333333333333', Adopted: true },
    });
    expect(sent).toEqual([
      { MaxResults: 25 },
      { MaxResults: 25, NextToken: 't1' },
      { MaxResults: 25, NextToken: 't2' },
      { MaxResults: 25, NextToken: 't3' },
    ]);
    expect(pages).toEqual([]);
    expectModelValidRequests();
  });

  test('a pending or linked link wins over an ended one listed earlier', async () => {
    ws.on(ListAccountLinksCommand)
      .resolvesOnce({ AccountLinks: [link('link-rejected01', 'REJECTED')], NextToken: 't1' })
      .resolvesOnce({ AccountLinks: [link(LINK_ID, PENDING)] });

    const result = await createAccountLink(clients, TARGET, CTX);
    expect(result.PhysicalResourceId).toBe(adopted(LINK_ID));
  });

  test('without a pending or linked one, the other link to the target is adopted', async () => {
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link('link-failed0001', 'LINKING_FAILED')] });
    const result = await createAccountLink(clients, TARGET, CTX);
    expect(result.Data).toMatchObject({ AccountLinkId: 'link-failed0001', AccountLinkStatus: 'LINKING_FAILED', Adopted: true });
  });

  test('links of other source accounts are not adopted; no match fails with what to do', async () => {
    ws.on(ListAccountLinksCommand)
      .resolvesOnce({ AccountLinks: [link('link-foreign001', PENDING, TARGET.targetAccountId, '555555555555')], NextToken: 't1' })
      .resolvesOnce({ AccountLinks: [], NextToken: '' });

    await expect(createAccountLink(clients, TARGET, CTX)).rejects.toThrow(
      /already linked or invited \(ConflictException: .*\), but ListAccountLinks in .* shows no link to it\. .*delete a stale invitation, then deploy again/,
    );
    // an empty NextToken ends the paging
    expect(ws.commandCalls(ListAccountLinksCommand)).toHaveLength(2);
  });

  test('a link in the other direction is named in the failure', async () => {
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link('link-reverse001', PENDING, OWN, TARGET.targetAccountId)] });
    await expect(createAccountLink(clients, TARGET, CTX)).rejects.toThrow(
      /goes the other way: link-reverse001 \(PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT\) from account 333333333333 to this account\. Accept or reject/,
    );
  });

  test('access denied while listing fails with what to do', async () => {
    ws.on(ListAccountLinksCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform workspaces:ListAccountLinks'));
    await expect(createAccountLink(clients, TARGET, CTX)).rejects.toThrow(
      /Adopting the existing WorkSpaces account link to account 333333333333.*AccessDeniedException: not authorized.*may call the WorkSpaces account-link actions/,
    );
  });

  test('findLink returns the match directly when it is on the first page', async () => {
    ws.on(ListAccountLinksCommand).resolvesOnce({ AccountLinks: [link(LINK_ID, PENDING)], NextToken: 'more' });
    const found = await findLink(clients, TARGET.targetAccountId, OWN);
    expect(found.match?.AccountLinkId).toBe(LINK_ID);
    expect(ws.commandCalls(ListAccountLinksCommand)).toHaveLength(1);
  });
});

describe('create: errors are classified by name (WorkSpaces answers 400 for all)', () => {
  test.each([
    ['ValidationException', /Check that targetAccountId is another account than the stack's own\. .*same AWS Organization under the same payer account.*BYOL.*Fix the cause, then deploy again\./],
    ['AccessDeniedException', /may call the WorkSpaces account-link actions .*denies account links to accounts that are not eligible: .*same AWS Organization.*BYOL/],
    ['InternalServerException', /This is a WorkSpaces service error that persisted through the retries: deploy again later\./],
    ['ResourceAccessDeniedException', /If this is transient, deploy again; otherwise fix the cause named here, then deploy again\./],
  ])('%s', async (name, hint) => {
    ws.on(CreateAccountLinkInvitationCommand).rejects(awsError(name, 'service says no'));

    const failure = createAccountLink(clients, TARGET, CTX);

    await expect(failure).rejects.toThrow(new RegExp(
      `^Creating the WorkSpaces account link invitation to account 333333333333 in .+ failed with ${name}: service says no\\. `,
    ));
    await expect(failure).rejects.toThrow(hint);
    expect(ws.commandCalls(ListAccountLinksCommand)).toHaveLength(0);
  });

  test('the message names the region of the function', async () => {
    const before = process.env.AWS_REGION;
    process.env.AWS_REGION = 'ap-southeast-2';
    try {
      ws.on(CreateAccountLinkInvitationCommand).rejects(awsError('ValidationException'));
      await expect(createAccountLink(clients, TARGET, CTX)).rejects.toThrow(/in ap-southeast-2 failed/);
    } finally {
      if (before === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = before;
    }
  });
});

describe('update', () => {
  test('a changed target is a new invitation: new physical ID, a fresh token that names the replaced link', async () => {
    ws.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: link('link-new0000001', PENDING, OTHER.targetAccountId) });

    const result = await updateAccountLink(clients, MADE_ID, OTHER, TARGET, { ...CTX, requestType: 'Update' });

    // the link made before is named, for this update's rollback
    expect(result.PhysicalResourceId).toBe(`${made('link-new0000001', OTHER.targetAccountId)}:replaced:${LINK_ID}`);
    expect(result.Data).toMatchObject({ TargetAccountId: OTHER.targetAccountId, Adopted: false });
    const input = ws.commandCalls(CreateAccountLinkInvitationCommand)[0].args[0].input;
    expect(input.TargetAccountId).toBe(OTHER.targetAccountId);
    expect(input.ClientToken).toBe(clientToken('update', CTX, OTHER.targetAccountId, LINK_ID));
    expect(input.ClientToken).not.toBe(clientToken('create', CTX, OTHER.targetAccountId));
    expect(ws.commandCalls(GetAccountLinkCommand)).toHaveLength(0);
    expect(ws.commandCalls(DeleteAccountLinkInvitationCommand)).toHaveLength(0);
    expectModelValidRequests();
  });

  test('A -> B -> A sends a token other than the first Create\'s; a retried update sends the same one', async () => {
    ws.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: link('link-back000001', PENDING) });

    await updateAccountLink(clients, 'link-bbbb00000001', TARGET, OTHER, CTX);
    await updateAccountLink(clients, 'link-bbbb00000001', TARGET, OTHER, CTX);

    expect(createToken(0)).not.toBe(clientToken('create', CTX, TARGET.targetAccountId));
    expect(createToken(1)).toBe(createToken(0));
  });

  test('a changed target that is already invited adopts that link', async () => {
    ws.on(CreateAccountLinkInvitationCommand).rejects(awsError('ConflictException'));
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link('link-other00001', PENDING, OTHER.targetAccountId)] });
    const result = await updateAccountLink(clients, LINK_ID, OTHER, TARGET, CTX);
    expect(result).toMatchObject({ PhysicalResourceId: adopted('link-other00001', OTHER.targetAccountId), Data: { Adopted: true } });
  });

  test('the same target sends nothing and reports the current status', async () => {
    ws.on(GetAccountLinkCommand).resolves({ AccountLink: link(LINK_ID, 'LINKED') });

    const result = await updateAccountLink(clients, LINK_ID, TARGET, TARGET, CTX);

    // the physical ID stays as it is (an earlier version's here: it keeps recording nothing)
    expect(result).toEqual({
      PhysicalResourceId: LINK_ID,
      Data: { AccountLinkId: LINK_ID, AccountLinkStatus: 'LINKED', SourceAccountId: OWN, TargetAccountId: '333333333333', Adopted: false },
    });
    expect(ws.calls()).toHaveLength(1);
    expect(ws.commandCalls(GetAccountLinkCommand)[0].args[0].input).toEqual({ LinkId: LINK_ID });
    expectModelValidRequests();
  });

  // consistent with OrgInvitation, which invites again after DECLINED, EXPIRED or CANCELED
  test.each([
    ['REJECTED', () => ws.on(GetAccountLinkCommand).resolves({ AccountLink: link(LINK_ID, 'REJECTED') })],
    ['LINKING_FAILED', () => ws.on(GetAccountLinkCommand).resolves({ AccountLink: link(LINK_ID, 'LINKING_FAILED') })],
    ['gone (ResourceNotFoundException)', () => ws.on(GetAccountLinkCommand).rejects(awsError('ResourceNotFoundException'))],
  ])('the same target whose link is %s is invited again: new link, a token that names the ended link', async (_, setUp) => {
    setUp();
    ws.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: link('link-again00001', PENDING) });

    const result = await updateAccountLink(clients, LINK_ID, TARGET, TARGET, { ...CTX, requestType: 'Update' });

    expect(result).toMatchObject({ PhysicalResourceId: made('link-again00001'), Data: { AccountLinkStatus: PENDING, Adopted: false } });
    expect(createToken(0)).toBe(clientToken('update', CTX, TARGET.targetAccountId, LINK_ID));
    expect(createToken(0)).not.toBe(clientToken('create', CTX, TARGET.targetAccountId));
    expect(logs.text()).toMatch(/ended without being linked: inviting again/);
    expectModelValidRequests();
  });

  test('the same target whose link is pending sends nothing', async () => {
    ws.on(GetAccountLinkCommand).resolves({ AccountLink: link(LINK_ID, PENDING) });
    const result = await updateAccountLink(clients, LINK_ID, TARGET, TARGET, CTX);
    expect(result).toMatchObject({ PhysicalResourceId: LINK_ID, Data: { AccountLinkStatus: PENDING } });
    expect(ws.commandCalls(CreateAccountLinkInvitationCommand)).toHaveLength(0);
  });

  test('the same target with a physical ID that is no link ID invites (there is no link to report)', async () => {
    ws.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: link('link-again00001', PENDING) });
    const result = await updateAccountLink(clients, 'not-a-link', TARGET, TARGET, CTX);
    expect(result.PhysicalResourceId).toBe(made('link-again00001'));
    expect(ws.commandCalls(GetAccountLinkCommand)).toHaveLength(0);
  });

  test('access denied while reading fails with what to do', async () => {
    ws.on(GetAccountLinkCommand).rejects(awsError('AccessDeniedException', 'denied'));
    await expect(updateAccountLink(clients, LINK_ID, TARGET, TARGET, CTX)).rejects.toThrow(
      /^Update of the WorkSpaces account link: reading link-abcd1234efgh in .+ failed with AccessDeniedException: denied\. Check that the handler's role/,
    );
  });
});

describe('after a Create that did not finish (cut off, or cancelled by CloudFormation)', () => {
  // a link has no creation time and no tags: nothing shows that the Create made it rather than another stack
  test.each([
    ['the Create\'s start known', new Date()],
    ['the Create\'s start unknown', undefined],
  ])('a pending link to the target is kept, and the log names it and says how to delete it (%s)', async (_, since) => {
    ws.on(ListAccountLinksCommand).resolves({
      AccountLinks: [link('link-other00001', PENDING, OTHER.targetAccountId), link(LINK_ID, PENDING)],
    });
    await accountLinkLifecycle.abandonedCreate!(clients, TARGET, { ...CTX, requestType: 'Delete' }, since);
    expect(ws.commandCalls(DeleteAccountLinkInvitationCommand)).toHaveLength(0);
    expect(logs.text()).toMatch(new RegExp(`"level":"WARN".*nothing shows which, so it is kept.*WorkSpaces console.*"linkId":"${LINK_ID}"`));
  });

  test('a LINKED link, or none, is left alone', async () => {
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link(LINK_ID, 'LINKED')] });
    await accountLinkLifecycle.abandonedCreate!(clients, TARGET, CTX, new Date());
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [] });
    await accountLinkLifecycle.abandonedCreate!(clients, TARGET, CTX, new Date());
    expect(ws.commandCalls(DeleteAccountLinkInvitationCommand)).toHaveLength(0);
  });

  test('ownsPhysicalId: what the lifecycle records, and earlier versions\' link IDs', () => {
    expect(ownsPhysicalId(LINK_ID)).toBe(true);
    expect(ownsPhysicalId('link-abcd1234efgh5678')).toBe(true);
    expect(ownsPhysicalId(MADE_ID)).toBe(true);
    expect(ownsPhysicalId(adopted(LINK_ID))).toBe(true);
    expect(ownsPhysicalId(`${made('link-new0000001')}:replaced:${LINK_ID}`)).toBe(true);
    for (const id of ['cdk-account-invitations:create-timed-out', 'h-abcdef1234', 'LandingZone-Link-1A2B3C', '',
      `workspaces-account-link:333333333333:accepted:${LINK_ID}`, `workspaces-account-link:3333:made:${LINK_ID}`,
      `${MADE_ID}:replaced:nolink`, `${MADE_ID}:x:${LINK_ID}`]) {
      expect(ownsPhysicalId(id)).toBe(false);
    }
  });

  test('parseOld: the target account alone', () => {
    expect(accountLinkLifecycle.parseOld!({ TargetAccountId: '333333333333', Extra: 'x' })).toEqual(TARGET);
    expect(() => accountLinkLifecycle.parseOld!({ TargetAccountId: 'nope' })).toThrow(/12-digit/);
  });
});

describe('delete', () => {
  test('a pending invitation is deleted with its LinkId and a deterministic ClientToken', async () => {
    ws.on(GetAccountLinkCommand).resolves({ AccountLink: link(LINK_ID, PENDING) });
    ws.on(DeleteAccountLinkInvitationCommand).resolves({ AccountLink: link(LINK_ID, 'LINK_NOT_FOUND') });

    await expect(deleteAccountLink(clients, LINK_ID, CTX)).resolves.toEqual({ deleted: true });
    await deleteAccountLink(clients, LINK_ID, CTX);

    const calls = ws.commandCalls(DeleteAccountLinkInvitationCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0].args[0].input).toEqual({ LinkId: LINK_ID, ClientToken: clientToken('delete', CTX, LINK_ID) });
    expect(calls[1].args[0].input).toEqual(calls[0].args[0].input);
    expect(calls[0].args[0].input.ClientToken).not.toBe(clientToken('create', CTX, TARGET.targetAccountId));
    expectModelValidRequests();
  });

  test('a LINKED link cannot be undone: delete succeeds, sends nothing, and warns', async () => {
    ws.on(GetAccountLinkCommand).resolves({ AccountLink: link(LINK_ID, 'LINKED') });
    await expect(deleteAccountLink(clients, LINK_ID, CTX)).resolves.toEqual({ deleted: false, status: 'LINKED' });
    expect(logs.text()).toMatch(/"level":"WARN","msg":"the account link is LINKED and cannot be undone[^"]*","linkId":"link-abcd1234efgh"/);
    expect(ws.commandCalls(DeleteAccountLinkInvitationCommand)).toHaveLength(0);
  });

  test.each(['REJECTED', 'LINKING_FAILED', 'LINK_NOT_FOUND'])('%s succeeds without deleting', async (status) => {
    ws.on(GetAccountLinkCommand).resolves({ AccountLink: link(LINK_ID, status) });
    await expect(deleteAccountLink(clients, LINK_ID, CTX)).resolves.toEqual({ deleted: false, status });
    expect(logs.text()).toContain(`"level":"INFO","msg":"nothing to delete","linkId":"${LINK_ID}","status":"${status}"`);
    expect(ws.commandCalls(DeleteAccountLinkInvitationCommand)).toHaveLength(0);
  });

  test('an unknown status is left alone with a warning', async () => {
    ws.on(GetAccountLinkCommand).resolves({ AccountLink: link(LINK_ID, 'SOMETHING_NEW') });
    await deleteAccountLink(clients, LINK_ID, CTX);
    expect(logs.text()).toMatch(/"level":"WARN","msg":"unknown account link status/);
    expect(ws.commandCalls(DeleteAccountLinkInvitationCommand)).toHaveLength(0);
  });

  test('ResourceNotFoundException on GetAccountLink succeeds without deleting', async () => {
    ws.on(GetAccountLinkCommand).rejects(awsError('ResourceNotFoundException'));
    await expect(deleteAccountLink(clients, LINK_ID, CTX)).resolves.toEqual({ deleted: false, status: 'LINK_NOT_FOUND' });
    expect(ws.commandCalls(DeleteAccountLinkInvitationCommand)).toHaveLength(0);
  });

  test.each([
    'cdk-account-invitations:create-failed',
    'link-short',
    `link-${'x'.repeat(25)}`,
    'h-abcdef1234',
    '333333333333',
  ])('a physical ID that is not a link ID (%s) succeeds without any call', async (physicalId) => {
    await expect(deleteAccountLink(clients, physicalId, CTX)).resolves.toEqual({ deleted: false, status: 'not-a-link' });
    expect(ws.calls()).toHaveLength(0);
  });

  test('ResourceNotFoundException on DeleteAccountLinkInvitation succeeds', async () => {
    ws.on(GetAccountLinkCommand).resolves({ AccountLink: link(LINK_ID, PENDING) });
    ws.on(DeleteAccountLinkInvitationCommand).rejects(awsError('ResourceNotFoundException'));
    await expect(deleteAccountLink(clients, LINK_ID, CTX)).resolves.toEqual({ deleted: false, status: 'LINK_NOT_FOUND' });
  });

  test('ConflictException on delete re-reads: accepted meanwhile succeeds with a warning', async () => {
    ws.on(GetAccountLinkCommand)
      .resolvesOnce({ AccountLink: link(LINK_ID, PENDING) })
      .resolvesOnce({ AccountLink: link(LINK_ID, 'LINKED') });
    ws.on(DeleteAccountLinkInvitationCommand).rejects(awsError('ConflictException'));
    await expect(deleteAccountLink(clients, LINK_ID, CTX)).resolves.toEqual({ deleted: false, status: 'LINKED' });
    expect(logs.text()).toMatch(/"level":"WARN".*LINKED and cannot be undone/);
    expect(ws.commandCalls(GetAccountLinkCommand)).toHaveLength(2);
  });

  test('ConflictException on delete while the link is still pending fails', async () => {
    ws.on(GetAccountLinkCommand).resolves({ AccountLink: link(LINK_ID, PENDING) });
    ws.on(DeleteAccountLinkInvitationCommand).rejects(awsError('ConflictException', 'busy'));
    await expect(deleteAccountLink(clients, LINK_ID, CTX)).rejects.toThrow(
      /^Deleting the pending WorkSpaces account link invitation link-abcd1234efgh in .+ failed with ConflictException: busy\. If this is transient, retry/,
    );
  });

  test('access denied on delete fails with what to do, and how to delete the stack anyway', async () => {
    ws.on(GetAccountLinkCommand).resolves({ AccountLink: link(LINK_ID, PENDING) });
    ws.on(DeleteAccountLinkInvitationCommand).rejects(awsError('AccessDeniedException', 'denied'));
    await expect(deleteAccountLink(clients, LINK_ID, CTX)).rejects.toThrow(
      /failed with AccessDeniedException: denied\. Check that the handler's role may call .* To delete the stack without deleting the invitation, delete it in the WorkSpaces console/,
    );
  });
});

describe('handler (the custom-resource contract)', () => {
  // the stack keeps nothing: the Delete (or the removal) goes ahead (when the stack cannot be read, it keeps)
  let stackMock: ReturnType<typeof mockStackKeepingNothing>;
  beforeEach(() => {
    stackMock = mockStackKeepingNothing();
  });
  afterEach(() => stackMock.restore());
  const stackStatusForUpdate = (StackStatus: string) => stackMock.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'LandingZone', StackStatus: StackStatus as never, CreationTime: new Date() }],
  });

  const PROPS = { TargetAccountId: '333333333333' };

  test('Create returns the physical ID and Data, with the token of the event\'s stack and logical ID, not logged', async () => {
    ws.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: link(LINK_ID, PENDING) });
    const result = await handler(createEvent(PROPS));
    expect(result).toEqual({
      PhysicalResourceId: MADE_ID,
      Data: { AccountLinkId: LINK_ID, AccountLinkStatus: PENDING, SourceAccountId: OWN, TargetAccountId: '333333333333', Adopted: false },
    });
    expect(Buffer.byteLength(JSON.stringify(result.Data))).toBeLessThan(4096);
    const token = createToken(0);
    expect(token).toBe(clientToken('create', CTX, '333333333333'));
    expect(logs.text()).toContain(LINK_ID);
    expect(logs.text()).not.toContain(token);
  });

  test('a retried Create event sends the same token; another target another one', async () => {
    ws.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: link(LINK_ID, PENDING) });
    await handler(createEvent(PROPS));
    await handler(createEvent(PROPS, { RequestId: 'another-request' }));
    await handler(createEvent({ TargetAccountId: '444444444444' }));
    expect(createToken(1)).toBe(createToken(0));
    expect(createToken(2)).not.toBe(createToken(0));
  });

  test('Update dispatches with the old properties', async () => {
    ws.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: link('link-new0000001', PENDING, '444444444444') });
    const changed = await handler(updateEvent(LINK_ID, { TargetAccountId: '444444444444' }, PROPS));
    expect(changed.PhysicalResourceId).toBe(made('link-new0000001', '444444444444'));

    ws.reset();
    ws.on(GetAccountLinkCommand).resolves({ AccountLink: link(LINK_ID, 'LINKED') });
    const same = await handler(updateEvent(LINK_ID, PROPS, PROPS));
    expect(same).toMatchObject({ PhysicalResourceId: LINK_ID, Data: { AccountLinkStatus: 'LINKED' } });
    expect(ws.commandCalls(CreateAccountLinkInvitationCommand)).toHaveLength(0);
  });

  test('Delete dispatches and keeps the physical ID', async () => {
    ws.on(GetAccountLinkCommand).resolves({ AccountLink: link(LINK_ID, PENDING) });
    ws.on(DeleteAccountLinkInvitationCommand).resolves({});
    await expect(handler(deleteEvent(MADE_ID, PROPS))).resolves.toEqual({ PhysicalResourceId: MADE_ID });
    expect(ws.commandCalls(DeleteAccountLinkInvitationCommand)[0].args[0].input.ClientToken)
      .toBe(clientToken('delete', CTX, LINK_ID));
  });

  // issue 17 item 17: old properties of another shape stand in for the new ones (runtime.ts parseOldProperties), so the
  // target change was not seen: SUCCESS with the old link's attributes, and nothing linked to the new target
  test('an Update whose old properties cannot be read: the link of the physical ID goes elsewhere, so the new target is invited', async () => {
    ws.on(GetAccountLinkCommand, { LinkId: LINK_ID }).resolves({ AccountLink: link(LINK_ID, PENDING) });
    ws.on(CreateAccountLinkInvitationCommand).resolves({ AccountLink: link('link-new0000001', PENDING, '444444444444') });

    const result = await handler(updateEvent(LINK_ID, { TargetAccountId: '444444444444' }, { TargetAccountId: 'not an account' }));

    expect(result).toEqual({
      PhysicalResourceId: made('link-new0000001', '444444444444'),
      Data: { AccountLinkId: 'link-new0000001', AccountLinkStatus: PENDING, SourceAccountId: OWN, TargetAccountId: '444444444444', Adopted: false },
    });
    expect(ws.commandCalls(CreateAccountLinkInvitationCommand).map((c) => c.args[0].input)).toEqual([
      { TargetAccountId: '444444444444', ClientToken: clientToken('update', CTX, '444444444444', LINK_ID) },
    ]);
    expect(logs.text()).toMatch(/"WARN".*goes to another target than the new properties name/);
  });

  test('an Update whose old properties cannot be read, the link already to the new target: nothing is sent', async () => {
    ws.on(GetAccountLinkCommand, { LinkId: LINK_ID }).resolves({ AccountLink: link(LINK_ID, 'LINKED') });

    const result = await handler(updateEvent(LINK_ID, PROPS, { TargetAccountId: 'not an account' }));

    expect(result).toMatchObject({ PhysicalResourceId: LINK_ID, Data: { AccountLinkStatus: 'LINKED', TargetAccountId: '333333333333' } });
    expect(ws.commandCalls(CreateAccountLinkInvitationCommand)).toHaveLength(0);
  });

  // issue 17 item 16: WorkSpaces has no sensitive input; nothing is scrubbed, so a Reason keeps the accounts it names
  test('sensitive inputs: none (account IDs and the role name stay readable in messages)', async () => {
    const raw = { ...WORKSPACES_ACCOUNT_LINK.properties({ targetAccountId: '333333333333' }), AcceptRoleName: 'LinkAccepter' };
    expect(accountLinkLifecycle.sensitive!(raw)).toEqual([]);
    expect(WORKSPACES_ACCOUNT_LINK.sensitiveKeys).toEqual([]);

    ws.on(CreateAccountLinkInvitationCommand).rejects(awsError('ValidationException', 'account 333333333333 is not eligible'));
    await expect(handler(createEvent(PROPS))).rejects.toThrow(/to account 333333333333 in .* failed with ValidationException: account 333333333333 is not eligible/);
  });

  test('a bad TargetAccountId fails Create with a message; a Delete with it succeeds without calls', async () => {
    await expect(handler(createEvent({ TargetAccountId: '12345' }))).rejects.toThrow(
      'The property TargetAccountId must be a 12-digit AWS account ID, got "12345".',
    );
    await expect(handler(createEvent({}))).rejects.toThrow(/The property TargetAccountId is required/);
    await expect(handler(deleteEvent(LINK_ID, { TargetAccountId: '12345' }))).resolves.toEqual({ PhysicalResourceId: LINK_ID });
    expect(ws.calls()).toHaveLength(0);
  });

  test('Delete removes only a pending link this resource made: an adopted one and an earlier version\'s stay, and the log says why', async () => {
    ws.on(GetAccountLinkCommand).resolves({ AccountLink: link(LINK_ID, PENDING) });
    ws.on(DeleteAccountLinkInvitationCommand).resolves({});
    await expect(handler(deleteEvent(adopted(LINK_ID), PROPS))).resolves.toEqual({ PhysicalResourceId: adopted(LINK_ID) });
    await expect(handler(deleteEvent(LINK_ID, PROPS))).resolves.toEqual({ PhysicalResourceId: LINK_ID });
    expect(ws.calls()).toHaveLength(0);
    expect(logs.text()).toMatch(/"level":"INFO".*this resource adopted the link \(it was there before\): it stays/);
    expect(logs.text()).toMatch(/"level":"INFO".*does not record whether this resource made the link, so it stays/);
    await handler(deleteEvent(MADE_ID, PROPS));
    expect(ws.commandCalls(DeleteAccountLinkInvitationCommand).map((c) => c.args[0].input.LinkId)).toEqual([LINK_ID]);
  });

  test('a Delete whose properties cannot be read removes the link its physical ID records as made (the cleanup of a replaced ID)', async () => {
    ws.on(GetAccountLinkCommand).resolves({ AccountLink: link(LINK_ID, PENDING) });
    ws.on(DeleteAccountLinkInvitationCommand).resolves({});
    const unreadable = { TargetAccount: '333333333333' };
    await expect(handler(deleteEvent(`${MADE_ID}:replaced:link-older000001`, unreadable))).resolves.toMatchObject({ PhysicalResourceId: `${MADE_ID}:replaced:link-older000001` });
    expect(ws.commandCalls(DeleteAccountLinkInvitationCommand).map((c) => c.args[0].input.LinkId)).toEqual([LINK_ID]);
    expect(logs.text()).toMatch(/"level":"WARN".*properties that do not parse: cleaning up what the physical ID records/);
    // an earlier version's physical ID records no target: nothing
    ws.resetHistory();
    await handler(deleteEvent(LINK_ID, unreadable));
    expect(ws.calls()).toHaveLength(0);
  });

  test('the rollback of a replacement restores the link it replaced as made, sending nothing; another link found by its target is adopted', async () => {
    stackStatusForUpdate('UPDATE_ROLLBACK_IN_PROGRESS');
    const forward = `${made('link-new0000001', '444444444444')}:replaced:${LINK_ID}`;
    ws.on(GetAccountLinkCommand, { LinkId: 'link-new0000001' }).resolves({ AccountLink: link('link-new0000001', PENDING, '444444444444') });
    ws.on(ListAccountLinksCommand).resolves({ AccountLinks: [link(LINK_ID, PENDING)] });
    const rollback = await handler(updateEvent(forward, PROPS, { TargetAccountId: '444444444444' }));
    expect(rollback).toMatchObject({ PhysicalResourceId: MADE_ID, Data: { AccountLinkId: LINK_ID, TargetAccountId: '333333333333' } });
    // without the record of the replaced link: the link to the target is someone else's as far as this resource knows
    const other = await handler(updateEvent(made('link-new0000001', '444444444444'), PROPS, { TargetAccountId: '444444444444' }));
    expect(other.PhysicalResourceId).toBe(adopted(LINK_ID));
    expect(ws.commandCalls(CreateAccountLinkInvitationCommand)).toHaveLength(0);
  });

  test('a rollback that cannot read the links keeps the physical ID and succeeds (it never fails on a read its update did not need)', async () => {
    stackStatusForUpdate('UPDATE_ROLLBACK_IN_PROGRESS');
    ws.on(GetAccountLinkCommand).rejects(awsError('AccessDeniedException', 'no', {}, 403));
    ws.on(ListAccountLinksCommand).rejects(awsError('AccessDeniedException', 'no', {}, 403));
    const rollback = await handler(updateEvent(MADE_ID, { TargetAccountId: '444444444444' }, PROPS));
    expect(rollback).toMatchObject({ PhysicalResourceId: MADE_ID, Data: { AccountLinkId: LINK_ID, AccountLinkStatus: 'UNKNOWN' } });
    expect(ws.commandCalls(CreateAccountLinkInvitationCommand)).toHaveLength(0);
    expect(logs.text()).toMatch(/"level":"WARN".*rollback: the account links could not be read/);
  });

  test('an unexpected error becomes a user-facing message naming the request and the AWS error', async () => {
    ws.on(GetAccountLinkCommand).rejects(new TypeError('socket hang up'));
    await expect(handler(deleteEvent(MADE_ID, PROPS))).rejects.toThrow(
      /^Delete of the WorkSpaces account link: reading link-abcd1234efgh in .+ failed with TypeError: socket hang up\./,
    );
  });
});

/**
 * The clients the Lambda function creates, against a fake HTTP layer: the SDK's standard retry strategy retries
 * throttling and InternalServerException (which WorkSpaces sends with HTTP 400), and nothing else.
 */
describe('retries of the real client (INVITER_CLIENTS.own)', () => {
  const saved = { ...process.env };
  let statuses: Array<[number, string | undefined]>;
  let attempts: number;

  beforeEach(() => {
    // after the top-level beforeEach, which re-installs the mock
    ws.restore();
  });

  beforeAll(() => {
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      CDK_ACCOUNT_INVITATIONS_MAX_ATTEMPTS: '4',
    });
    delete process.env.AWS_PROFILE;
  });

  afterAll(() => {
    process.env = saved;
  });

  function fakeClients(responses: Array<[number, string | undefined]>): ReturnType<typeof INVITER_CLIENTS.own> {
    statuses = [...responses];
    attempts = 0;
    const created = INVITER_CLIENTS.own();
    (created.workspaces.config as { requestHandler: unknown }).requestHandler = {
      handle: async () => {
        attempts++;
        const [statusCode, errorType] = statuses.shift() ?? [200, undefined];
        const body = errorType
          ? { __type: errorType, message: `${errorType} from the fake` }
          : { AccountLink: link(LINK_ID, PENDING) };
        return {
          response: {
            statusCode,
            headers: { 'content-type': 'application/x-amz-json-1.1' },
            body: Readable.from([Buffer.from(JSON.stringify(body))]),
          },
        };
      },
    };
    return created;
  }

  test.each([
    ['InternalServerException (HTTP 400)', 400, 'InternalServerException'],
    ['ThrottlingException', 400, 'ThrottlingException'],
    ['HTTP 503', 503, 'ServiceUnavailableException'],
  ])('%s is retried, then the call succeeds', async (_label, status, name) => {
    const workspacesClients = fakeClients([[status, name], [status, name]]);
    const result = await createAccountLink(workspacesClients, TARGET, CTX);
    expect(result.PhysicalResourceId).toBe(MADE_ID);
    expect(attempts).toBe(3);
  });

  test('ValidationException is not retried', async () => {
    const workspacesClients = fakeClients([[400, 'ValidationException'], [200, undefined]]);
    await expect(createAccountLink(workspacesClients, TARGET, CTX)).rejects.toThrow(/failed with ValidationException/);
    expect(attempts).toBe(1);
  });

  test('InternalServerException stops after the configured attempts, with its message', async () => {
    const workspacesClients = fakeClients(Array.from({ length: 10 }, () => [400, 'InternalServerException'] as [number, string]));
    await expect(createAccountLink(workspacesClients, TARGET, CTX)).rejects.toThrow(/WorkSpaces service error that persisted through the retries/);
    expect(attempts).toBe(4);
  });
});
