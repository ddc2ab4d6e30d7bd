package com.example.invitations;

import io.github.cdkaccountinvitations.DetectiveInvitationAccepter;
import io.github.cdkaccountinvitations.DetectiveInvitationAccepterProps;
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
        CloudAssembly assembly = app.synth();
        System.out.printf("Java: synthesized %s into %s/%s%n", stack.getStackName(), assembly.getDirectory(),
                stack.getTemplateFile());
    }
}
