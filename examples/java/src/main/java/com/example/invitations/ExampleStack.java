package com.example.invitations;

import java.util.List;
import java.util.Map;

import io.github.cdkaccountinvitations.InvitationTarget;
import io.github.cdkaccountinvitations.MacieInvitations;
import io.github.cdkaccountinvitations.MacieMember;
import io.github.cdkaccountinvitations.OrgInvitation;
import io.github.cdkaccountinvitations.ResourceShareAccepter;
import io.github.cdkaccountinvitations.WorkSpacesAccountLink;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Tags;
import software.constructs.Construct;

/**
 * A landing-zone stack for the organization's management account that invites accounts with every construct of
 * the library: the same stack as examples/example-stack.ts.
 */
public class ExampleStack extends Stack {
    public ExampleStack(final Construct scope, final String id, final StackProps props) {
        super(scope, id, props);

        // invite an existing account by ID, tag it when it joins
        OrgInvitation.Builder.create(this, "InviteWorkloads")
                .target(InvitationTarget.account("222222222222"))
                .notes("Welcome to the Example Corp landing zone")
                .accountTags(Map.of("team", "workloads", "cost-center", "1234"))
                .build();

        // invite by the owner's email; keep the invitation if the stack goes away
        OrgInvitation.Builder.create(this, "InviteSandbox")
                .target(InvitationTarget.email("sandbox-owner@example.com"))
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();

        // make two accounts members of this account's Amazon Macie (this region) and invite them
        MacieInvitations.Builder.create(this, "MacieMembers")
                .members(List.of(
                        MacieMember.builder().accountId("222222222222").email("workloads-owner@example.com").build(),
                        MacieMember.builder().accountId("444444444444").email("data-owner@example.com").build()))
                .message("Please join the central Macie account")
                .build();

        // link a WorkSpaces BYOL account of the same organization, in this region
        WorkSpacesAccountLink.Builder.create(this, "LinkWorkSpaces")
                .targetAccountId("333333333333")
                .build();

        // accept the subnets the network account shares with this account through AWS RAM (its AWS::RAM::ResourceShare)
        ResourceShareAccepter.Builder.create(this, "AcceptNetworkShare")
                .ownerAccountId("555555555555")
                .resourceShareName("shared-subnets")
                .build();

        // tags reach the library's Lambda functions, roles and log groups (tag policies, SCPs on untagged resources)
        Tags.of(this).add("managed-by", "landing-zone");
    }
}
