// The example app in Go: declares the same stack as examples/app.ts (see examples/example-stack.ts) with the Go module
// that jsii-pacmak built, and synthesizes it. The language tier (scripts/languages/run.sh) sets CDK_OUTDIR and
// compares the template with the TypeScript one.
package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	inv "github.com/cdk-account-invitations/cdk-account-invitations-go/cdkaccountinvitations"
)

// NewExampleStack is a landing-zone stack for the organization's management account that invites accounts with
// every construct of the library.
func NewExampleStack(scope constructs.Construct, id string, props *awscdk.StackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, jsii.String(id), props)

	// invite an existing account by ID, tag it when it joins
	inv.NewOrgInvitation(stack, jsii.String("InviteWorkloads"), &inv.OrgInvitationProps{
		Target:      inv.InvitationTarget_Account(jsii.String("222222222222")),
		Notes:       jsii.String("Welcome to the Example Corp landing zone"),
		AccountTags: &map[string]*string{"team": jsii.String("workloads"), "cost-center": jsii.String("1234")},
	})

	// invite by the owner's email; keep the invitation if the stack goes away
	inv.NewOrgInvitation(stack, jsii.String("InviteSandbox"), &inv.OrgInvitationProps{
		Target:        inv.InvitationTarget_Email(jsii.String("sandbox-owner@example.com")),
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})

	// make two accounts members of this account's Amazon Macie (this region) and invite them
	inv.NewMacieInvitations(stack, jsii.String("MacieMembers"), &inv.MacieInvitationsProps{
		Members: &[]*inv.MacieMember{
			{AccountId: jsii.String("222222222222"), Email: jsii.String("workloads-owner@example.com")},
			{AccountId: jsii.String("444444444444"), Email: jsii.String("data-owner@example.com")},
		},
		Message: jsii.String("Please join the central Macie account"),
	})

	// link a WorkSpaces BYOL account of the same organization, in this region
	inv.NewWorkSpacesAccountLink(stack, jsii.String("LinkWorkSpaces"), &inv.WorkSpacesAccountLinkProps{
		TargetAccountId: jsii.String("333333333333"),
	})

	// accept the subnets the network account shares with this account through AWS RAM (its AWS::RAM::ResourceShare)
	inv.NewResourceShareAccepter(stack, jsii.String("AcceptNetworkShare"), &inv.ResourceShareAccepterProps{
		OwnerAccountId:    jsii.String("555555555555"),
		ResourceShareName: jsii.String("shared-subnets"),
	})

	// tags reach the library's Lambda functions, roles and log groups (tag policies, SCPs on untagged resources)
	awscdk.Tags_Of(stack).Add(jsii.String("managed-by"), jsii.String("landing-zone"), nil)

	return stack
}

func main() {
	defer jsii.Close()

	app := awscdk.NewApp(nil)
	stack := NewExampleStack(app, "LandingZoneInvitations", &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("us-east-1")},
	})
	// a member account's stack: accept the management account's Amazon Detective invitation (as in examples/app.ts)
	detectiveMember := awscdk.NewStack(app, jsii.String("DetectiveMember"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("222222222222"), Region: jsii.String("us-east-1")},
	})
	inv.NewDetectiveInvitationAccepter(detectiveMember, jsii.String("JoinDetective"), &inv.DetectiveInvitationAccepterProps{
		GraphArn:    jsii.String("arn:aws:detective:us-east-1:111111111111:graph:027c7c4610ea4aacaf0b883093cab899"),
		WaitTimeout: awscdk.Duration_Minutes(jsii.Number(10)),
	})

	// A separate stack, as in examples/app.ts: the Security Hub administrator account invites two accounts
	securityHub := awscdk.NewStack(app, jsii.String("SecurityHubAdministrator"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("us-east-1")},
	})
	inv.NewSecurityHubInvitations(securityHub, jsii.String("SecurityHubMembers"), &inv.SecurityHubInvitationsProps{
		Members: &[]*inv.SecurityHubMember{
			{AccountId: jsii.String("222222222222"), Email: jsii.String("workloads-owner@example.com")},
			{AccountId: jsii.String("444444444444")},
		},
	})

	assembly := app.Synth(nil)
	fmt.Printf("Go: synthesized %s into %s/%s\n", *stack.StackName(), *assembly.Directory(), *stack.TemplateFile())
}
