/**
 * ResourceShareAccepter's handler on the emulator (shipped bundle, real RAM client), for what only RAM does: the
 * two-stack flow with CloudFormation's own AWS::RAM::ResourceShare (synthesized in the owner's stack, its API calls
 * made as CloudFormation's handler makes them), organization sharing (no invitation: adopted, never left), a share of
 * the same name from another owner (never accepted), an expired invitation, the ARN form, a name change, and a leave
 * RAM refuses. The shared accepter scenarios run in test/contract/accepter.contract.test.ts.
 */
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ram from 'aws-cdk-lib/aws-ram';
import { ResourceShareAccepter } from '../src';
import { RESOURCE_SHARE, toWire } from './contract/kinds';
import { FAST_POLL } from './contract/players';
import { Cfn, CREATE_FAILED, startCfn, stackIdOf } from './integ/cfn';

jest.setTimeout(60_000);

const OWNER = '111111111111';
const RECEIVER = '222222222222';
const OTHER_OWNER = '444444444444';
const REGION = 'us-east-1';
const RECEIVING_STACK = stackIdOf(RECEIVER, 'Receiver');
const TYPE = 'Custom::ResourceShareAccepter';

/** The owner's stack with its share and the receiving stack with `acceptShare`, synthesized. */
function twoStacks(options: { name?: string; removalPolicy?: RemovalPolicy } = {}) {
  const app = new App();
  const owner = new Stack(app, 'Owner', { env: { account: OWNER, region: REGION } });
  const receiver = new Stack(app, 'Receiver', { env: { account: RECEIVER, region: REGION } });
  const share = new ram.CfnResourceShare(owner, 'Subnets', {
    name: options.name ?? 'shared-subnets',
    principals: [RECEIVER],
    resourceArns: [`arn:aws:ec2:${REGION}:${OWNER}:subnet/subnet-0123456789abcdef0`],
    allowExternalPrincipals: true,
  });
  ResourceShareAccepter.acceptShare(share, receiver, { waitTimeout: Duration.seconds(5), removalPolicy: options.removalPolicy });
  const of = (stack: Stack, type: string) => {
    const [logicalId, resource] = Object.entries(Template.fromStack(stack).findResources(type))[0];
    const { ServiceToken: _t, ServiceTimeout: _s, ...properties } = resource.Properties;
    return { logicalId, props: toWire(properties, {}) as Record<string, unknown> };
  };
  return { share: of(owner, 'AWS::RAM::ResourceShare'), accepter: of(receiver, TYPE) };
}

/** An accepter's properties as CloudFormation sends them, for a resource declared without `acceptShare`. */
function accepterProps(props: ConstructorParameters<typeof ResourceShareAccepter>[2]): Record<string, unknown> {
  const stack = new Stack(new App(), 'Receiver', { env: { account: RECEIVER, region: REGION } });
  new ResourceShareAccepter(stack, 'Accept', { waitTimeout: Duration.seconds(1), ...props });
  const { ServiceToken: _t, ServiceTimeout: _s, ...properties } = Object.values(Template.fromStack(stack).findResources(TYPE))[0].Properties;
  return toWire(properties, {}) as Record<string, unknown>;
}

let cfn: Cfn;
beforeEach(async () => {
  cfn = await startCfn('resource-share-accepter', { accountId: RECEIVER, env: FAST_POLL });
});
afterEach(async () => {
  await cfn.stop();
});

const share = (props: Record<string, unknown>, account = OWNER, logicalId = 'Subnets') => RESOURCE_SHARE.create(cfn.emulator, account, props, logicalId);
const principalOf = (arn: string) => cfn.emulator.ram.share(arn)?.principals[RECEIVER];
const calls = (op: string) => cfn.emulator.requests.filter((r) => r.op === op && r.accountId === RECEIVER).length;

test('two stacks: the owner\'s AWS::RAM::ResourceShare shares, acceptShare\'s accepter accepts; deleting the receiving stack leaves the share', async () => {
  const { share: shared, accepter } = twoStacks();
  const arn = await share(shared.props);
  expect(principalOf(arn)).toBe('invited');

  const accepted = await cfn.create(accepter.props, { stackId: RECEIVING_STACK, logicalResourceId: accepter.logicalId });
  expect(accepted.Status).toBe('SUCCESS');
  expect(accepted.Data).toEqual({
    ResourceShareArn: arn,
    InvitationArn: expect.stringMatching(new RegExp(`^arn:aws:ram:${REGION}:${OWNER}:resource-share-invitation/`)),
    Status: 'ACTIVE',
  });
  expect(accepted.PhysicalResourceId).toMatch(new RegExp(`^resource-share-accepter:${REGION}:${OWNER}/name-[0-9a-f]{16}:accepted:[0-9a-f-]{36}$`));
  expect(principalOf(arn)).toBe('associated');
  // one deterministic client token per accept
  expect(cfn.emulator.requests.find((r) => r.op === 'AcceptResourceShareInvitation')?.input.clientToken).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

  const deleted = await cfn.delete(accepted.PhysicalResourceId, accepter.props, { stackId: RECEIVING_STACK, logicalResourceId: accepter.logicalId, stackStatus: 'DELETE_IN_PROGRESS' });
  expect(deleted.Status).toBe('SUCCESS');
  expect(principalOf(arn)).toBeUndefined();
  expect(cfn.emulator.requests.filter((r) => r.op === 'DisassociateResourceShare').map((r) => [r.accountId, r.input.principals])).toEqual([[RECEIVER, [RECEIVER]]]);
  // the owner's stack goes later: CloudFormation deletes the share
  await RESOURCE_SHARE.delete(cfn.emulator, OWNER, arn, {});
  expect(cfn.emulator.ram.share(arn)?.status).toBe('DELETED');
  cfn.expectFinalState();
});

test('RETAIN: the Delete keeps the share it accepted', async () => {
  const { share: shared, accepter } = twoStacks({ removalPolicy: RemovalPolicy.RETAIN });
  const arn = await share(shared.props);
  const accepted = await cfn.create(accepter.props, { stackId: RECEIVING_STACK, logicalResourceId: accepter.logicalId });
  const deleted = await cfn.delete(accepted.PhysicalResourceId, accepter.props, { stackId: RECEIVING_STACK, logicalResourceId: accepter.logicalId, stackStatus: 'DELETE_IN_PROGRESS' });
  expect(deleted.Status).toBe('SUCCESS');
  expect(principalOf(arn)).toBe('associated');
  expect(calls('DisassociateResourceShare')).toBe(0);
});

test('organization sharing: no invitation, the ACTIVE share is adopted (InvitationArn NONE) and its Delete keeps it', async () => {
  cfn.emulator.ram.enableOrganizationSharing(OWNER, [RECEIVER]);
  const { share: shared, accepter } = twoStacks();
  const arn = await share(shared.props);
  const adopted = await cfn.create(accepter.props, { stackId: RECEIVING_STACK, logicalResourceId: accepter.logicalId });
  expect(adopted).toMatchObject({ Status: 'SUCCESS', Data: { ResourceShareArn: arn, InvitationArn: 'NONE', Status: 'ACTIVE' } });
  expect(adopted.PhysicalResourceId).toMatch(/:adopted:NONE$/);
  expect(calls('AcceptResourceShareInvitation')).toBe(0);
  const deleted = await cfn.delete(adopted.PhysicalResourceId, accepter.props, { stackId: RECEIVING_STACK, logicalResourceId: accepter.logicalId, stackStatus: 'DELETE_IN_PROGRESS' });
  expect(deleted.Status).toBe('SUCCESS');
  expect(principalOf(arn)).toBe('organization');
  expect(calls('DisassociateResourceShare')).toBe(0);
});

test('a share of the same name from another owner is never accepted, and the owner\'s is', async () => {
  const { share: shared, accepter } = twoStacks();
  const foreign = await share(shared.props, OTHER_OWNER);
  const failed = await cfn.create({ ...accepter.props, WaitTimeoutSeconds: '1' }, { stackId: RECEIVING_STACK, logicalResourceId: accepter.logicalId });
  expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED });
  expect(failed.Reason).toMatch(/^No AWS RAM invitation to resource share "shared-subnets" from owner account 111111111111 reached account 222222222222 within 1 second\. /);
  expect(failed.Reason).not.toContain(OTHER_OWNER);

  const ours = await share(shared.props);
  const accepted = await cfn.create(accepter.props, { stackId: RECEIVING_STACK, logicalResourceId: accepter.logicalId });
  expect(accepted).toMatchObject({ Status: 'SUCCESS', Data: { ResourceShareArn: ours } });
  expect([principalOf(ours), principalOf(foreign)]).toEqual(['associated', 'invited']);
});

test('an expired invitation: the failure says the owner must share again; nothing accepted', async () => {
  const { share: shared, accepter } = twoStacks();
  await share(shared.props);
  cfn.emulator.advanceTime(12 * 60 * 60 * 1000);
  const failed = await cfn.create({ ...accepter.props, WaitTimeoutSeconds: '1' }, { stackId: RECEIVING_STACK, logicalResourceId: accepter.logicalId });
  expect(failed.Status).toBe('FAILED');
  expect(failed.Reason).toMatch(/ended with state EXPIRED, and no new one arrived within 1 second\. An EXPIRED invitation .* the owner account 111111111111 must share again/);
  expect(calls('AcceptResourceShareInvitation')).toBe(0);
});

test('by ARN: only that share; an ARN of another Region fails before any RAM call, naming both Regions', async () => {
  const arn = await share({ Name: 'by-arn', Principals: [RECEIVER] });
  await share({ Name: 'by-arn', Principals: [RECEIVER] }, OWNER, 'Twin');
  const accepted = await cfn.create(accepterProps({ resourceShareArn: arn }), { stackId: RECEIVING_STACK, logicalResourceId: 'Accept' });
  expect(accepted).toMatchObject({ Status: 'SUCCESS', Data: { ResourceShareArn: arn, Status: 'ACTIVE' } });
  expect(accepted.PhysicalResourceId).toContain(`:${OWNER}/${arn.split('/')[1]}:accepted:`);
  expect(cfn.emulator.ram.state().shares.map((s) => s?.principals[RECEIVER])).toEqual(['associated', 'invited']);

  const before = cfn.emulator.requests.filter((r) => r.service === 'ram').length;
  const elsewhere = arn.replace(`:${REGION}:`, ':us-west-2:');
  const failed = await cfn.create({ ResourceShareArn: elsewhere, WaitTimeoutSeconds: '1' }, { stackId: RECEIVING_STACK, logicalResourceId: 'Elsewhere' });
  expect(failed.Reason).toBe(`The resource share ${elsewhere} is in Region us-west-2, this stack in ${REGION}: a share and its invitation are seen only ` +
    'in their own Region. Deploy the accepter in a stack of Region us-west-2. Nothing was changed.');
  expect(cfn.emulator.requests.filter((r) => r.service === 'ram').length).toBe(before);
});

test('a changed name is a new expectation: the update accepts the other share; the cleanup keeps the old one (the stack still expects that owner)', async () => {
  const first = await share({ Name: 'first', Principals: [RECEIVER] });
  const second = await share({ Name: 'second', Principals: [RECEIVER] }, OWNER, 'Second');
  const oldProps = accepterProps({ ownerAccountId: OWNER, resourceShareName: 'first' });
  const newProps = accepterProps({ ownerAccountId: OWNER, resourceShareName: 'second' });
  const accepted = await cfn.create(oldProps, { stackId: RECEIVING_STACK, logicalResourceId: 'Accept' });
  const updated = await cfn.update(accepted.PhysicalResourceId, newProps, oldProps, { stackId: RECEIVING_STACK, logicalResourceId: 'Accept' });
  expect(updated).toMatchObject({ Status: 'SUCCESS', Data: { ResourceShareArn: second } });
  expect(updated.PhysicalResourceId).not.toBe(accepted.PhysicalResourceId);
  // a changed wait keeps the expectation: nothing accepted, the same physical ID
  const waited = await cfn.update(updated.PhysicalResourceId, { ...newProps, WaitTimeoutSeconds: '60' }, newProps, { stackId: RECEIVING_STACK, logicalResourceId: 'Accept' });
  expect(waited.PhysicalResourceId).toBe(updated.PhysicalResourceId);
  expect(calls('AcceptResourceShareInvitation')).toBe(2);
  // UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: the old physical ID goes, but the template still holds an accepter of the same
  // owner (the stack's targets are owners: a switch between the ARN and the name form of one share must never leave it)
  const cleanup = await cfn.delete(accepted.PhysicalResourceId, oldProps, { stackId: RECEIVING_STACK, logicalResourceId: 'Accept' });
  expect(cleanup.Status).toBe('SUCCESS');
  expect([principalOf(first), principalOf(second)]).toEqual(['associated', 'associated']);
});

test('a leave RAM refuses (OperationNotPermittedException) keeps the share: the Delete succeeds and says so', async () => {
  const { share: shared, accepter } = twoStacks();
  const arn = await share(shared.props);
  const accepted = await cfn.create(accepter.props, { stackId: RECEIVING_STACK, logicalResourceId: accepter.logicalId });
  cfn.emulator.faults.failWith('DisassociateResourceShare', 'OperationNotPermittedException');
  const deleted = await cfn.delete(accepted.PhysicalResourceId, accepter.props, { stackId: RECEIVING_STACK, logicalResourceId: accepter.logicalId, stackStatus: 'DELETE_IN_PROGRESS' });
  expect(deleted.Status).toBe('SUCCESS');
  expect(principalOf(arn)).toBe('associated');
  expect(cfn.logs()).toMatch(/RAM does not let this account leave the share: it stays/);
});
