import { RemovalPolicy, Stack, StackProps, Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { InvitationTarget, MacieInvitations, OrgInvitation, ResourceShareAccepter, WorkSpacesAccountLink } from '../src';

/**
 * A landing-zone stack for the organization's management account that invites accounts with every construct of
 * the library.
 */
export class ExampleStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // invite an existing account by ID, tag it when it joins
    new OrgInvitation(this, 'InviteWorkloads', {
      target: InvitationTarget.account('222222222222'),
      notes: 'Welcome to the Example Corp landing zone',
      accountTags: { team: 'workloads', 'cost-center': '1234' },
    });

    // invite by the owner's email; keep the invitation if the stack goes away
    new OrgInvitation(this, 'InviteSandbox', {
      target: InvitationTarget.email('sandbox-owner@example.com'),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // make two accounts members of this account's Amazon Macie (this region) and invite them
    new MacieInvitations(this, 'MacieMembers', {
      members: [
        { accountId: '222222222222', email: 'workloads-owner@example.com' },
        { accountId: '444444444444', email: 'data-owner@example.com' },
      ],
      message: 'Please join the central Macie account',
    });

    // link a WorkSpaces BYOL account of the same organization, in this region
    new WorkSpacesAccountLink(this, 'LinkWorkSpaces', {
      targetAccountId: '333333333333',
    });

    // accept the subnets the network account shares with this account through AWS RAM (its AWS::RAM::ResourceShare)
    new ResourceShareAccepter(this, 'AcceptNetworkShare', {
      ownerAccountId: '555555555555',
      resourceShareName: 'shared-subnets',
    });

    // tags reach the library's Lambda functions, roles and log groups (tag policies, SCPs on untagged resources)
    Tags.of(this).add('managed-by', 'landing-zone');
  }
}
