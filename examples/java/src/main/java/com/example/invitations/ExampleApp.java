package com.example.invitations;

import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
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
        CloudAssembly assembly = app.synth();
        System.out.printf("Java: synthesized %s into %s/%s%n", stack.getStackName(), assembly.getDirectory(),
                stack.getTemplateFile());
    }
}
