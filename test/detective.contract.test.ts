/**
 * The Detective contract: the `Properties` DetectiveInvitationAccepter synthesizes are what its handler's `parse`
 * reads (with the values CloudFormation would send), and every attribute the construct reads is one the handler's
 * `data()` writes. The synthesis and the wire form come from the contract suites' row (./contract/kinds.ts).
 */
import { App, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DetectiveInvitationAccepter } from '../src';
import { graphArnOf, graphIdOf, INVITER, KINDS, MEMBER, REGION, synthesize, toWire } from './contract/kinds';
import { DETECTIVE_ACCEPTER } from '../src/private/contract/detective';
import { ACCEPTER, REMOVAL } from '../src/private/contract/shared';

const ROW = KINDS.find((row) => row.service === 'detective')!;
const GRAPH = graphArnOf(INVITER);
const TYPE = 'Custom::DetectiveInvitationAccepter';

function memberStack(): Stack {
  return new Stack(new App(), 'Member', { env: { account: MEMBER, region: REGION } });
}

/** The accepter's Properties as CloudFormation sends them (`parameters` resolve `Ref`s), and its logical ID. */
function sent(stack: Stack, parameters: Record<string, string> = {}): { logicalId: string; properties: Record<string, unknown> } {
  const [[logicalId, resource]] = Object.entries(Template.fromStack(stack).findResources(TYPE));
  const { ServiceToken: _token, ServiceTimeout: _timeout, ...properties } = resource.Properties as Record<string, unknown>;
  return { logicalId, properties: toWire(properties, parameters) as Record<string, unknown> };
}

const parsed = (waitTimeoutMs: number, removalPolicy: 'DESTROY' | 'RETAIN') => ({
  graphArn: GRAPH, region: REGION, administratorAccountId: INVITER, graphId: graphIdOf(INVITER), waitTimeoutMs, removalPolicy,
});

test('defaults: the graph ARN read into its Region, administrator and ID; the contract\'s 5-minute wait; DESTROY', () => {
  const stack = memberStack();
  new DetectiveInvitationAccepter(stack, 'JoinDetective', { graphArn: GRAPH });
  expect(DETECTIVE_ACCEPTER.parse(sent(stack).properties)).toStrictEqual(parsed(ACCEPTER.defaultWaitSeconds * 1000, 'DESTROY'));
});

test.each([
  ['no wait (look once)', Duration.seconds(0), 0],
  ['the longest wait', Duration.seconds(ACCEPTER.maxWaitSeconds), ACCEPTER.maxWaitSeconds * 1000],
])('every prop set: %s, RETAIN', (_name, waitTimeout, waitTimeoutMs) => {
  const stack = memberStack();
  new DetectiveInvitationAccepter(stack, 'JoinDetective', { graphArn: GRAPH, waitTimeout, removalPolicy: RemovalPolicy.RETAIN, emitOutputs: false });
  expect(DETECTIVE_ACCEPTER.parse(sent(stack).properties)).toStrictEqual(parsed(waitTimeoutMs, 'RETAIN'));
});

test('a graph ARN from a parameter, resolved as CloudFormation does; a value that is no graph ARN is refused naming the key', () => {
  const stack = memberStack();
  new DetectiveInvitationAccepter(stack, 'JoinDetective', { graphArn: new CfnParameter(stack, 'Graph').valueAsString });
  expect(DETECTIVE_ACCEPTER.parse(sent(stack, { Graph: GRAPH }).properties).administratorAccountId).toBe(INVITER);
  expect(() => DETECTIVE_ACCEPTER.parse(sent(stack, { Graph: 'arn:aws:detective:us-east-1:111111111111:graph:xyz' }).properties))
    .toThrow(/^The property GraphArn must be a Detective behavior graph ARN .*, got "arn:aws:detective:us-east-1:111111111111:graph:xyz"\.$/);
});

test('declared by acceptInvitation for a CfnMemberInvitation: the invitation\'s graph is the one the handler expects', () => {
  const { accepter } = synthesize(ROW, { waitSeconds: 120 });
  expect(DETECTIVE_ACCEPTER.parse(accepter!.props)).toStrictEqual(parsed(120_000, 'DESTROY'));
});

test('every attribute the construct reads is one the handler writes; no sensitive input', () => {
  const stack = memberStack();
  const accepter = new DetectiveInvitationAccepter(stack, 'JoinDetective', { graphArn: GRAPH });
  const { logicalId, properties } = sent(stack);
  const written = Object.keys(DETECTIVE_ACCEPTER.data({ graphArn: GRAPH, administratorAccountId: INVITER, memberStatus: 'ENABLED', disabledReason: 'NONE' }));
  const read = [accepter.memberStatus, accepter.disabledReason].map((token) => {
    const [resource, name] = (stack.resolve(token) as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
    expect(resource).toBe(logicalId);
    return name;
  });
  // the output reads the graph ARN
  const fromTemplate = JSON.stringify(Template.fromStack(stack).toJSON().Outputs);
  expect(fromTemplate).toContain(`"${DETECTIVE_ACCEPTER.attributes.graphArn}"`);
  for (const name of [...read, DETECTIVE_ACCEPTER.attributes.graphArn]) expect(written).toContain(name);
  expect(synthesize(ROW).accepter!.attributes).toEqual([...read, DETECTIVE_ACCEPTER.attributes.graphArn].sort());
  expect(Object.keys(properties).sort()).toEqual([DETECTIVE_ACCEPTER.keys.graphArn, ACCEPTER.waitKey, REMOVAL.key].sort());
  expect(DETECTIVE_ACCEPTER.sensitive(properties)).toEqual([]);
});
