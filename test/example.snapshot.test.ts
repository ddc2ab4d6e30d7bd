import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ExampleStack } from '../examples/example-stack';

test('the example stack matches its snapshot (asset hashes masked)', () => {
  const app = new App();
  const stack = new ExampleStack(app, 'LandingZoneInvitations', { env: { account: '111111111111', region: 'us-east-1' } });
  expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
});
