/**
 * What the shared provider sets up for the handler runtime (src/private/provider.ts): the custom resources'
 * ServiceTimeout, and the stack reads of the runtime (lambda/shared/stack-events.ts).
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { InvitationTarget, MacieInvitations, OrgInvitation, WorkSpacesAccountLink } from '../src';
import { providerStatements } from './util/provider';
import { InvitationProvider } from '../src/private/provider';

function stackWithEveryConstruct(): Template {
  const stack = new Stack(new App(), 'Landing', { env: { account: '111111111111', region: 'eu-west-1' } });
  new OrgInvitation(stack, 'Invite', { target: InvitationTarget.account('222222222222') });
  new MacieInvitations(stack, 'Macie', { members: [{ accountId: '333333333333', email: 'owner@example.com' }] });
  new WorkSpacesAccountLink(stack, 'Link', { targetAccountId: '444444444444' });
  return Template.fromStack(stack);
}

describe('ServiceTimeout (issue 10, item 6)', () => {
  test.each([
    ['Custom::OrgInvitation', 300, '1200'],
    ['Custom::WorkSpacesAccountLink', 300, '1200'],
    ['Custom::MacieInvitations', 900, '3000'],
  ])('%s: a lost answer fails the deployment after 3 runs of its %i s function, the retry delays and slack: %s s', (type, lambdaTimeout, serviceTimeout) => {
    const t = stackWithEveryConstruct();
    const [resource] = Object.values(t.findResources(type));
    expect(resource.Properties.ServiceTimeout).toBe(serviceTimeout);
    const [functionId] = resource.Properties.ServiceToken['Fn::GetAtt'];
    expect(t.toJSON().Resources[functionId].Properties.Timeout).toBe(lambdaTimeout);
    // above the longest time an answer can still come: 3 invocations (Lambda's 2 async retries) and 3 minutes of delays
    expect(Number(serviceTimeout)).toBeGreaterThan(3 * lambdaTimeout + 180);
    expect(Number(serviceTimeout)).toBeLessThan(3600);
  });

  test('capped at CloudFormation\'s 3600 s', () => {
    expect(InvitationProvider.serviceTimeoutFor(Duration.minutes(15)).toSeconds()).toBe(3000);
    expect(InvitationProvider.serviceTimeoutFor(Duration.minutes(20)).toSeconds()).toBe(3600);
  });
});

test('every provider may read its own stack\'s events (when a canceled Create began), on its own stack only', () => {
  const statements = providerStatements(stackWithEveryConstruct())
    .filter((s) => ([] as string[]).concat(s.Action).includes('cloudformation:DescribeStackEvents'));
  expect(statements).toHaveLength(3);
  for (const statement of statements) {
    expect(statement.Resource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudformation:eu-west-1:111111111111:stack/Landing/*']],
    });
  }
});
