package aws

import (
	"sort"
	"strings"
)

// Evidence kinds: aws.<service>.<Operation>, the operation whose answer the item holds.
const (
	KindRegions          = "aws.ec2.DescribeRegions"
	KindOrgAccounts      = "aws.organizations.ListAccounts"
	KindCallerIdentity   = "aws.sts.GetCallerIdentity"
	KindVolumes          = "aws.ec2.DescribeVolumes"
	KindSnapshots        = "aws.ec2.DescribeSnapshots"
	KindSnapshotAttr     = "aws.ec2.DescribeSnapshotAttribute"
	KindEBSDefault       = "aws.ec2.GetEbsEncryptionByDefault"
	KindVpcs             = "aws.ec2.DescribeVpcs"
	KindSecurityGroups   = "aws.ec2.DescribeSecurityGroups"
	KindInstances        = "aws.ec2.DescribeInstances"
	KindFlowLogs         = "aws.ec2.DescribeFlowLogs"
	KindImages           = "aws.ec2.DescribeImages"
	KindLaunchTemplates  = "aws.ec2.DescribeLaunchTemplateVersions"
	KindDBInstances      = "aws.rds.DescribeDBInstances"
	KindDBClusters       = "aws.rds.DescribeDBClusters"
	KindDBSnapshots      = "aws.rds.DescribeDBSnapshots"
	KindDBSnapshotAttr   = "aws.rds.DescribeDBSnapshotAttributes"
	KindTables           = "aws.dynamodb.DescribeTable"
	KindBuckets          = "aws.s3.ListBuckets"
	KindBucketLocation   = "aws.s3.GetBucketLocation" // the bucket's region, read with HeadBucket (s3.go)
	KindBucketEncryption = "aws.s3.GetBucketEncryption"
	KindBucketLifecycle  = "aws.s3.GetBucketLifecycleConfiguration"
	KindBucketPolicy     = "aws.s3.GetBucketPolicy"
	KindBucketACL        = "aws.s3.GetBucketAcl"
	KindBucketVersioning = "aws.s3.GetBucketVersioning"
	KindBucketObjectLock = "aws.s3.GetObjectLockConfiguration"
	KindBucketTagging    = "aws.s3.GetBucketTagging"
	KindTempObjects      = "aws.s3.ListObjectsV2"
	KindAccountPAB       = "aws.s3control.GetPublicAccessBlock"
	KindKeys             = "aws.kms.DescribeKey"
	KindKeyRotation      = "aws.kms.GetKeyRotationStatus"
	KindKeyPolicy        = "aws.kms.GetKeyPolicy"
	KindLoadBalancers    = "aws.elbv2.DescribeLoadBalancers"
	KindListeners        = "aws.elbv2.DescribeListeners"
	KindSSLPolicies      = "aws.elbv2.DescribeSSLPolicies"
	KindListenerRules    = "aws.elbv2.DescribeRules"
	KindListenerCerts    = "aws.elbv2.DescribeListenerCertificates"
	KindTargetGroups     = "aws.elbv2.DescribeTargetGroups"
	KindTargetHealth     = "aws.elbv2.DescribeTargetHealth"
	KindDistributions    = "aws.cloudfront.GetDistribution"
	KindCertificates     = "aws.acm.DescribeCertificate"
	KindBackupVaults     = "aws.backup.ListBackupVaults"
	KindRecoveryPoints   = "aws.backup.ListRecoveryPointsByBackupVault"
	KindBackupPlans      = "aws.backup.GetBackupPlan"
	KindBackupSelections = "aws.backup.GetBackupSelection"
	KindProtected        = "aws.backup.ListProtectedResources"
	KindRestoreJobs      = "aws.backup.ListRestoreJobs"
	KindTrails           = "aws.cloudtrail.DescribeTrails"
	KindTrailStatus      = "aws.cloudtrail.GetTrailStatus"
	KindEventSelectors   = "aws.cloudtrail.GetEventSelectors"
	KindLogGroups        = "aws.logs.DescribeLogGroups"
	KindDetectors        = "aws.guardduty.GetDetector"
	KindFindings         = "aws.guardduty.GetFindings"
	KindFirewalls        = "aws.network-firewall.ListFirewalls"
	KindAccountSummary   = "aws.iam.GetAccountSummary"
	KindCredentialReport = "aws.iam.GetCredentialReport"
	KindPasswordPolicy   = "aws.iam.GetAccountPasswordPolicy"
	KindServerCerts      = "aws.iam.ListServerCertificates"
	KindSecrets          = "aws.secretsmanager.ListSecrets"
	KindAlarms           = "aws.cloudwatch.DescribeAlarms"
	KindASGs             = "aws.autoscaling.DescribeAutoScalingGroups"
	KindAPIDomains       = "aws.apigateway.GetDomainNames"
	KindRestAPIs         = "aws.apigateway.GetRestApis"
)

// Kinds that tell where data is and who may read it beyond the first list answers.
const (
	// Aurora cluster snapshots (copies made from other regions included) and who may restore
	// each manual one; automated backups kept in a region (retained, or replicated there).
	KindDBClusterSnapshots    = "aws.rds.DescribeDBClusterSnapshots"
	KindDBClusterSnapshotAttr = "aws.rds.DescribeDBClusterSnapshotAttributes"
	KindDBAutomatedBackups    = "aws.rds.DescribeDBInstanceAutomatedBackups"
	// Who may launch each of our AMIs (launchPermission).
	KindImageAttr = "aws.ec2.DescribeImageAttribute"
	// The organization the account belongs to, and where PII-01's list of insiders comes from.
	KindOrganization = "aws.organizations.DescribeOrganization"
	// KMS aliases, to resolve "alias/…" key references.
	KindAliases = "aws.kms.ListAliases"
	// Log group tags (which log groups hold customer data).
	KindLogGroupTags = "aws.logs.ListTagsForResource"
)

// globalTasks run once per account; regionalTasks once per account and enabled region. In
// organization mode the organization's account list is read once, from the management account
// (see accounts), instead of per account.
func globalTasks(orgMode bool) []task {
	return []task{s3Task(), s3controlTask(), cloudfrontTask(), iamTask(), iamServerCertificatesTask(), organizationsTask(orgMode)}
}

func regionalTasks() []task {
	return []task{
		ec2StorageTask(), ec2NetworkTask(), ec2ImagesTask(), rdsTask(), dynamodbTask(), kmsTask(),
		elbv2Task(), acmTask(), backupTask(), cloudtrailTask(), logsTask(), guarddutyTask(),
		networkFirewallTask(), secretsManagerTask(), cloudwatchTask(), autoscalingTask(), apigatewayTask(),
	}
}

// Kinds lists every kind the AWS collector produces, sorted.
func Kinds() []string {
	seen := map[string]bool{KindRegions: true, KindOrgAccounts: true}
	for _, t := range append(globalTasks(false), regionalTasks()...) {
		for _, k := range t.kinds {
			seen[k] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// serviceOf is the service part of a kind ("aws.rds.DescribeDBInstances" → "rds").
func serviceOf(kind string) string {
	parts := strings.SplitN(kind, ".", 3)
	if len(parts) < 2 {
		return kind
	}
	return parts[1]
}
