import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import {
  CancelHandshakeCommand,
  DescribeHandshakeCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { DeleteAccountLinkInvitationCommand, GetAccountLinkCommand, WorkSpacesClient } from '@aws-sdk/client-workspaces';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError, captureLogs } from './util/events';
import { orgInvitationLifecycle } from '../lambda/org-invitation/lifecycle';
import type { RequestContext } from '../lambda/shared/runtime';
import { propertiesKeptByStack, stringValues } from '../lambda/shared/stack';
import { accountLinkLifecycle } from '../lambda/workspaces-account-link/lifecycle';

const cfnMock = mockClient(CloudFormationClient);
const orgMock = mockClient(OrganizationsClient);
const wsMock = mockClient(WorkSpacesClient);
const cloudformation = new CloudFormationClient({ region: 'us-east-1', maxAttempts: 1 });

const STACK_ID = 'arn:aws:cloudformation:us-east-1:111111111111:stack/LandingZone/5b1c4e10-0000-0000-0000-000000000000';
function ctx(resourceType: string, logicalResourceId = 'Old'): RequestContext {
  return { requestType: 'Delete', stackId: STACK_ID, logicalResourceId, requestId: 'r', resourceType };
}
function template(resources: Record<string, { Type: string; Properties: Record<string, unknown> }>) {
  return { TemplateBody: JSON.stringify({ Resources: resources }) };
}

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  cfnMock.reset();
  orgMock.reset();
  wsMock.reset();
  logs = captureLogs();
});
afterEach(() => logs.restore());

describe('propertiesKeptByStack', () => {
  test('returns the properties of the other resources of the same type in the current template', async () => {
    cfnMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'LandingZone', StackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', CreationTime: new Date() }] });
    cfnMock.on(GetTemplateCommand).resolves(template({
      Old: { Type: 'Custom::OrgInvitation', Properties: { TargetId: '1' } },
      New: { Type: 'Custom::OrgInvitation', Properties: { TargetId: '2' } },
      Param: { Type: 'Custom::OrgInvitation', Properties: { TargetId: { Ref: 'P' } } },
      Link: { Type: 'Custom::WorkSpacesAccountLink', Properties: { TargetAccountId: '3' } },
    }));
    const kept = await propertiesKeptByStack({ cloudformation }, ctx('Custom::OrgInvitation'));
    expect(kept).toEqual([{ TargetId: '2' }, { TargetId: { Ref: 'P' } }]);
    expect(stringValues(kept, 'TargetId')).toEqual(['2']);
    expect(cfnMock.commandCalls(GetTemplateCommand)[0].args[0].input).toEqual({ StackName: STACK_ID, TemplateStage: 'Processed' });
  });

  test('keeps nothing while the whole stack is being deleted', async () => {
    cfnMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'LandingZone', StackStatus: 'DELETE_IN_PROGRESS', CreationTime: new Date() }] });
    expect(await propertiesKeptByStack({ cloudformation }, ctx('Custom::OrgInvitation'))).toEqual([]);
    expect(cfnMock.commandCalls(GetTemplateCommand)).toHaveLength(0);
  });

  test('keeps nothing, with a warning, when CloudFormation cannot be asked', async () => {
    cfnMock.on(DescribeStacksCommand).rejects(awsError('AccessDenied'));
    expect(await propertiesKeptByStack({ cloudformation }, ctx('Custom::OrgInvitation'))).toEqual([]);
    expect(logs.text()).toMatch(/"level":"WARN".*deleting as usual.*AccessDenied/);
  });
});

describe('a renamed construct: the Delete of the old logical ID leaves what the new one adopted', () => {
  beforeEach(() => {
    cfnMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'LandingZone', StackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', CreationTime: new Date() }] });
  });

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

  test('WorkSpacesAccountLink: no delete when another resource links the same target', async () => {
    cfnMock.on(GetTemplateCommand).resolves(template({ New: { Type: 'Custom::WorkSpacesAccountLink', Properties: { TargetAccountId: '333333333333' } } }));
    wsMock.on(GetAccountLinkCommand).resolves({ AccountLink: { AccountLinkId: 'link-abcd1234efgh', AccountLinkStatus: 'PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT' } });
    const clients = { workspaces: new WorkSpacesClient({ region: 'us-east-1' }), cloudformation };
    await accountLinkLifecycle.delete(clients, 'link-abcd1234efgh', { targetAccountId: '333333333333' }, ctx('Custom::WorkSpacesAccountLink'));
    expect(wsMock.commandCalls(DeleteAccountLinkInvitationCommand)).toHaveLength(0);
  });
});
