package com.example.invitations;

import java.util.List;

import io.github.cdkaccountinvitations.DetectiveInvitationAccepter;
import io.github.cdkaccountinvitations.DetectiveInvitationAccepterProps;
import io.github.cdkaccountinvitations.SecurityHubInvitations;
import io.github.cdkaccountinvitations.SecurityHubMember;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.cxapi.CloudAssembly;

/**
 * The example app in Java: synthesizes the same stack as examples/app.ts. The language tier
 * (scripts/languages/run.sh) sets CDK_OUTDIR and compares the template with the TypeScript one.
 */
public final class ExampleApp {
    public static void main(final String[] args) {
        App app = new App();
        ExampleStack stack = new ExampleStack(app, "LandingZoneInvitations", StackProps.builder()
                .env(Environment.builder().account("111111111111").region("us-east-1").build())
                .build());
        // a member account's stack: accept the management account's Amazon Detective invitation (as in examples/app.ts)
        Stack detectiveMember = new Stack(app, "DetectiveMember", StackProps.builder()
                .env(Environment.builder().account("222222222222").region("us-east-1").build())
                .build());
        new DetectiveInvitationAccepter(detectiveMember, "JoinDetective", DetectiveInvitationAccepterProps.builder()
                .graphArn("arn:aws:detective:us-east-1:111111111111:graph:027c7c4610ea4aacaf0b883093cab899")
                .waitTimeout(Duration.minutes(10))
                .build());

        // A separate stack, as in examples/app.ts: the Security Hub administrator account invites two accounts
        Stack securityHub = new Stack(app, "SecurityHubAdministrator", StackProps.builder()
                .env(Environment.builder().account("111111111111").region("us-east-1").build())
                .build());
        SecurityHubInvitations.Builder.create(securityHub, "SecurityHubMembers")
                .members(List.of(
                        SecurityHubMember.builder().accountId("222222222222").email("workloads-owner@example.com").build(),
                        SecurityHubMember.builder().accountId("444444444444").build()))
                .build();

        CloudAssembly assembly = app.synth();
        System.out.printf("Java: synthesized %s into %s/%s%n", stack.getStackName(), assembly.getDirectory(),
                stack.getTemplateFile());
    }
}
