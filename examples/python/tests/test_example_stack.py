"""Tests of a user's stack, the way Python CDK users write them: aws_cdk.assertions.Template over the stack.

Run by the language tier against the wheel that jsii-pacmak built (scripts/languages/run.sh); the snapshot
(syrupy) lives in tests/__snapshots__ and is accepted with `pytest --snapshot-update`.
"""
import json
import re

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

from cdk_account_invitations import InvitationTarget, InvitationTargetType, OrgInvitation
from example_stack import ExampleStack

ASSET_HASH = re.compile(r"[0-9a-f]{64}")


@pytest.fixture(scope="module")
def template() -> Template:
    app = cdk.App()
    stack = ExampleStack(
        app, "LandingZoneInvitations", env=cdk.Environment(account="111111111111", region="us-east-1")
    )
    return Template.from_stack(stack)


def test_invites_the_workloads_account_with_its_tags(template: Template) -> None:
    template.has_resource_properties(
        "Custom::OrgInvitation",
        {
            "TargetId": "222222222222",
            "TargetType": "ACCOUNT",
            "Tags": {"team": "workloads", "cost-center": "1234"},
        },
    )
    # the sandbox invitation is kept when the stack goes away
    template.has_resource(
        "Custom::OrgInvitation",
        {"Properties": Match.object_like({"TargetId": "sandbox-owner@example.com"}), "DeletionPolicy": "Retain"},
    )


def test_invitation_target_echo_properties_and_accept_in_options() -> None:
    # the 1.0 API as a Python user meets it: a union class with static factories, echo properties, acceptIn options
    app = cdk.App()
    mgmt = cdk.Stack(app, "Mgmt", env=cdk.Environment(account="111111111111", region="us-east-1"))
    member = cdk.Stack(app, "Member", env=cdk.Environment(account="222222222222", region="us-east-1"))
    invitation = OrgInvitation(mgmt, "Invite", target=InvitationTarget.account("222222222222"))
    assert (invitation.target.type, invitation.target.value) == (InvitationTargetType.ACCOUNT, "222222222222")
    accepter = invitation.accept_in(member, wait_timeout=cdk.Duration.minutes(10), emit_outputs=False)
    assert accepter.management_account_id == "111111111111"
    assert accepter.organization_id is None
    assert accepter.wait_timeout.to_minutes() == 10
    assert Template.from_stack(member).find_outputs("*") == {}
    wrong_kind = r"\[Mgmt/ByEmail\] target '222222222222' is an account ID; use InvitationTarget.account"
    with pytest.raises(Exception, match=wrong_kind):
        OrgInvitation(mgmt, "ByEmail", target=InvitationTarget.email("222222222222"))


def test_template_matches_the_snapshot(template: Template, snapshot) -> None:
    # the Lambda asset hash changes with every bundle change: mask it, so the snapshot follows the template's shape
    masked = json.loads(ASSET_HASH.sub("[ASSET-HASH]", json.dumps(template.to_json())))
    assert masked == snapshot
