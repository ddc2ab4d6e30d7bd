/**
 * The RAM contract: the `Properties` ResourceShareAccepter synthesizes (both forms, and `acceptShare`'s) are what its
 * handler's `parse` reads, with the values CloudFormation would send; every attribute the construct reads is one the
 * handler's `data()` writes; what `parse` refuses it names.
 */
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ram from 'aws-cdk-lib/aws-ram';
import { ResourceShareAccepter } from '../src';
import { toWire } from './contract/kinds';
import { RAM_ACCEPTER } from '../src/private/contract/ram';

const OWNER = '111111111111';
const ARN = `arn:aws-us-gov:ram:us-gov-west-1:${OWNER}:resource-share/0a1b2c3d-0000-4000-8000-000000000000`;

/** The accepter's Properties as CloudFormation sends them, and the attribute names the template reads. */
function synthesized(declare: (stack: Stack) => ResourceShareAccepter) {
  const app = new App();
  const stack = new Stack(app, 'Receiver', { env: { account: '222222222222', region: 'us-gov-west-1' } });
  const accepter = declare(stack);
  const template = Template.fromStack(stack).toJSON();
  const [logicalId, resource] = Object.entries(template.Resources as Record<string, any>).find(([, r]) => r.Type === 'Custom::ResourceShareAccepter')!;
  const { ServiceToken: _t, ServiceTimeout: _s, ...properties } = resource.Properties;
  const read = [accepter.resourceShareArn, accepter.invitationArn, accepter.status].map((token) => stack.resolve(token)['Fn::GetAtt']);
  expect(read.every(([id]) => id === logicalId)).toBe(true);
  return { props: toWire(properties, {}) as Record<string, unknown>, attributes: read.map(([, name]) => name as string) };
}

test.each([
  ['by ARN', (s: Stack) => new ResourceShareAccepter(s, 'A', { resourceShareArn: ARN, waitTimeout: Duration.seconds(0) }),
    { resourceShareArn: ARN, ownerAccountId: OWNER, waitTimeoutMs: 0, removalPolicy: 'DESTROY' }],
  ['by owner and name', (s: Stack) => new ResourceShareAccepter(s, 'A', { ownerAccountId: OWNER, resourceShareName: 'a:b/c "d"', removalPolicy: RemovalPolicy.RETAIN }),
    { resourceShareName: 'a:b/c "d"', ownerAccountId: OWNER, waitTimeoutMs: 300_000, removalPolicy: 'RETAIN' }],
  ['acceptShare', (s: Stack) => {
    const owner = new Stack(s.node.root as App, 'Owner', { env: { account: OWNER, region: 'us-gov-west-1' } });
    return ResourceShareAccepter.acceptShare(new ram.CfnResourceShare(owner, 'Share', { name: 'subnets', principals: ['222222222222'] }), s);
  }, { resourceShareName: 'subnets', ownerAccountId: OWNER, waitTimeoutMs: 300_000, removalPolicy: 'DESTROY' }],
])('%s: the synthesized properties parse to what the construct was given; the attributes read are the ones data() writes', (_name, declare, expected) => {
  const { props, attributes } = synthesized(declare);
  expect(RAM_ACCEPTER.parse(props)).toEqual(expected);
  expect(RAM_ACCEPTER.sensitive(props)).toEqual([]);
  const data = RAM_ACCEPTER.data({ resourceShareArn: ARN, invitationArn: 'NONE', status: 'ACTIVE' });
  expect(Object.keys(data).sort()).toEqual([...attributes].sort());
});

test.each([
  [{}, 'Give either ResourceShareArn, or OwnerAccountId and ResourceShareName; got none of them.'],
  [{ ResourceShareArn: ARN, ResourceShareName: 'x' }, 'Give either ResourceShareArn, or OwnerAccountId and ResourceShareName; got ResourceShareArn and ResourceShareName.'],
  [{ ResourceShareArn: 'arn:aws:ram:us-east-1:1:resource-share/x' }, 'The property ResourceShareArn must be a resource share ARN'],
  [{ OwnerAccountId: OWNER }, 'The property ResourceShareName is required with OwnerAccountId (or give ResourceShareArn alone).'],
  [{ ResourceShareName: 'x' }, 'The property OwnerAccountId is required and must be a non-empty string, got undefined.'],
  [{ ResourceShareArn: ARN, WaitTimeoutSeconds: '900' }, 'The property WaitTimeoutSeconds must be a whole number from 0 to 840, got "900".'],
])('parse names what it refuses: %j', (raw, message) => {
  expect(() => RAM_ACCEPTER.parse(raw)).toThrow(message);
});
