package aws_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	shokoaws "github.com/shoko-audit/shoko/collectors/aws"
	"github.com/shoko-audit/shoko/demo/awsestate"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/internal/motofront"
)

// in returns a copy of the test configuration in another region.
func (e *env) in(region string) aws.Config {
	c := e.cfg.Copy()
	c.Region = region
	return c
}

// ownImage is the estate's AMI (the one its launch template names).
func ownImage(t *testing.T, e *env) string {
	t.Helper()
	out, err := ec2.NewFromConfig(e.cfg).DescribeImages(context.Background(), &ec2.DescribeImagesInput{Owners: []string{"self"}})
	if err != nil || len(out.Images) == 0 {
		t.Fatalf("no AMI in the estate: %v", err)
	}
	return aws.ToString(out.Images[0].ImageId)
}

// wantStatus evaluates the items and checks a control's status and, for a failure, that a
// failing finding names the resource.
func wantStatus(t *testing.T, items []evidence.Item, id, status, names string) engine.ControlResult {
	t.Helper()
	c := evaluate(t, items)[id]
	if c.Status != status {
		t.Fatalf("%s: %s (%s) %v, want %s", id, c.Status, c.Reason.EN, failing(c), status)
	}
	if names != "" {
		named := false
		for _, f := range failing(c) {
			named = named || strings.Contains(f, names)
		}
		if !named {
			t.Fatalf("%s: no failing finding names %s: %v", id, names, failing(c))
		}
	}
	return c
}

// PII-01 reads who may restore each Aurora cluster snapshot and who may launch each AMI: a
// cluster snapshot shared with another account or with everyone, and an AMI shared with another
// account through launchPermission (DescribeImages still says Public: false), fail it; the estate
// as built (a private cluster snapshot, a private AMI) passes.
func TestPII01JudgesClusterSnapshotsAndAMILaunchPermissions(t *testing.T) {
	cases := []struct {
		name   string
		share  func(t *testing.T, e *env)
		status string
		names  string
	}{
		{"nothing shared passes", func(*testing.T, *env) {}, engine.StatusPass, ""},
		{"cluster snapshot shared with another account fails", func(t *testing.T, e *env) {
			shareClusterSnapshot(t, e, "999999999999")
		}, engine.StatusFail, awsestate.AuroraSnapshot},
		{"public cluster snapshot fails", func(t *testing.T, e *env) {
			shareClusterSnapshot(t, e, "all")
		}, engine.StatusFail, awsestate.AuroraSnapshot},
		{"AMI launchable by another account fails", func(t *testing.T, e *env) {
			ami := ownImage(t, e)
			if _, err := ec2.NewFromConfig(e.cfg).ModifyImageAttribute(context.Background(), &ec2.ModifyImageAttributeInput{ImageId: aws.String(ami),
				LaunchPermission: &ec2types.LaunchPermissionModifications{Add: []ec2types.LaunchPermission{{UserId: aws.String("999999999999")}}}}); err != nil {
				t.Fatal(err)
			}
		}, engine.StatusFail, "ami-"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.seed(t, awsestate.Options{})
			tc.share(t, e)
			items := e.collect(t, shokoaws.Options{Regions: []string{awsestate.Region}})
			it, ok := find(items, shokoaws.KindDBClusterSnapshotAttr, awsestate.Account, awsestate.Region)
			if !ok || it.Status != evidence.StatusOK || !strings.Contains(string(it.Data), awsestate.AuroraSnapshot) {
				t.Fatalf("the Aurora cluster snapshot's attributes were not collected: %+v", it)
			}
			wantStatus(t, items, "PII-01", tc.status, tc.names)
		})
	}
}

func shareClusterSnapshot(t *testing.T, e *env, with string) {
	t.Helper()
	if _, err := rds.NewFromConfig(e.cfg).ModifyDBClusterSnapshotAttribute(context.Background(), &rds.ModifyDBClusterSnapshotAttributeInput{
		DBClusterSnapshotIdentifier: aws.String(awsestate.AuroraSnapshot), AttributeName: aws.String("restore"), ValuesToAdd: []string{with}}); err != nil {
		t.Fatal(err)
	}
}

// GEO-01 sees data in every region: an Aurora cluster snapshot copied to us-east-1 and the
// automated backups kept there (retained after their instance was deleted, or replicated there
// from Tokyo) fail it; a Route 53 query-log group in us-east-1 (the region AWS
// requires for it, not customer data) does not, while a log group tagged as customer data there
// does.
func TestGEO01SeesCopiesBackupsAndCustomerLogGroupsOutsideJapan(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		place  func(t *testing.T, e *env)
		status string
		names  string
	}{
		{"estate in Japan with a Route 53 query-log group in us-east-1 passes", func(*testing.T, *env) {}, engine.StatusPass, ""},
		{"cluster snapshot copied to us-east-1 fails", func(t *testing.T, e *env) {
			src := "arn:aws:rds:" + awsestate.Region + ":" + awsestate.Account + ":cluster-snapshot:" + awsestate.AuroraSnapshot
			if _, err := rds.NewFromConfig(e.in("us-east-1")).CopyDBClusterSnapshot(ctx, &rds.CopyDBClusterSnapshotInput{
				SourceDBClusterSnapshotIdentifier: aws.String(src), TargetDBClusterSnapshotIdentifier: aws.String("aurora-dr-copy"),
				KmsKeyId: aws.String("alias/aws/rds")}); err != nil {
				t.Fatal(err)
			}
		}, engine.StatusFail, "aurora-dr-copy"},
		{"automated backups retained in us-east-1 fail", func(t *testing.T, e *env) {
			c := rds.NewFromConfig(e.in("us-east-1"))
			if _, err := c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("old-us-db"), DBInstanceClass: aws.String("db.t3.medium"),
				Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("cardsvc"), MasterUserPassword: aws.String("not-a-real-secret-1"),
				StorageEncrypted: aws.Bool(true), BackupRetentionPeriod: aws.Int32(7)}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("old-us-db"), SkipFinalSnapshot: aws.Bool(true),
				DeleteAutomatedBackups: aws.Bool(false)}); err != nil {
				t.Fatal(err)
			}
		}, engine.StatusFail, "auto-backup:ab-old-us-db"},
		{"automated backups replicated to us-east-1 fail", func(t *testing.T, e *env) {
			// moto cannot replicate (StartDBInstanceAutomatedBackupsReplication): motofront lists
			// the replica in its destination region, as AWS does.
			e.front.AddReplicatedBackup("us-east-1", motofront.ReplicatedBackup{SourceRegion: awsestate.Region, DBInstanceIdentifier: awsestate.DBName,
				SourceDBInstanceArn: "arn:aws:rds:" + awsestate.Region + ":" + awsestate.Account + ":db:" + awsestate.DBName, ID: "ab-cardsvc-db-dr"})
		}, engine.StatusFail, "arn:aws:rds:us-east-1:" + awsestate.Account + ":auto-backup:ab-cardsvc-db-dr"},
		{"log group of customer data in us-east-1 fails", func(t *testing.T, e *env) {
			if _, err := cloudwatchlogs.NewFromConfig(e.in("us-east-1")).CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{
				LogGroupName: aws.String("/cardsvc/exports-us"), Tags: map[string]string{"DataClass": "customer"}}); err != nil {
				t.Fatal(err)
			}
		}, engine.StatusFail, "/cardsvc/exports-us"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.seed(t, awsestate.Options{})
			tc.place(t, e)
			items := e.collect(t, shokoaws.Options{})
			c := wantStatus(t, items, "GEO-01", tc.status, tc.names)
			notJudged := false
			for _, f := range c.Findings {
				notJudged = notJudged || (f.Code == "log_group_not_customer_data" && strings.Contains(f.Resource, awsestate.Route53QueryLogGroup))
			}
			if !notJudged {
				t.Errorf("the Route 53 query-log group is not listed as not judged")
			}
		})
	}
}

// A member account may not list its organization's accounts (AWS answers AccessDeniedException;
// motofront serves that where moto answers with an empty list): PII-01 then judges with
// trusted_accounts and says so, instead of being error forever. The management account reads the
// list.
func TestPII01InAMemberAccountUsesTrustedAccounts(t *testing.T) {
	cases := []struct {
		name       string
		audit      string // "management" or "member"
		wantSource string
		wantList   bool
	}{
		{"member account: trusted_accounts", "member", shokoaws.SourceTrustedAccounts, false},
		{"management account: the organization", "management", shokoaws.SourceOrganization, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			org := organizations.NewFromConfig(e.cfg)
			if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
				t.Fatal(err)
			}
			created, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("cardsvc-prod"), Email: aws.String("prod@example.jp")})
			if err != nil {
				t.Fatal(err)
			}
			member := aws.ToString(created.CreateAccountStatus.AccountId)
			account := shokoaws.Account{ID: awsestate.Account}
			if tc.audit == "member" {
				role := "arn:aws:iam::" + member + ":role/shoko-audit"
				account = shokoaws.Account{ID: member, RoleARN: role}
				// The member's own estate: a bucket, so that it has something to judge.
				cfg := e.cfg.Copy()
				cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(e.cfg), role))
				if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("member-data"),
					CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(awsestate.Region)}}); err != nil {
					t.Fatal(err)
				}
			}
			items := e.collect(t, shokoaws.Options{Regions: []string{awsestate.Region}, Accounts: []shokoaws.Account{account}})
			it, ok := find(items, shokoaws.KindOrganization, account.ID, shokoaws.GlobalRegion)
			if !ok || it.Status != evidence.StatusOK {
				t.Fatalf("no ok DescribeOrganization item: %+v", it)
			}
			if r := rows(t, it); len(r) != 1 || r[0]["AccountListSource"] != tc.wantSource {
				t.Fatalf("source %v, want %s", r, tc.wantSource)
			}
			list, listed := find(items, shokoaws.KindOrgAccounts, account.ID, shokoaws.GlobalRegion)
			if listed != tc.wantList || (listed && (list.Status != evidence.StatusOK || !strings.Contains(string(list.Data), member))) {
				t.Fatalf("ListAccounts item present %v (want %v): %+v", listed, tc.wantList, list)
			}
			c := evaluate(t, items)["PII-01"]
			if c.Status == engine.StatusError {
				t.Fatalf("PII-01 is error: %s", c.Reason.EN)
			}
			code := map[string]string{shokoaws.SourceTrustedAccounts: "insiders_trusted_accounts", shokoaws.SourceOrganization: "insiders_organization"}[tc.wantSource]
			said := false
			for _, f := range c.Findings {
				said = said || (f.Code == code && f.Resource == account.ID)
			}
			if !said {
				t.Errorf("PII-01 does not say which accounts counted as inside (%s)", code)
			}
		})
	}
}

// A resource deleted between the list that named it and the describe of it (AWS answers NotFound)
// is recorded as gone in its kind; the kind stays ok and the controls that read it decide.
func TestResourceDeletedBetweenListAndDescribeIsRecordedAsGone(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.seed(t, awsestate.Options{})
	// Encrypted with the service key (moto would make its own default EBS key a customer key).
	svcKey, err := kms.NewFromConfig(e.cfg).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/cardsvc")})
	if err != nil {
		t.Fatal(err)
	}
	vol, err := ec2.NewFromConfig(e.cfg).CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(awsestate.Region + "a"), Size: aws.Int32(8),
		Encrypted: aws.Bool(true), KmsKeyId: svcKey.KeyMetadata.Arn})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := ec2.NewFromConfig(e.cfg).CreateSnapshot(ctx, &ec2.CreateSnapshotInput{VolumeId: vol.VolumeId})
	if err != nil {
		t.Fatal(err)
	}
	key, err := kms.NewFromConfig(e.cfg).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("deleted during the audit")})
	if err != nil {
		t.Fatal(err)
	}
	// A second key is deleted after DescribeKey answered, before its rotation status is read.
	key2, err := kms.NewFromConfig(e.cfg).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("deleted after DescribeKey")})
	if err != nil {
		t.Fatal(err)
	}
	ami := ownImage(t, e)
	cases := []struct {
		op, id, code string
		status       int
		kind, field  string
		value        string
	}{
		{"rds:DescribeDBSnapshotAttributes", "cardsvc-db-manual", "DBSnapshotNotFound", http.StatusNotFound, shokoaws.KindDBSnapshotAttr, "DBSnapshotArn", "cardsvc-db-manual"},
		{"rds:DescribeDBClusterSnapshotAttributes", awsestate.AuroraSnapshot, "DBClusterSnapshotNotFoundFault", http.StatusNotFound, shokoaws.KindDBClusterSnapshotAttr, "DBClusterSnapshotArn", awsestate.AuroraSnapshot},
		{"ec2:DescribeSnapshotAttribute", aws.ToString(snap.SnapshotId), "InvalidSnapshot.NotFound", http.StatusBadRequest, shokoaws.KindSnapshotAttr, "SnapshotId", aws.ToString(snap.SnapshotId)},
		{"ec2:DescribeImageAttribute", ami, "InvalidAMIID.NotFound", http.StatusBadRequest, shokoaws.KindImageAttr, "ImageId", ami},
		{"kms:DescribeKey", aws.ToString(key.KeyMetadata.KeyId), "NotFoundException", http.StatusBadRequest, shokoaws.KindKeys, "KeyId", aws.ToString(key.KeyMetadata.KeyId)},
		{"kms:GetKeyRotationStatus", aws.ToString(key2.KeyMetadata.KeyId), "NotFoundException", http.StatusBadRequest, shokoaws.KindKeys, "KeyId", aws.ToString(key2.KeyMetadata.KeyId)},
		{"dynamodb:DescribeTable", awsestate.TableName, "ResourceNotFoundException", http.StatusBadRequest, shokoaws.KindTables, "TableName", awsestate.TableName},
		{"logs:ListTagsForResource", "/cardsvc/app", "ResourceNotFoundException", http.StatusBadRequest, shokoaws.KindLogGroupTags, "LogGroupArn", "/cardsvc/app"},
	}
	for _, c := range cases {
		e.front.Vanish(c.op, c.id, c.code, c.status)
	}
	items := e.collect(t, shokoaws.Options{})
	for _, c := range cases {
		t.Run(c.op, func(t *testing.T) {
			it, ok := find(items, c.kind, awsestate.Account, awsestate.Region)
			if !ok || it.Status != evidence.StatusOK {
				t.Fatalf("%s is not ok: %+v", c.kind, it)
			}
			gone := false
			for _, r := range rows(t, it) {
				v, _ := r[c.field].(string)
				gone = gone || (strings.Contains(v, c.value) && r["Gone"] == true && r["ErrorCode"] == c.code)
			}
			if !gone {
				t.Errorf("%s: %s not recorded as gone: %s", c.kind, c.value, it.Data)
			}
		})
	}
	res := evaluate(t, items)
	for _, id := range []string{"PII-01", "ENC-01", "ENC-02", "GEO-01"} {
		if res[id].Status != engine.StatusPass {
			t.Errorf("%s: %s (%s) %v, want pass", id, res[id].Status, res[id].Reason.EN, failing(res[id]))
		}
	}
}

// ENC-02: a key with imported key material cannot rotate automatically (AWS KMS rotates only
// keys of its own material); it is not_applicable, not a failure, and its rotation status is not
// asked for. A key of KMS's own material that does not rotate still fails.
func TestENC02KeysWithImportedMaterialAreNotApplicable(t *testing.T) {
	cases := []struct {
		name   string
		origin kmstypes.OriginType
		status string
		code   string
	}{
		{"imported key material is not applicable", kmstypes.OriginTypeExternal, engine.StatusPass, "rotation_not_supported"},
		{"KMS key material without rotation fails", kmstypes.OriginTypeAwsKms, engine.StatusFail, "rotation_off"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.seed(t, awsestate.Options{})
			k, err := kms.NewFromConfig(e.cfg).CreateKey(context.Background(), &kms.CreateKeyInput{Description: aws.String("key of origin " + string(tc.origin)), Origin: tc.origin})
			if err != nil {
				t.Fatal(err)
			}
			items := e.collect(t, shokoaws.Options{Regions: []string{awsestate.Region}})
			c := wantStatus(t, items, "ENC-02", tc.status, "")
			found := false
			for _, f := range c.Findings {
				found = found || (f.Code == tc.code && f.Resource == aws.ToString(k.KeyMetadata.Arn))
			}
			if !found {
				t.Errorf("no %s finding for %s", tc.code, aws.ToString(k.KeyMetadata.Arn))
			}
		})
	}
}

// ENC-01 resolves a bucket's default-encryption key given as an alias: the estate's export bucket
// names alias/cardsvc (a rotating AES-256 key) and passes; a bucket naming an alias that points
// at nothing fails.
func TestENC01ResolvesBucketKeyAliases(t *testing.T) {
	cases := []struct {
		name   string
		key    string
		status string
		names  string
	}{
		{"alias of the service key passes", "", engine.StatusPass, ""},
		{"alias ARN of the service key passes", "arn:aws:kms:" + awsestate.Region + ":" + awsestate.Account + ":alias/cardsvc", engine.StatusPass, ""},
		{"alias that points at no key fails", "alias/cardsvc-retired", engine.StatusFail, "cardsvc-alias-bucket"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.seed(t, awsestate.Options{})
			if tc.key != "" {
				c := s3.NewFromConfig(e.cfg, func(o *s3.Options) { o.UsePathStyle = true })
				ctx := context.Background()
				if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("cardsvc-alias-bucket"),
					CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(awsestate.Region)}}); err != nil {
					t.Fatal(err)
				}
				if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("cardsvc-alias-bucket"), ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
					Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{
						SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(tc.key)}}}}}); err != nil {
					t.Fatal(err)
				}
			}
			items := e.collect(t, shokoaws.Options{Regions: []string{awsestate.Region}})
			wantStatus(t, items, "ENC-01", tc.status, tc.names)
		})
	}
}
