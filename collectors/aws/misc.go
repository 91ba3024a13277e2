package aws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// secretsManagerTask: every secret's metadata (RotationEnabled); never a secret value.
func secretsManagerTask() task {
	return task{service: "secretsmanager", kinds: []string{KindSecrets},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := secretsmanager.NewFromConfig(cfg)
			p := secretsmanager.NewListSecretsPaginator(c, &secretsmanager.ListSecretsInput{})
			ss, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *secretsmanager.ListSecretsOutput) []smtypes.SecretListEntry { return o.SecretList })
			emit(e, KindSecrets, "ListSecrets", pages, err, sortBy(ss, func(v smtypes.SecretListEntry) string { return aws.ToString(v.ARN) }))
		}}
}

// cloudwatchTask: the metric alarms (which resources are watched).
func cloudwatchTask() task {
	return task{service: "cloudwatch", kinds: []string{KindAlarms},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := cloudwatch.NewFromConfig(cfg)
			p := cloudwatch.NewDescribeAlarmsPaginator(c, &cloudwatch.DescribeAlarmsInput{})
			as, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *cloudwatch.DescribeAlarmsOutput) []cwtypes.MetricAlarm { return o.MetricAlarms })
			emit(e, KindAlarms, "DescribeAlarms", pages, err, sortBy(as, func(v cwtypes.MetricAlarm) string { return aws.ToString(v.AlarmArn) }))
		}}
}

// autoscalingTask: the auto scaling groups (launch templates, AZs, tags).
func autoscalingTask() task {
	return task{service: "autoscaling", kinds: []string{KindASGs},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := autoscaling.NewFromConfig(cfg)
			p := autoscaling.NewDescribeAutoScalingGroupsPaginator(c, &autoscaling.DescribeAutoScalingGroupsInput{})
			gs, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *autoscaling.DescribeAutoScalingGroupsOutput) []astypes.AutoScalingGroup {
				return o.AutoScalingGroups
			})
			emit(e, KindASGs, "DescribeAutoScalingGroups", pages, err, sortBy(gs, func(v astypes.AutoScalingGroup) string { return aws.ToString(v.AutoScalingGroupARN) }))
		}}
}

// organizationsTask: the accounts of the organization the audited account belongs to (who
// counts as "inside" for sharing). An account outside any organization records an empty list
// with the error code, as a fact.
func organizationsTask() task {
	return task{service: "organizations", kinds: []string{KindOrgAccounts},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := organizations.NewFromConfig(cfg)
			p := organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{})
			accts, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *organizations.ListAccountsOutput) []orgtypes.Account { return o.Accounts })
			if errorCode(err) == "AWSOrganizationsNotInUseException" {
				e.ok(KindOrgAccounts, "ListAccounts", 0, []orgtypes.Account{})
				return
			}
			emit(e, KindOrgAccounts, "ListAccounts", pages, err, sortBy(accts, func(v orgtypes.Account) string { return aws.ToString(v.Id) }))
		}}
}
