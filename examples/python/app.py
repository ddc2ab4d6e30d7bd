"""The example app in Python: synthesizes the same stack as examples/app.ts.

The language tier (scripts/languages/run.sh) sets CDK_OUTDIR and compares the template with the TypeScript one.
"""
import aws_cdk as cdk

from example_stack import ExampleStack

app = cdk.App()
stack = ExampleStack(
    app,
    "LandingZoneInvitations",
    env=cdk.Environment(account="111111111111", region="us-east-1"),
)
assembly = app.synth()
print(f"Python: synthesized {stack.stack_name} into {assembly.directory}/{stack.template_file}")
