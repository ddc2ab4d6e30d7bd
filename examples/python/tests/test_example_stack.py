"""Tests of a user's stack, the way Python CDK users write them: aws_cdk.assertions.Template over the stack.

Run by the language tier against the wheel that jsii-pacmak built (scripts/languages/run.sh); the snapshot
(syrupy) lives in tests/__snapshots__ and is accepted with `pytest --snapshot-update`.
"""
import json
import re

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

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


def test_template_matches_the_snapshot(template: Template, snapshot) -> None:
    # the Lambda asset hash changes with every bundle change: mask it, so the snapshot follows the template's shape
    masked = json.loads(ASSET_HASH.sub("[ASSET-HASH]", json.dumps(template.to_json())))
    assert masked == snapshot
