"""The example stack in Python: the same stack as examples/example-stack.ts, with the wheel that jsii-pacmak built."""
from aws_cdk import RemovalPolicy, Stack, Tags
from constructs import Construct

from cdk_account_invitations import (
    InvitationTarget,
    MacieInvitations,
    MacieMember,
    OrgInvitation,
    ResourceShareAccepter,
    WorkSpacesAccountLink,
)


class ExampleStack(Stack):
    """A landing-zone stack for the organization's management account that invites accounts with every construct."""

    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)

        # invite an existing account by ID, tag it when it joins
        OrgInvitation(
            self,
            "InviteWorkloads",
            target=InvitationTarget.account("222222222222"),
            notes="Welcome to the Example Corp landing zone",
            account_tags={"team": "workloads", "cost-center": "1234"},
        )

        # invite by the owner's email; keep the invitation if the stack goes away
        OrgInvitation(
            self,
            "InviteSandbox",
            target=InvitationTarget.email("sandbox-owner@example.com"),
            removal_policy=RemovalPolicy.RETAIN,
        )

        # make two accounts members of this account's Amazon Macie (this region) and invite them
        MacieInvitations(
            self,
            "MacieMembers",
            members=[
                MacieMember(account_id="222222222222", email="workloads-owner@example.com"),
                MacieMember(account_id="444444444444", email="data-owner@example.com"),
            ],
            message="Please join the central Macie account",
        )

        # link a WorkSpaces BYOL account of the same organization, in this region
        WorkSpacesAccountLink(self, "LinkWorkSpaces", target_account_id="333333333333")

        # accept the subnets the network account shares with this account through AWS RAM (its AWS::RAM::ResourceShare)
        ResourceShareAccepter(
            self,
            "AcceptNetworkShare",
            owner_account_id="555555555555",
            resource_share_name="shared-subnets",
        )

        # tags reach the library's Lambda functions, roles and log groups (tag policies, SCPs on untagged resources)
        Tags.of(self).add("managed-by", "landing-zone")
