import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import {
  CancelHandshakeCommand,
  DescribeHandshakeCommand,
  ListHandshakesForOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { DeleteAccountLinkInvitationCommand, GetAccountLinkCommand, WorkSpacesClient } from '@aws-sdk/client-workspaces';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError, captureLogs } from './util/events';
import { ORG_TARGETS, orgInvitationLifecycle } from '../lambda/organizations/inviter/lifecycle';
import type { RequestContext } from '../lambda/shared/runtime';
import {
  CLOCK_SKEW_MS,
  UNRESOLVED,
  acceptanceSkippedInRollback,
  madeSince,
  resolveValue,
  rollbackCheck,
  surelyMadeSince,
  targetsKeptByStack,
} from '../lambda/shared/stack';
import { accountLinkLifecycle } from '../lambda/workspaces/inviter/lifecycle';

const cfnMock = mockClient(CloudFormationClient);
const orgMock = mockClient(OrganizationsClient);
const wsMock = mockClient(WorkSpacesClient);
const cloudformation = new CloudFormationClient({ region: 'us-east-1', maxAttempts: 1 });

const STACK_ID = 'arn:aws:cloudformation:us-east-1:111111111111:stack/LandingZone/5b1c4e10-0000-0000-0000-000000000000';
function ctx(resourceType: string, logicalResourceId = 'Old', requestType: RequestContext['requestType'] = 'Delete'): RequestContext {
  return { requestType, stackId: STACK_ID, logicalResourceId, requestId: 'r', resourceType };
}
function template(resources: Record<string, { Type: string; Properties: Record<string, unknown> }>, parameters: Record<string, unknown> = {}) {
  return { TemplateBody: JSON.stringify({ Parameters: parameters, Resources: resources }) };
}
function stack(StackStatus = 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', Parameters: Array<Record<string, string>> = []) {
  cfnMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'LandingZone', StackStatus: StackStatus as never, CreationTime: new Date(), Parameters }] });
}
const org = (targetId: string, targetType: 'ACCOUNT' | 'EMAIL' = 'ACCOUNT') => ({ targetId, targetType, tags: {} });
const kept = (c: RequestContext, targetId: string) => targetsKeptByStack({ cloudformation }, c, ORG_TARGETS, org(targetId));

/** The physical ID of a link this resource made (lambda/workspaces/inviter/record.ts). */
const MADE_LINK = 'workspaces-account-link:333333333333:made:link-abcd1234efgh';

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  cfnMock.reset();
  orgMock.reset();
  wsMock.reset();
  logs = captureLogs();
});
afterEach(() => logs.restore());

describe('targetsKeptByStack: one mechanism, each lifecycle says what identifies its targets', () => {
  test('keeps a target that another resource of the same type declares; ignores other types and other targets', async () => {
    stack();
    cfnMock.on(GetTemplateCommand).resolves(template({
      New: { Type: 'Custom::OrgInvitation', Properties: { TargetId: '222222222222' } },
      Link: { Type: 'Custom::WorkSpacesAccountLink', Properties: { TargetAccountId: '333333333333' } },
    }));
    expect([...await kept(ctx('Custom::OrgInvitation'), '222222222222')]).toEqual(['account:222222222222']);
    expect([...await kept(ctx('Custom::OrgInvitation'), '333333333333')]).toEqual([]);
    expect(cfnMock.commandCalls(GetTemplateCommand)[0].args[0].input).toEqual({ StackName: STACK_ID, TemplateStage: 'Processed' });
  });

  test('its own logical ID counts on Delete (a replacement: the new properties may name the same target), not on Update', async () => {
    stack();
    cfnMock.on(GetTemplateCommand).resolves(template({ Old: { Type: 'Custom::OrgInvitation', Properties: { TargetId: '222222222222' } } }));
    expect((await kept(ctx('Custom::OrgInvitation', 'Old', 'Delete'), '222222222222')).size).toBe(1);
    expect((await kept(ctx('Custom::OrgInvitation', 'Old', 'Update'), '222222222222')).size).toBe(0);
  });

  test.each(['DELETE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS'])('keeps nothing while the whole stack goes (%s)', async (status) => {
    stack(status);
    expect((await kept(ctx('Custom::OrgInvitation'), '222222222222')).size).toBe(0);
    expect(cfnMock.commandCalls(GetTemplateCommand)).toHaveLength(0);
  });

  test.each(['AccessDenied', 'Throttling'])('keeps every target, with a warning naming the error and what to do, when DescribeStacks fails (%s)', async (code) => {
    cfnMock.on(DescribeStacksCommand).rejects(awsError(code));
    expect([...await kept(ctx('Custom::OrgInvitation'), '222222222222')]).toEqual(['account:222222222222']);
    expect(cfnMock.commandCalls(GetTemplateCommand)).toHaveLength(0);
    expect(logs.text()).toMatch(new RegExp(`"level":"WARN".*cannot be told: they are kept.*remove it by hand.*"error":"${code}"`));
  });

  test('keeps every target when the template cannot be read (GetTemplate fails)', async () => {
    stack();
    cfnMock.on(GetTemplateCommand).rejects(awsError('AccessDenied'));
    expect([...await kept(ctx('Custom::OrgInvitation'), '222222222222')]).toEqual(['account:222222222222']);
    expect(logs.text()).toMatch(/"level":"WARN".*could not read the stack's template.*they are kept.*"error":"AccessDenied"/);
  });

  test('without a CloudFormation client nothing is asked and nothing kept', async () => {
    expect((await targetsKeptByStack({}, ctx('Custom::OrgInvitation'), ORG_TARGETS, org('222222222222'))).size).toBe(0);
    expect(cfnMock.calls()).toHaveLength(0);
  });
});

describe('values the template holds as intrinsics', () => {
  const resolver = { parameters: new Map([['Target', '222222222222'], ['Domain', 'example.com'], ['AWS::AccountId', '111111111111']]) };

  test.each([
    [{ Ref: 'Target' }, '222222222222'],
    [{ 'Fn::Join': ['', ['owner@', { Ref: 'Domain' }]] }, 'owner@example.com'],
    [{ 'Fn::Sub': 'owner@${Domain}' }, 'owner@example.com'],
    [{ 'Fn::Sub': ['${User}@${Domain}', { User: 'owner' }] }, 'owner@example.com'],
    [{ 'Fn::Sub': '${!Literal}' }, '${Literal}'],
    [{ 'Fn::Select': [1, ['a', { Ref: 'Target' }]] }, '222222222222'],
    [{ Ref: 'AWS::AccountId' }, '111111111111'],
  ])('%j resolves to %s', (value, expected) => {
    expect(resolveValue(value, resolver)).toBe(expected);
  });

  test.each([
    [{ 'Fn::ImportValue': 'Shared-Target' }],
    [{ 'Fn::GetAtt': ['Other', 'AccountId'] }],
    [{ Ref: 'Unknown' }],
    [{ 'Fn::Join': ['', [{ 'Fn::ImportValue': 'x' }, '@example.com']] }],
    [{ 'Fn::Sub': '${Unknown}@example.com' }],
    [{ 'Fn::If': ['Cond', 'a', 'b'] }],
  ])('%j cannot be resolved', (value) => {
    expect(resolveValue(value, resolver)).toBe(UNRESOLVED);
  });

  test('parameters come from DescribeStacks (ResolvedValue for SSM parameters); NoEcho ones stay unknown', async () => {
    stack('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', [
      { ParameterKey: 'Plain', ParameterValue: '222222222222' },
      { ParameterKey: 'FromSsm', ParameterValue: '/landing-zone/target', ResolvedValue: '333333333333' },
      { ParameterKey: 'Secret', ParameterValue: '****' },
    ]);
    const resources = (ref: string) => ({ New: { Type: 'Custom::OrgInvitation', Properties: { TargetId: { Ref: ref } } } });
    const params = { Secret: { Type: 'String', NoEcho: true } };

    cfnMock.on(GetTemplateCommand).resolves(template(resources('Plain'), params));
    expect([...await kept(ctx('Custom::OrgInvitation'), '222222222222')]).toEqual(['account:222222222222']);
    expect((await kept(ctx('Custom::OrgInvitation'), '444444444444')).size).toBe(0);

    cfnMock.on(GetTemplateCommand).resolves(template(resources('FromSsm'), params));
    expect((await kept(ctx('Custom::OrgInvitation'), '333333333333')).size).toBe(1);
    expect((await kept(ctx('Custom::OrgInvitation'), '/landing-zone/target')).size).toBe(0);

    // possibly the same target: kept, and logged
    cfnMock.on(GetTemplateCommand).resolves(template(resources('Secret'), params));
    expect((await kept(ctx('Custom::OrgInvitation'), '444444444444')).size).toBe(1);
    expect(logs.text()).toMatch(/"level":"WARN".*cannot resolve.*"logicalId":"New","intrinsic":"Ref"/);
  });
});

describe('madeSince: a service timestamp against the start of a Create', () => {
  const since = new Date('2026-12-01T05:00:00Z');
  test('at or after the start, or up to the clock-skew allowance before it', () => {
    expect(CLOCK_SKEW_MS).toBe(5_000);
    expect(madeSince(new Date(since.getTime() + 1), since)).toBe(true);
    expect(madeSince(since.toISOString(), since)).toBe(true);
    expect(madeSince(new Date(since.getTime() - 5_000), since)).toBe(true);
    expect(madeSince(new Date(since.getTime() - 5_001), since)).toBe(false);
  });
  test('unknown on either side is never "made since"', () => {
    expect(madeSince(undefined, since)).toBe(false);
    expect(madeSince(new Date(), undefined)).toBe(false);
    expect(madeSince('not a date', since)).toBe(false);
  });
  test('surelyMadeSince: the slack on the safe side, what may predate the start does not count', () => {
    expect(surelyMadeSince(new Date(since.getTime() + 5_000), since)).toBe(true);
    expect(surelyMadeSince(new Date(since.getTime() + 4_999), since)).toBe(false);
    expect(surelyMadeSince(since, since)).toBe(false);
    expect(surelyMadeSince(new Date(since.getTime() - 3_000), since)).toBe(false);
    expect(surelyMadeSince(undefined, since)).toBe(false);
    expect(surelyMadeSince(new Date(), undefined)).toBe(false);
  });
});

describe('the inviter-side rollback rule: one check per request, no role assumed in a rollback', () => {
  test('rollbackCheck asks CloudFormation once, only when called; UPDATE_ROLLBACK_* is a rollback', async () => {
    stack('UPDATE_ROLLBACK_IN_PROGRESS');
    const rollback = rollbackCheck({ cloudformation }, ctx('Custom::X', 'Link', 'Update'));
    expect(cfnMock.calls()).toHaveLength(0);
    expect(await rollback()).toBe(true);
    expect(await rollback()).toBe(true);
    expect(cfnMock.commandCalls(DescribeStacksCommand)).toHaveLength(1);
    expect(await acceptanceSkippedInRollback(rollback, { linkId: 'link-12345678' })).toBe(true);
    expect(logs.text()).toMatch(/"level":"WARN".*rollback: no role is assumed.*"linkId":"link-12345678"/);
  });

  test('a forward update, or a stack that cannot be read, is no rollback: the acceptance runs', async () => {
    stack('UPDATE_IN_PROGRESS');
    expect(await acceptanceSkippedInRollback(rollbackCheck({ cloudformation }, ctx('Custom::X', 'Link', 'Update')), {})).toBe(false);
    cfnMock.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 'no'));
    expect(await rollbackCheck({ cloudformation }, ctx('Custom::X', 'Link', 'Update'))()).toBe(false);
    expect(await rollbackCheck({}, ctx('Custom::X', 'Link', 'Update'))()).toBe(false);
    expect(logs.text()).not.toMatch(/no role is assumed/);
  });
});

describe('a renamed construct: the Delete of the old logical ID leaves what the new one adopted', () => {
  beforeEach(() => stack());

  test('OrgInvitation: no cancel when another resource invites the same target (emails case-insensitively)', async () => {
    cfnMock.on(GetTemplateCommand).resolves(template({ New: { Type: 'Custom::OrgInvitation', Properties: { TargetId: 'OWNER@example.com', TargetType: 'EMAIL' } } }));
    orgMock.on(DescribeHandshakeCommand).resolves({ Handshake: { Id: 'h-abcdef1234', State: 'OPEN' } });
    const clients = { organizations: new OrganizationsClient({ region: 'us-east-1' }), cloudformation };
    await orgInvitationLifecycle.delete(clients, 'h-abcdef1234', { targetId: 'owner@example.com', targetType: 'EMAIL', tags: {} }, ctx('Custom::OrgInvitation'));
    expect(orgMock.commandCalls(CancelHandshakeCommand)).toHaveLength(0);
  });

  test('OrgInvitation: cancels when the other resources invite someone else', async () => {
    cfnMock.on(GetTemplateCommand).resolves(template({ New: { Type: 'Custom::OrgInvitation', Properties: { TargetId: '333333333333', TargetType: 'ACCOUNT' } } }));
    orgMock.on(DescribeHandshakeCommand).resolves({ Handshake: { Id: 'h-abcdef1234', State: 'OPEN' } });
    orgMock.on(CancelHandshakeCommand).resolves({});
    const clients = { organizations: new OrganizationsClient({ region: 'us-east-1' }), cloudformation };
    await orgInvitationLifecycle.delete(clients, 'h-abcdef1234', { targetId: '222222222222', targetType: 'ACCOUNT', tags: {} }, ctx('Custom::OrgInvitation'));
    expect(orgMock.commandCalls(CancelHandshakeCommand)).toHaveLength(1);
  });

  test('OrgInvitation: the stack cannot be read (Throttling after the retries): the Delete cancels nothing', async () => {
    cfnMock.on(DescribeStacksCommand).rejects(awsError('Throttling', 'Rate exceeded'));
    orgMock.on(DescribeHandshakeCommand).resolves({ Handshake: { Id: 'h-abcdef1234', State: 'OPEN' } });
    orgMock.on(CancelHandshakeCommand).resolves({});
    const clients = { organizations: new OrganizationsClient({ region: 'us-east-1' }), cloudformation };
    await orgInvitationLifecycle.delete(clients, 'h-abcdef1234', { targetId: '222222222222', targetType: 'ACCOUNT', tags: {} }, ctx('Custom::OrgInvitation'));
    expect(orgMock.commandCalls(CancelHandshakeCommand)).toHaveLength(0);
    expect(logs.text()).toMatch(/"level":"WARN".*they are kept.*"error":"Throttling"/);
  });

  test('WorkSpacesAccountLink: the template cannot be read: the Delete deletes nothing', async () => {
    cfnMock.on(GetTemplateCommand).rejects(awsError('AccessDenied'));
    wsMock.on(GetAccountLinkCommand).resolves({ AccountLink: { AccountLinkId: 'link-abcd1234efgh', AccountLinkStatus: 'PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT' } });
    const clients = { workspaces: new WorkSpacesClient({ region: 'us-east-1' }), cloudformation };
    await accountLinkLifecycle.delete(clients, MADE_LINK, { targetAccountId: '333333333333' }, ctx('Custom::WorkSpacesAccountLink'));
    expect(wsMock.commandCalls(DeleteAccountLinkInvitationCommand)).toHaveLength(0);
  });

  test('WorkSpacesAccountLink: no delete when another resource links the same target', async () => {
    cfnMock.on(GetTemplateCommand).resolves(template({ New: { Type: 'Custom::WorkSpacesAccountLink', Properties: { TargetAccountId: '333333333333' } } }));
    wsMock.on(GetAccountLinkCommand).resolves({ AccountLink: { AccountLinkId: 'link-abcd1234efgh', AccountLinkStatus: 'PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT' } });
    const clients = { workspaces: new WorkSpacesClient({ region: 'us-east-1' }), cloudformation };
    await accountLinkLifecycle.delete(clients, MADE_LINK, { targetAccountId: '333333333333' }, ctx('Custom::WorkSpacesAccountLink'));
    expect(wsMock.commandCalls(DeleteAccountLinkInvitationCommand)).toHaveLength(0);
  });
});

describe('a renamed construct whose target comes from a parameter or an import (item 2)', () => {
  test('OrgInvitation: an email target from a parameter is resolved, case-insensitively: no cancel', async () => {
    stack('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', [{ ParameterKey: 'TargetEmail', ParameterValue: 'OWNER@example.com' }]);
    cfnMock.on(GetTemplateCommand).resolves(template({ New: { Type: 'Custom::OrgInvitation', Properties: { TargetId: { Ref: 'TargetEmail' } } } }));
    orgMock.on(DescribeHandshakeCommand).resolves({ Handshake: { Id: 'h-abcdef1234', State: 'OPEN' } });
    orgMock.on(CancelHandshakeCommand).resolves({});
    const clients = { organizations: new OrganizationsClient({ region: 'us-east-1' }), cloudformation };
    await orgInvitationLifecycle.delete(clients, 'h-abcdef1234', { targetId: 'owner@example.com', targetType: 'EMAIL', tags: {} }, ctx('Custom::OrgInvitation'));
    expect(orgMock.commandCalls(CancelHandshakeCommand)).toHaveLength(0);
  });

  test('OrgInvitation: a parameter that names another target still cancels', async () => {
    stack('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', [{ ParameterKey: 'Target', ParameterValue: '333333333333' }]);
    cfnMock.on(GetTemplateCommand).resolves(template({ New: { Type: 'Custom::OrgInvitation', Properties: { TargetId: { Ref: 'Target' } } } }));
    orgMock.on(DescribeHandshakeCommand).resolves({ Handshake: { Id: 'h-abcdef1234', State: 'OPEN' } });
    orgMock.on(CancelHandshakeCommand).resolves({});
    const clients = { organizations: new OrganizationsClient({ region: 'us-east-1' }), cloudformation };
    await orgInvitationLifecycle.delete(clients, 'h-abcdef1234', { targetId: '222222222222', targetType: 'ACCOUNT', tags: {} }, ctx('Custom::OrgInvitation'));
    expect(orgMock.commandCalls(CancelHandshakeCommand)).toHaveLength(1);
  });

  test('WorkSpacesAccountLink: a target from an import may be the same: the link stays, and the log says why', async () => {
    stack();
    cfnMock.on(GetTemplateCommand).resolves(template({ New: { Type: 'Custom::WorkSpacesAccountLink', Properties: { TargetAccountId: { 'Fn::ImportValue': 'Shared-Target' } } } }));
    wsMock.on(GetAccountLinkCommand).resolves({ AccountLink: { AccountLinkId: 'link-abcd1234efgh', AccountLinkStatus: 'PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT' } });
    const clients = { workspaces: new WorkSpacesClient({ region: 'us-east-1' }), cloudformation };
    await accountLinkLifecycle.delete(clients, MADE_LINK, { targetAccountId: '333333333333' }, ctx('Custom::WorkSpacesAccountLink'));
    expect(wsMock.commandCalls(DeleteAccountLinkInvitationCommand)).toHaveLength(0);
    expect(logs.text()).toMatch(/"level":"WARN".*may be the same target.*"intrinsic":"Fn::ImportValue"/);
  });

  test('the cleanup Delete of a replaced physical ID keeps what the same logical ID now names again', async () => {
    stack();
    cfnMock.on(GetTemplateCommand).resolves(template({ Old: { Type: 'Custom::OrgInvitation', Properties: { TargetId: '222222222222' } } }));
    orgMock.on(ListHandshakesForOrganizationCommand).resolves({ Handshakes: [] });
    const clients = { organizations: new OrganizationsClient({ region: 'us-east-1' }), cloudformation };
    await orgInvitationLifecycle.abandonedCreate!(clients, org('222222222222'), ctx('Custom::OrgInvitation', 'Old'), new Date());
    expect(orgMock.calls()).toHaveLength(0);
  });
});
