"""The example app in Python: synthesizes the same stack as examples/app.ts.

The language tier (scripts/languages/run.sh) sets CDK_OUTDIR and compares the template with the TypeScript one.
"""
import aws_cdk as cdk

from cdk_account_invitations import DetectiveInvitationAccepter, SecurityHubInvitations, SecurityHubMember
from example_stack import ExampleStack

app = cdk.App()
stack = ExampleStack(
    app,
    "LandingZoneInvitations",
    env=cdk.Environment(account="111111111111", region="us-east-1"),
)
# a member account's stack: accept the management account's Amazon Detective invitation (as in examples/app.ts)
detective_member = cdk.Stack(
    app, "DetectiveMember", env=cdk.Environment(account="222222222222", region="us-east-1")
)
DetectiveInvitationAccepter(
    detective_member,
    "JoinDetective",
    graph_arn="arn:aws:detective:us-east-1:111111111111:graph:027c7c4610ea4aacaf0b883093cab899",
    wait_timeout=cdk.Duration.minutes(10),
)

# A separate stack, as in examples/app.ts: the Security Hub administrator account invites two accounts
security_hub = cdk.Stack(
    app,
    "SecurityHubAdministrator",
    env=cdk.Environment(account="111111111111", region="us-east-1"),
)
SecurityHubInvitations(
    security_hub,
    "SecurityHubMembers",
    members=[
        SecurityHubMember(account_id="222222222222", email="workloads-owner@example.com"),
        SecurityHubMember(account_id="444444444444"),
    ],
)

assembly = app.synth()
print(f"Python: synthesized {stack.stack_name} into {assembly.directory}/{stack.template_file}")
