import { App, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ram from 'aws-cdk-lib/aws-ram';
import { ResourceShareAccepter } from '../src';
import { providerStatements } from './util/provider';
import { RAM_ACCEPTER } from '../src/private/contract/ram';
import { HANDLERS } from '../src/private/handlers';

const OWNER = '111111111111';
const RECEIVER = '222222222222';
const RESOURCE_TYPE = HANDLERS['resource-share-accepter'].resourceType;
const SHARE_ARN = `arn:aws:ram:eu-west-1:${OWNER}:resource-share/7ab63972-b505-7e2a-420d-6f5d3e1a9f01`;

function stack(account: string | undefined = RECEIVER, app = new App(), id = 'Receiver'): Stack {
  return new Stack(app, id, account ? { env: { account, region: 'eu-west-1' } } : undefined);
}

function properties(s: Stack): Record<string, unknown> {
  const resources = Object.values(Template.fromStack(s).findResources(RESOURCE_TYPE));
  expect(resources).toHaveLength(1);
  const { ServiceToken: _t, ServiceTimeout: _s, ...props } = resources[0].Properties;
  return props;
}

/** The statements granting `action`, resolved. */
function grants(s: Stack, action: string) {
  return providerStatements(Template.fromStack(s)).filter((st) => [st.Action].flat().includes(action));
}

describe('ResourceShareAccepter', () => {
  test('by owner and name: the properties, the attributes, an output of the share ARN', () => {
    const s = stack();
    const accepter = new ResourceShareAccepter(s, 'Accept', { ownerAccountId: OWNER, resourceShareName: 'subnets' });
    expect(properties(s)).toEqual({ OwnerAccountId: OWNER, ResourceShareName: 'subnets', WaitTimeoutSeconds: 300, RemovalPolicy: 'DESTROY' });
    expect(accepter.ownerAccountId).toBe(OWNER);
    for (const [token, name] of [[accepter.resourceShareArn, 'ResourceShareArn'], [accepter.invitationArn, 'InvitationArn'], [accepter.status, 'Status']]) {
      expect(s.resolve(token)).toEqual({ 'Fn::GetAtt': [expect.any(String), name] });
    }
    const outputs = Object.values(Template.fromStack(s).findOutputs('*'));
    expect(outputs.map((o) => [o.Value, o.Description])).toEqual([[
      { 'Fn::GetAtt': [expect.any(String), RAM_ACCEPTER.attributes.resourceShareArn] },
      `ARN of the AWS RAM resource share of account ${OWNER} accepted by Receiver/Accept`,
    ]]);
  });

  test('by ARN: the owner is the ARN\'s account (not the stack\'s); accept scoped to its invitations, leave to that share', () => {
    const s = stack();
    const accepter = new ResourceShareAccepter(s, 'Accept', { resourceShareArn: SHARE_ARN, waitTimeout: Duration.minutes(1), emitOutputs: false });
    expect(accepter.ownerAccountId).toBe(OWNER);
    expect(properties(s)).toEqual({ ResourceShareArn: SHARE_ARN, WaitTimeoutSeconds: 60, RemovalPolicy: 'DESTROY' });
    expect(grants(s, 'ram:AcceptResourceShareInvitation')).toEqual([{
      Action: 'ram:AcceptResourceShareInvitation',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ram:eu-west-1:${OWNER}:resource-share-invitation/*`]] },
      Condition: { StringEquals: { 'ram:ShareOwnerAccountId': OWNER } },
    }]);
    expect(grants(s, 'ram:DisassociateResourceShare')).toEqual([{ Action: 'ram:DisassociateResourceShare', Effect: 'Allow', Resource: SHARE_ARN }]);
    expect(grants(s, 'ram:GetResourceShares')).toEqual([{ Action: ['ram:GetResourceShareInvitations', 'ram:GetResourceShares'], Effect: 'Allow', Resource: '*' }]);
    expect(Template.fromStack(s).findOutputs('*')).toEqual({});
  });

  test('RETAIN: no leave permission, the resource is retained; two owners get one accept grant each', () => {
    const s = stack();
    new ResourceShareAccepter(s, 'A', { ownerAccountId: OWNER, resourceShareName: 'a', removalPolicy: RemovalPolicy.RETAIN });
    new ResourceShareAccepter(s, 'B', { ownerAccountId: OWNER, resourceShareName: 'b', removalPolicy: RemovalPolicy.RETAIN });
    new ResourceShareAccepter(s, 'C', { ownerAccountId: '333333333333', resourceShareName: 'c', removalPolicy: RemovalPolicy.RETAIN });
    expect(grants(s, 'ram:DisassociateResourceShare')).toEqual([]);
    expect(grants(s, 'ram:AcceptResourceShareInvitation').map((g) => (g as any).Condition.StringEquals['ram:ShareOwnerAccountId'])).toEqual([OWNER, '333333333333']);
    const resources = Object.values(Template.fromStack(s).findResources(RESOURCE_TYPE));
    expect(resources.map((r) => [r.DeletionPolicy, r.Properties.RemovalPolicy])).toEqual([['Retain', 'RETAIN'], ['Retain', 'RETAIN'], ['Retain', 'RETAIN']]);
  });

  test('a token owner is checked at deploy time; the grants follow the token', () => {
    const s = stack(undefined);
    const owner = new CfnParameter(s, 'Owner').valueAsString;
    new ResourceShareAccepter(s, 'Accept', { ownerAccountId: owner, resourceShareName: 'subnets' });
    expect(properties(s)).toMatchObject({ OwnerAccountId: { Ref: 'Owner' } });
    expect(grants(s, 'ram:AcceptResourceShareInvitation')[0]).toMatchObject({ Condition: { StringEquals: { 'ram:ShareOwnerAccountId': { Ref: 'Owner' } } } });
  });

  test.each([
    [{}, 'give either resourceShareArn, or ownerAccountId and resourceShareName; got none of them.'],
    [{ resourceShareArn: SHARE_ARN, ownerAccountId: OWNER }, 'got resourceShareArn and ownerAccountId.'],
    [{ ownerAccountId: OWNER }, 'got ownerAccountId.'],
    [{ resourceShareName: 'x' }, 'got resourceShareName.'],
    [{ resourceShareArn: 'arn:aws:ram:eu-west-1:111:resource-share/x' }, 'resourceShareArn must be a resource share ARN (arn:<partition>:ram:<region>:<owner account>:resource-share/<ID>), got \'arn:aws:ram:eu-west-1:111:resource-share/x\'.'],
    [{ resourceShareArn: SHARE_ARN.replace(OWNER, RECEIVER) }, 'is owned by the stack\'s own account'],
    [{ resourceShareArn: SHARE_ARN.replace('eu-west-1', 'us-east-1') }, 'is in Region us-east-1, the stack in eu-west-1'],
    [{ ownerAccountId: RECEIVER, resourceShareName: 'x' }, `ownerAccountId '${RECEIVER}' is the stack's own account`],
    [{ ownerAccountId: '12345', resourceShareName: 'x' }, 'ownerAccountId must be a 12-digit AWS account ID, got \'12345\'.'],
    [{ ownerAccountId: OWNER, resourceShareName: ' ' }, 'resourceShareName must not be empty'],
    [{ ownerAccountId: OWNER, resourceShareName: 'x', waitTimeout: Duration.minutes(15) }, 'waitTimeout must be from 0 seconds up to 14 minutes'],
    [{ ownerAccountId: OWNER, resourceShareName: 'x', removalPolicy: RemovalPolicy.SNAPSHOT }, 'removalPolicy must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN'],
  ])('synth-time error naming the path and the value: %j', (props, message) => {
    let thrown: Error | undefined;
    try {
      new ResourceShareAccepter(stack(), 'Accept', props);
    } catch (error) {
      thrown = error as Error;
    }
    expect(thrown?.message.startsWith('[Receiver/Accept] ')).toBe(true);
    expect(thrown?.message).toContain(message);
  });
});

describe('ResourceShareAccepter.acceptShare', () => {
  function sharing(principals: string[] | undefined, app = new App(), name: string = 'subnets') {
    const owner = stack(OWNER, app, 'Owner');
    const share = new ram.CfnResourceShare(owner, 'Share', { name, principals });
    return { app, owner, share };
  }

  test('declares the accepter by the share\'s name and the owner stack\'s account, and the stack dependency', () => {
    const { app, owner, share } = sharing([RECEIVER, '333333333333']);
    const receiver = stack(RECEIVER, app);
    const accepter = ResourceShareAccepter.acceptShare(share, receiver, {
      waitTimeout: Duration.minutes(2),
      removalPolicy: RemovalPolicy.RETAIN,
      emitOutputs: false,
    });
    expect(accepter.node.path).toMatch(/^Receiver\/ResourceShareAccepter-OwnerShare/);
    expect(properties(receiver)).toEqual({ OwnerAccountId: OWNER, ResourceShareName: 'subnets', WaitTimeoutSeconds: 120, RemovalPolicy: 'RETAIN' });
    expect(receiver.dependencies).toEqual([owner]);
    expect(Template.fromStack(receiver).findOutputs('*')).toEqual({});
  });

  test('an organization or OU principal may cover the receiver: only an all-account list is checked', () => {
    const { app, share } = sharing([`arn:aws:organizations::${OWNER}:organization/o-exampleorg1`]);
    expect(() => ResourceShareAccepter.acceptShare(share, stack('444444444444', app))).not.toThrow();
  });

  test.each([
    ['the receiving stack is not a principal', () => {
      const { app, share } = sharing([RECEIVER]);
      ResourceShareAccepter.acceptShare(share, stack('444444444444', app));
    }, 'acceptShare(Receiver): that stack\'s account 444444444444 is not the invited account (222222222222).'],
    ['the owner\'s own stack', () => {
      const { owner, share } = sharing([RECEIVER]);
      ResourceShareAccepter.acceptShare(share, owner);
    }, 'acceptShare(Owner): the accepter belongs in a stack of the invited account'],
    ['twice for one stack', () => {
      const { app, share } = sharing([RECEIVER]);
      const receiver = stack(RECEIVER, app);
      ResourceShareAccepter.acceptShare(share, receiver);
      ResourceShareAccepter.acceptShare(share, receiver);
    }, 'acceptShare(Receiver) was already called for this stack'],
    ['another Region', () => {
      const { app, share } = sharing([RECEIVER]);
      ResourceShareAccepter.acceptShare(share, new Stack(app, 'Receiver', { env: { account: RECEIVER, region: 'us-east-1' } }));
    }, 'that stack is in Region us-east-1, the invitation in eu-west-1; RAM is regional'],
    ['a token name', () => {
      const app = new App();
      const owner = stack(OWNER, app, 'Owner');
      const share = new ram.CfnResourceShare(owner, 'Share', { name: new CfnParameter(owner, 'Name').valueAsString, principals: [RECEIVER] });
      ResourceShareAccepter.acceptShare(share, stack(RECEIVER, app));
    }, '[Owner/Share] acceptShare(Receiver): the share\'s name must be a literal string'],
  ])('refused at synth time: %s', (_name, declare, message) => {
    expect(declare).toThrow(message);
  });
});
