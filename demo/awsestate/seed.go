// Package awsestate builds the demo AWS estate of the card-management service with the real
// SDK: against moto (plus motofront for what moto cannot model) in tests and `make demo`.
//
// Seed builds a compliant estate; each entry of Options.Violate adds the one violation of that
// control, on a resource named in Violations, so a test can check the failure names it.
package awsestate

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	bktypes "github.com/aws/aws-sdk-go-v2/service/backup/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/shoko-audit/shoko/internal/motofront"
)

// Region is where the service lives.
const Region = "ap-northeast-1"

// Account is moto's default account.
const Account = "123456789012"

// Unmodelled receives the state moto cannot hold (motofront implements it).
type Unmodelled interface {
	AddRecoveryPoint(region string, rp motofront.RecoveryPoint)
	AddSelection(region string, s motofront.Selection)
	AddRestoreJob(region string, j motofront.RestoreJob)
	AddProtectedResource(region string, p motofront.ProtectedResource)
	AddFinding(region string, f motofront.Finding)
	SetRootMFA(enabled bool)
}

// Options choose what to seed.
type Options struct {
	// Now is the estate's present (recovery point ages, finding ages, object ages).
	Now time.Time
	// Violate lists control ids whose violation to add (see Violations).
	Violate map[string]bool
	// Extra adds this many extra resources of each paginated kind (pagination tests).
	Extra int
}

// Violations names, per control, the resource its seeded violation is on: a failing control
// must name it.
var Violations = map[string]string{
	"GEO-01":  "geo-us-east-1-db",
	"ENC-01":  "cardsvc-unencrypted-db",
	"ENC-02":  "alias/cardsvc-norotate",
	"TLS-01":  "legacy-tls",
	"TLS-03":  "expiring.cardsvc.example.jp",
	"BAK-01":  "cardsvc-unbacked-db",
	"BAK-02":  "cardsvc-system-vol",
	"BAK-03":  "forever",
	"LOG-01":  "cardsvc-trail",
	"LOG-02":  "/cardsvc/short",
	"LOG-03":  "/cardsvc/never-expire",
	"LOG-04":  "/cardsvc/staff-work",
	"EVD-01":  "cardsvc-trail-logs",
	"RST-01":  "cardsvc-trail",
	"MON-01":  "finding-high-old",
	"NET-01":  "open-ssh",
	"PRIV-01": "alice-no-mfa",
	"SEC-01":  "cardsvc/unrotated",
	"CAP-01":  "cardsvc-db-noalarm",
	"RED-01":  "cardsvc-asg",
	"TMP-01":  "cardsvc-tmp",
	"PII-01":  "cardsvc-public-snap",
}

// UserDataSecret is planted in the launch template's user data; tests check it never reaches
// evidence.
const UserDataSecret = "estate-bootstrap-secret-0451"

// Names of the compliant estate's resources.
const (
	ServiceTag   = "cardsvc"
	DataBucket   = "cardsvc-data"
	TrailBucket  = "cardsvc-trail-logs"
	TempBucket   = "cardsvc-tmp"
	DBName       = "cardsvc-db"
	TableName    = "cardsvc-cards"
	TrailName    = "cardsvc-trail"
	VaultName    = "cardsvc-vault"
	ASGName      = "cardsvc-asg"
	FlowLogGroup = "/cardsvc/vpc-flow"
)

// seeder carries the clients and what has been created so far.
type seeder struct {
	cfg   aws.Config
	un    Unmodelled
	o     Options
	v     func(id string) bool
	ec2   *ec2.Client
	vpcID string
	subs  []string
	azs   []string
	lbSG  string
	appSG string
	key   string // KMS key ARN
	dbArn string
	// customer and system resources for the backup seeding
	customer, system []resource
	instances        []string
	certArn          string
	planCustomer     string
	planSystem       string
}

type resource struct{ arn, typ string }

// Seed builds the estate in the account of cfg. cfg must point at moto (through motofront).
func Seed(ctx context.Context, cfg aws.Config, un Unmodelled, o Options) error {
	if o.Now.IsZero() {
		o.Now = time.Now().UTC()
	}
	cfg = cfg.Copy()
	cfg.Region = Region
	s := &seeder{cfg: cfg, un: un, o: o, v: func(id string) bool { return o.Violate[id] }, ec2: ec2.NewFromConfig(cfg)}
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"account", s.account}, {"network", s.network}, {"kms", s.kms}, {"rds", s.rds}, {"datalocation", s.dataLocation}, {"dynamodb", s.dynamodb},
		{"s3", s.s3}, {"logs", s.logs}, {"trail", s.trail}, {"compute", s.compute}, {"elb", s.elb},
		{"certificates", s.certificates},
		{"cloudfront", s.cloudfront}, {"backup", s.backup}, {"guardduty", s.guardduty}, {"iam", s.iam},
		{"secrets", s.secrets}, {"alarms", s.alarms}, {"geo", s.geo},
	}
	for _, st := range steps {
		if err := st.fn(ctx); err != nil {
			return fmt.Errorf("seed %s: %w", st.name, err)
		}
	}
	return nil
}

func tagsEC2(kv ...string) []ec2types.Tag {
	var t []ec2types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		t = append(t, ec2types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return t
}

// account: account-level S3 Block Public Access, EBS default encryption, root MFA.
func (s *seeder) account(ctx context.Context) error {
	on := !s.v("PII-01")
	_, err := s3controlClient(s.cfg).PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(Account),
		PublicAccessBlockConfiguration: &s3ctypes.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true),
			IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(on)}})
	if err != nil {
		return fmt.Errorf("public access block: %w", err)
	}
	for _, r := range []string{Region, "ap-northeast-3"} {
		c := s.cfg.Copy()
		c.Region = r
		if _, err := ec2.NewFromConfig(c).EnableEbsEncryptionByDefault(ctx, &ec2.EnableEbsEncryptionByDefaultInput{}); err != nil {
			return err
		}
	}
	s.un.SetRootMFA(true)
	return nil
}

// network: the service VPC (tag Service), two subnets in two AZs, load-balancer and app groups,
// a flow log.
func (s *seeder) network(ctx context.Context) error {
	vpc, err := s.ec2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.20.0.0/16"),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpc, Tags: tagsEC2("Name", "cardsvc", "Service", ServiceTag)}}})
	if err != nil {
		return err
	}
	s.vpcID = aws.ToString(vpc.Vpc.VpcId)
	s.azs = []string{Region + "a", Region + "c"}
	for i, az := range s.azs {
		sub, err := s.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, AvailabilityZone: aws.String(az),
			CidrBlock: aws.String(fmt.Sprintf("10.20.%d.0/24", i))})
		if err != nil {
			return err
		}
		s.subs = append(s.subs, aws.ToString(sub.Subnet.SubnetId))
	}
	lb, err := s.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("cardsvc-lb"), Description: aws.String("public HTTPS"), VpcId: vpc.Vpc.VpcId})
	if err != nil {
		return err
	}
	s.lbSG = aws.ToString(lb.GroupId)
	var perms []ec2types.IpPermission
	for _, p := range []int32{443, 80} {
		perms = append(perms, ec2types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(p), ToPort: aws.Int32(p),
			IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}})
	}
	if _, err := s.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: lb.GroupId, IpPermissions: perms}); err != nil {
		return err
	}
	app, err := s.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("cardsvc-app"), Description: aws.String("app"), VpcId: vpc.Vpc.VpcId})
	if err != nil {
		return err
	}
	s.appSG = aws.ToString(app.GroupId)
	if _, err := s.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: app.GroupId, IpPermissions: []ec2types.IpPermission{{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(8080), ToPort: aws.Int32(8080),
		UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: lb.GroupId}}}}}); err != nil {
		return err
	}
	if s.v("NET-01") {
		bad, err := s.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(Violations["NET-01"]), Description: aws.String("ssh from anywhere"), VpcId: vpc.Vpc.VpcId})
		if err != nil {
			return err
		}
		if _, err := s.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: bad.GroupId, IpPermissions: []ec2types.IpPermission{{
			IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}}); err != nil {
			return err
		}
	}
	if !s.v("LOG-01") {
		if _, err := s.ec2.CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{ResourceIds: []string{s.vpcID}, ResourceType: ec2types.FlowLogsResourceTypeVpc,
			TrafficType: ec2types.TrafficTypeAll, LogDestinationType: ec2types.LogDestinationTypeCloudWatchLogs, LogGroupName: aws.String(FlowLogGroup),
			DeliverLogsPermissionArn: aws.String("arn:aws:iam::" + Account + ":role/flow-logs")}); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) kms(ctx context.Context) error {
	c := kms.NewFromConfig(s.cfg)
	k, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("cardsvc data key")})
	if err != nil {
		return err
	}
	s.key = aws.ToString(k.KeyMetadata.Arn)
	if _, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: k.KeyMetadata.KeyId}); err != nil {
		return err
	}
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/cardsvc"), TargetKeyId: k.KeyMetadata.KeyId}); err != nil {
		return err
	}
	if s.v("ENC-02") {
		k2, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(Violations["ENC-02"])})
		if err != nil {
			return err
		}
		if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(Violations["ENC-02"]), TargetKeyId: k2.KeyMetadata.KeyId}); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) rds(ctx context.Context) error {
	c := rds.NewFromConfig(s.cfg)
	// The service's databases live in the service VPC.
	if _, err := c.CreateDBSubnetGroup(ctx, &rds.CreateDBSubnetGroupInput{DBSubnetGroupName: aws.String("cardsvc-db"),
		DBSubnetGroupDescription: aws.String("cardsvc databases"), SubnetIds: s.subs}); err != nil {
		return err
	}
	// class "" leaves the DataClass tag off (not in any backup scope).
	mk := func(id string, encrypted bool, class string) (string, error) {
		tags := []rdstypes.Tag{{Key: aws.String("Service"), Value: aws.String(ServiceTag)}}
		if class != "" {
			tags = append(tags, rdstypes.Tag{Key: aws.String("DataClass"), Value: aws.String(class)})
		}
		in := &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.t3.medium"),
			Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("cardsvc"),
			MasterUserPassword: aws.String("not-a-real-secret-1"), StorageEncrypted: aws.Bool(encrypted),
			BackupRetentionPeriod: aws.Int32(8), MultiAZ: aws.Bool(true), Tags: tags, DBSubnetGroupName: aws.String("cardsvc-db")}
		if encrypted {
			in.KmsKeyId = aws.String(s.key)
		}
		out, err := c.CreateDBInstance(ctx, in)
		if err != nil {
			return "", err
		}
		return aws.ToString(out.DBInstance.DBInstanceArn), nil
	}
	arn, err := mk(DBName, true, "customer")
	if err != nil {
		return err
	}
	s.dbArn = arn
	s.customer = append(s.customer, resource{arn, "RDS"})
	if s.v("ENC-01") {
		if _, err := mk(Violations["ENC-01"], false, ""); err != nil {
			return err
		}
	}
	if s.v("BAK-01") {
		arn, err := mk(Violations["BAK-01"], true, "customer")
		if err != nil {
			return err
		}
		_ = arn // deliberately not in any backup selection and without recovery points
	}
	if s.v("CAP-01") {
		if _, err := mk(Violations["CAP-01"], true, ""); err != nil {
			return err
		}
	}
	snap, err := c.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String(DBName), DBSnapshotIdentifier: aws.String("cardsvc-db-manual")})
	if err != nil {
		return err
	}
	_ = snap
	if s.v("PII-01") {
		if _, err := c.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String(DBName), DBSnapshotIdentifier: aws.String(Violations["PII-01"])}); err != nil {
			return err
		}
		if _, err := c.ModifyDBSnapshotAttribute(ctx, &rds.ModifyDBSnapshotAttributeInput{DBSnapshotIdentifier: aws.String(Violations["PII-01"]),
			AttributeName: aws.String("restore"), ValuesToAdd: []string{"all"}}); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) dynamodb(ctx context.Context) error {
	c := dynamodb.NewFromConfig(s.cfg)
	out, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(TableName), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
		SSESpecification:     &ddbtypes.SSESpecification{Enabled: aws.Bool(true), SSEType: ddbtypes.SSETypeKms, KMSMasterKeyId: aws.String(s.key)},
		Tags:                 []ddbtypes.Tag{{Key: aws.String("DataClass"), Value: aws.String("customer")}}})
	if err != nil {
		return err
	}
	s.customer = append(s.customer, resource{aws.ToString(out.TableDescription.TableArn), "DynamoDB"})
	for i := 0; i < s.o.Extra; i++ {
		if _, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(fmt.Sprintf("extra-%03d", i)), BillingMode: ddbtypes.BillingModePayPerRequest,
			AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
			KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}}}); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) s3(ctx context.Context) error {
	c := s3Client(s.cfg)
	mk := func(name string, lock bool, tags ...string) error {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name), ObjectLockEnabledForBucket: aws.Bool(lock),
			CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(Region)}}); err != nil {
			return fmt.Errorf("bucket %s: %w", name, err)
		}
		if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(name), ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
			Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(s.key)}}}}}); err != nil {
			return err
		}
		if len(tags) > 0 {
			var ts []s3types.Tag
			for i := 0; i+1 < len(tags); i += 2 {
				ts = append(ts, s3types.Tag{Key: aws.String(tags[i]), Value: aws.String(tags[i+1])})
			}
			if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(name), Tagging: &s3types.Tagging{TagSet: ts}}); err != nil {
				return err
			}
		}
		return nil
	}
	if err := mk(DataBucket, false, "DataClass", "customer"); err != nil {
		return err
	}
	s.customer = append(s.customer, resource{"arn:aws:s3:::" + DataBucket, "S3"})
	if err := mk(TrailBucket, !s.v("EVD-01"), "DataClass", "log"); err != nil {
		return err
	}
	if !s.v("EVD-01") {
		if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(TrailBucket), VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
			return err
		}
		if _, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String(TrailBucket), ObjectLockConfiguration: &s3types.ObjectLockConfiguration{
			ObjectLockEnabled: s3types.ObjectLockEnabledEnabled, Rule: &s3types.ObjectLockRule{DefaultRetention: &s3types.DefaultRetention{Mode: s3types.ObjectLockRetentionModeCompliance, Days: aws.Int32(1096)}}}}); err != nil {
			return err
		}
	}
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(TrailBucket), LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{
		Rules: []s3types.LifecycleRule{{ID: aws.String("expire-logs"), Status: s3types.ExpirationStatusEnabled, Filter: &s3types.LifecycleRuleFilter{Prefix: aws.String("")},
			Expiration: &s3types.LifecycleExpiration{Days: aws.Int32(1100)}, NoncurrentVersionExpiration: &s3types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(30)}}}}}); err != nil {
		return err
	}
	if err := mk(TempBucket, false, "DataClass", "temporary"); err != nil {
		return err
	}
	// A bucket in Osaka (an allowed region): its settings must be read through an Osaka client.
	osaka := s.cfg.Copy()
	osaka.Region = "ap-northeast-3"
	oc := s3Client(osaka)
	if _, err := oc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("cardsvc-dr-osaka"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint("ap-northeast-3")}}); err != nil {
		return fmt.Errorf("bucket cardsvc-dr-osaka: %w", err)
	}
	if _, err := oc.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("cardsvc-dr-osaka"), ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
		Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256}}}}}); err != nil {
		return err
	}
	days := int32(7)
	if s.v("TMP-01") {
		days = 30
	}
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(TempBucket), LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{
		Rules: []s3types.LifecycleRule{{ID: aws.String("expire-temp"), Status: s3types.ExpirationStatusEnabled, Filter: &s3types.LifecycleRuleFilter{Prefix: aws.String("")},
			Expiration: &s3types.LifecycleExpiration{Days: aws.Int32(days)}}}}}); err != nil {
		return err
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(TempBucket), Key: aws.String("exports/today.csv"), Body: stringsReader("id\n")}); err != nil {
		return err
	}
	for i := 0; i < s.o.Extra; i++ {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(TempBucket), Key: aws.String(fmt.Sprintf("exports/extra-%04d.csv", i)), Body: stringsReader("id\n")}); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) logs(ctx context.Context) error {
	c := cloudwatchlogs.NewFromConfig(s.cfg)
	groups := map[string]int32{FlowLogGroup: 1096, "/cardsvc/app": 1096, "/cardsvc/data-operations": 1096}
	if !s.v("LOG-04") {
		groups["/cardsvc/staff-work"] = 1096
	}
	if s.v("LOG-02") {
		groups[Violations["LOG-02"]] = 14
	}
	for name, days := range groups {
		if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)}); err != nil {
			return err
		}
		if _, err := c.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(name), RetentionInDays: aws.Int32(days)}); err != nil {
			return err
		}
	}
	if s.v("LOG-03") {
		// No retention policy: CloudWatch's default, never expire.
		if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(Violations["LOG-03"])}); err != nil {
			return err
		}
	}
	for i := 0; i < s.o.Extra; i++ {
		name := fmt.Sprintf("/cardsvc/extra/%04d", i)
		if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)}); err != nil {
			return err
		}
		if _, err := c.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(name), RetentionInDays: aws.Int32(1096)}); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) trail(ctx context.Context) error {
	c := cloudtrail.NewFromConfig(s.cfg)
	if _, err := c.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(TrailName), S3BucketName: aws.String(TrailBucket),
		IsMultiRegionTrail: aws.Bool(true), EnableLogFileValidation: aws.Bool(!s.v("LOG-01")), IncludeGlobalServiceEvents: aws.Bool(true)}); err != nil {
		return err
	}
	if _, err := c.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(TrailName), EventSelectors: []cttypes.EventSelector{{
		ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true)}}}); err != nil {
		return err
	}
	if !s.v("RST-01") {
		if _, err := c.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(TrailName)}); err != nil {
			return err
		}
	}
	return nil
}

// compute: an AMI, a launch template naming it, an auto scaling group over two AZs, and two
// instances (one per AZ) behind the load balancer.
func (s *seeder) compute(ctx context.Context) error {
	res, err := s.ec2.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		InstanceType: ec2types.InstanceTypeT3Micro, SubnetId: aws.String(s.subs[0])})
	if err != nil {
		return err
	}
	img, err := s.ec2.CreateImage(ctx, &ec2.CreateImageInput{InstanceId: res.Instances[0].InstanceId, Name: aws.String("cardsvc-app-2026-11")})
	if err != nil {
		return err
	}
	ami := aws.ToString(img.ImageId)
	if _, err := s.ec2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{aws.ToString(res.Instances[0].InstanceId)}}); err != nil {
		return err
	}
	if s.v("RED-01") {
		ami = "ami-0deadbeef0000000" // an image that does not exist (deregistered)
	}
	lt, err := s.ec2.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("cardsvc-app"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String(ami), InstanceType: ec2types.InstanceTypeT3Micro,
			SecurityGroupIds: []string{s.appSG},
			// A bootstrap secret in user data, as real templates have: it must never reach evidence.
			UserData: aws.String(base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\nexport DB_PASSWORD=" + UserDataSecret + "\n")))}})
	if err != nil {
		return err
	}
	for i, sub := range s.subs {
		out, err := s.ec2.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(aws.ToString(img.ImageId)), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
			InstanceType: ec2types.InstanceTypeT3Micro, SubnetId: aws.String(sub), SecurityGroupIds: []string{s.appSG},
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: tagsEC2("Name", fmt.Sprintf("cardsvc-app-%d", i), "Service", ServiceTag)}}})
		if err != nil {
			return err
		}
		s.instances = append(s.instances, aws.ToString(out.Instances[0].InstanceId))
	}
	ac := autoscaling.NewFromConfig(s.cfg)
	if _, err := ac.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String(ASGName),
		LaunchTemplate: &astypes.LaunchTemplateSpecification{LaunchTemplateId: lt.LaunchTemplate.LaunchTemplateId, Version: aws.String("$Latest")},
		MinSize:        aws.Int32(0), MaxSize: aws.Int32(4), DesiredCapacity: aws.Int32(0), VPCZoneIdentifier: aws.String(s.subs[0] + "," + s.subs[1]),
		Tags: []astypes.Tag{{Key: aws.String("Service"), Value: aws.String(ServiceTag), PropagateAtLaunch: aws.Bool(true)}}}); err != nil {
		return err
	}
	// Customer data on an encrypted volume, system data on another.
	for _, v := range []struct{ name, class string }{{"cardsvc-customer-vol", "customer"}, {"cardsvc-system-vol", "system"}} {
		vol, err := s.ec2.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(s.azs[0]), Size: aws.Int32(10), Encrypted: aws.Bool(true), KmsKeyId: aws.String(s.key),
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVolume, Tags: tagsEC2("Name", v.name, "DataClass", v.class)}}})
		if err != nil {
			return err
		}
		arn := fmt.Sprintf("arn:aws:ec2:%s:%s:volume/%s", Region, Account, aws.ToString(vol.VolumeId))
		if v.class == "customer" {
			s.customer = append(s.customer, resource{arn, "EBS"})
		} else {
			s.system = append(s.system, resource{arn, "EBS"})
		}
	}
	for i := 0; i < s.o.Extra; i++ {
		if _, err := s.ec2.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(s.azs[1]), Size: aws.Int32(1), Encrypted: aws.Bool(true),
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVolume, Tags: tagsEC2("Name", fmt.Sprintf("extra-%04d", i), "DataClass", "temporary")}}}); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) elb(ctx context.Context) error {
	cert, err := selfSigned("cardsvc.example.jp", s.o.Now.AddDate(1, 0, 0))
	if err != nil {
		return err
	}
	ac := acm.NewFromConfig(s.cfg)
	imp, err := ac.ImportCertificate(ctx, &acm.ImportCertificateInput{Certificate: cert.cert, PrivateKey: cert.key})
	if err != nil {
		return err
	}
	s.certArn = aws.ToString(imp.CertificateArn)
	c := elb.NewFromConfig(s.cfg)
	lb, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("cardsvc-alb"), Subnets: s.subs, SecurityGroups: []string{s.lbSG},
		Scheme: elbtypes.LoadBalancerSchemeEnumInternetFacing, Type: elbtypes.LoadBalancerTypeEnumApplication,
		Tags: []elbtypes.Tag{{Key: aws.String("Service"), Value: aws.String(ServiceTag)}}})
	if err != nil {
		return err
	}
	lbArn := lb.LoadBalancers[0].LoadBalancerArn
	tg, err := c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("cardsvc-app"), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(8080),
		VpcId: aws.String(s.vpcID), TargetType: elbtypes.TargetTypeEnumInstance})
	if err != nil {
		return err
	}
	tgArn := tg.TargetGroups[0].TargetGroupArn
	var targets []elbtypes.TargetDescription
	for _, id := range s.instances {
		targets = append(targets, elbtypes.TargetDescription{Id: aws.String(id), Port: aws.Int32(8080)})
	}
	if _, err := c.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: tgArn, Targets: targets}); err != nil {
		return err
	}
	if s.v("RED-01") {
		if _, err := s.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: s.instances[1:]}); err != nil {
			return err
		}
	}
	if _, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lbArn, Protocol: elbtypes.ProtocolEnumHttps, Port: aws.Int32(443),
		SslPolicy: aws.String("ELBSecurityPolicy-TLS13-1-2-2021-06"), Certificates: []elbtypes.Certificate{{CertificateArn: imp.CertificateArn}},
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: tgArn}}}); err != nil {
		return err
	}
	if _, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lbArn, Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(80),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumRedirect, RedirectConfig: &elbtypes.RedirectActionConfig{
			Protocol: aws.String("HTTPS"), Port: aws.String("443"), StatusCode: elbtypes.RedirectActionStatusCodeEnumHttp301}}}}); err != nil {
		return err
	}
	if s.v("TLS-01") {
		// A listener without an explicit policy gets ELBSecurityPolicy-2016-08, which allows TLS 1.0.
		legacy, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String(Violations["TLS-01"]), Subnets: s.subs, SecurityGroups: []string{s.lbSG}})
		if err != nil {
			return err
		}
		if _, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: legacy.LoadBalancers[0].LoadBalancerArn, Protocol: elbtypes.ProtocolEnumHttps, Port: aws.Int32(443),
			Certificates:   []elbtypes.Certificate{{CertificateArn: imp.CertificateArn}},
			DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: tgArn}}}); err != nil {
			return err
		}
	}
	// The REST API's custom domain, on TLS 1.2; the TLS-01 violation adds one on TLS 1.0.
	api := apigateway.NewFromConfig(s.cfg)
	if _, err := api.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: aws.String("api.cardsvc.example.jp"),
		RegionalCertificateArn: imp.CertificateArn, SecurityPolicy: apigwtypes.SecurityPolicyTls12,
		EndpointConfiguration: &apigwtypes.EndpointConfiguration{Types: []apigwtypes.EndpointType{apigwtypes.EndpointTypeRegional}}}); err != nil {
		return err
	}
	if s.v("TLS-01") {
		if _, err := api.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: aws.String(Violations["TLS-01"] + ".api.cardsvc.example.jp"),
			RegionalCertificateArn: imp.CertificateArn, SecurityPolicy: apigwtypes.SecurityPolicyTls10,
			EndpointConfiguration: &apigwtypes.EndpointConfiguration{Types: []apigwtypes.EndpointType{apigwtypes.EndpointTypeRegional}}}); err != nil {
			return err
		}
	}
	if s.v("TLS-03") {
		exp, err := selfSigned(Violations["TLS-03"], s.o.Now.AddDate(0, 0, 10))
		if err != nil {
			return err
		}
		e, err := ac.ImportCertificate(ctx, &acm.ImportCertificateInput{Certificate: exp.cert, PrivateKey: exp.key})
		if err != nil {
			return err
		}
		if _, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lbArn, Protocol: elbtypes.ProtocolEnumHttps, Port: aws.Int32(8443),
			SslPolicy: aws.String("ELBSecurityPolicy-TLS13-1-2-2021-06"), Certificates: []elbtypes.Certificate{{CertificateArn: e.CertificateArn}},
			DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: tgArn}}}); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) cloudfront(ctx context.Context) error {
	cfg := s.cfg.Copy()
	cfg.Region = "us-east-1"
	c := cloudfront.NewFromConfig(cfg)
	_, err := c.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: &cftypes.DistributionConfig{
		CallerReference: aws.String("cardsvc-web"), Comment: aws.String("cardsvc web"), Enabled: aws.Bool(true),
		Origins: &cftypes.Origins{Quantity: aws.Int32(1), Items: []cftypes.Origin{{Id: aws.String("alb"), DomainName: aws.String("cardsvc-alb.example.jp"),
			CustomOriginConfig: &cftypes.CustomOriginConfig{HTTPPort: aws.Int32(80), HTTPSPort: aws.Int32(443), OriginProtocolPolicy: cftypes.OriginProtocolPolicyHttpsOnly}}}},
		DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{TargetOriginId: aws.String("alb"), ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyRedirectToHttps,
			CachePolicyId: aws.String("658327ea-f89d-4fab-a63d-7e88639e58f6")},
		ViewerCertificate: &cftypes.ViewerCertificate{ACMCertificateArn: aws.String(s.certArn), SSLSupportMethod: cftypes.SSLSupportMethodSniOnly,
			MinimumProtocolVersion: cftypes.MinimumProtocolVersionTLSv122021},
	}})
	return err
}

// backup: a vault, a customer plan (daily, 35 days), a system plan (daily, 7 days), their
// selections by DataClass tag, and the daily recovery points of every selected resource.
func (s *seeder) backup(ctx context.Context) error {
	c := backup.NewFromConfig(s.cfg)
	if _, err := c.CreateBackupVault(ctx, &backup.CreateBackupVaultInput{BackupVaultName: aws.String(VaultName)}); err != nil {
		return err
	}
	plan := func(name string, days int64) (string, error) {
		out, err := c.CreateBackupPlan(ctx, &backup.CreateBackupPlanInput{BackupPlan: &bktypes.BackupPlanInput{BackupPlanName: aws.String(name),
			Rules: []bktypes.BackupRuleInput{{RuleName: aws.String("daily"), TargetBackupVaultName: aws.String(VaultName),
				ScheduleExpression: aws.String("cron(0 18 * * ? *)"), Lifecycle: &bktypes.Lifecycle{DeleteAfterDays: aws.Int64(days)}}}}})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.BackupPlanId), nil
	}
	var err error
	if s.planCustomer, err = plan("cardsvc-customer", 35); err != nil {
		return err
	}
	if s.planSystem, err = plan("cardsvc-system", 7); err != nil {
		return err
	}
	if s.v("BAK-03") {
		out, err := c.CreateBackupPlan(ctx, &backup.CreateBackupPlanInput{BackupPlan: &bktypes.BackupPlanInput{BackupPlanName: aws.String(Violations["BAK-03"]),
			Rules: []bktypes.BackupRuleInput{{RuleName: aws.String("keep-forever"), TargetBackupVaultName: aws.String(VaultName),
				ScheduleExpression: aws.String("cron(0 18 * * ? *)")}}}})
		if err != nil {
			return err
		}
		s.un.AddSelection(Region, motofront.Selection{PlanID: aws.ToString(out.BackupPlanId), SelectionID: "sel-forever", Name: "customer-forever",
			IamRoleArn: "arn:aws:iam::" + Account + ":role/backup", Tags: map[string]string{"DataClass": "customer"}, Created: s.o.Now.AddDate(0, -1, 0)})
	}
	role := "arn:aws:iam::" + Account + ":role/backup"
	s.un.AddSelection(Region, motofront.Selection{PlanID: s.planCustomer, SelectionID: "sel-customer", Name: "customer-data", IamRoleArn: role,
		Tags: map[string]string{"DataClass": "customer"}, Created: s.o.Now.AddDate(0, -6, 0)})
	s.un.AddSelection(Region, motofront.Selection{PlanID: s.planSystem, SelectionID: "sel-system", Name: "system", IamRoleArn: role,
		Tags: map[string]string{"DataClass": "system"}, Created: s.o.Now.AddDate(0, -6, 0)})
	points := func(r resource, n int, keep int64) {
		for d := 0; d < n; d++ {
			created := s.o.Now.Add(-time.Duration(d)*24*time.Hour - 3*time.Hour)
			s.un.AddRecoveryPoint(Region, motofront.RecoveryPoint{Vault: VaultName, ResourceArn: r.arn, ResourceType: r.typ, Status: "COMPLETED",
				RecoveryPointArn: fmt.Sprintf("arn:aws:backup:%s:%s:recovery-point:%s-%02d", Region, Account, lastPart(r.arn), d), Created: created, DeleteAfterDays: keep})
		}
		s.un.AddProtectedResource(Region, motofront.ProtectedResource{ResourceArn: r.arn, ResourceType: r.typ, LastBackup: s.o.Now.Add(-3 * time.Hour)})
	}
	for _, r := range s.customer {
		points(r, 10, 35)
	}
	for _, r := range s.system {
		n := 3
		if s.v("BAK-02") {
			n = 1 // only yesterday's: two generations are not there
		}
		points(r, n, 7)
	}
	s.un.AddRestoreJob(Region, motofront.RestoreJob{ID: "restore-0001", RecoveryPointArn: fmt.Sprintf("arn:aws:backup:%s:%s:recovery-point:%s-03", Region, Account, DBName),
		CreatedResourceArn: "arn:aws:rds:" + Region + ":" + Account + ":db:cardsvc-db-restore-test", ResourceType: "RDS", Status: "COMPLETED", Created: s.o.Now.AddDate(0, -2, 0)})
	return nil
}

func lastPart(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == ':' || arn[i] == '/' {
			return arn[i+1:]
		}
	}
	return arn
}

// guardduty: a detector in both Japanese regions; a low-severity finding; optionally an old
// high-severity one.
func (s *seeder) guardduty(ctx context.Context) error {
	for _, r := range []string{Region, "ap-northeast-3"} {
		cfg := s.cfg.Copy()
		cfg.Region = r
		out, err := guardduty.NewFromConfig(cfg).CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})
		if err != nil {
			return err
		}
		if r != Region {
			continue
		}
		id := aws.ToString(out.DetectorId)
		s.un.AddFinding(r, motofront.Finding{DetectorID: id, ID: "finding-low", Type: "Recon:EC2/PortProbeUnprotectedPort", Title: "port probe",
			Severity: 2, Created: s.o.Now.AddDate(0, 0, -20), Updated: s.o.Now.AddDate(0, 0, -1), ResourceType: "Instance"})
		s.un.AddFinding(r, motofront.Finding{DetectorID: id, ID: "finding-high-archived", Type: "UnauthorizedAccess:EC2/SSHBruteForce", Title: "dealt with",
			Severity: 8, Created: s.o.Now.AddDate(0, 0, -60), Updated: s.o.Now.AddDate(0, 0, -50), Archived: true, ResourceType: "Instance"})
		if s.v("MON-01") {
			s.un.AddFinding(r, motofront.Finding{DetectorID: id, ID: Violations["MON-01"], Type: "Exfiltration:S3/AnomalousBehavior", Title: "anomalous S3 reads",
				Severity: 8, Created: s.o.Now.AddDate(0, 0, -10), Updated: s.o.Now.AddDate(0, 0, -10), ResourceType: "S3Bucket"})
		}
	}
	return nil
}

// iam: a password policy, an admin with console password and MFA.
func (s *seeder) iam(ctx context.Context) error {
	c := iam.NewFromConfig(s.cfg)
	if _, err := c.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(14),
		RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
		PasswordReusePrevention: aws.Int32(24), MaxPasswordAge: aws.Int32(90)}); err != nil {
		return err
	}
	user := func(name string, mfa bool) error {
		if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
			return err
		}
		if _, err := c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String(name), Password: aws.String("Not-a-real-password-1!")}); err != nil {
			return err
		}
		if !mfa {
			return nil
		}
		dev, err := c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)})
		if err != nil {
			return err
		}
		_, err = c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String(name), SerialNumber: dev.VirtualMFADevice.SerialNumber,
			AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("654321")})
		return err
	}
	if err := user("admin-hanako", true); err != nil {
		return err
	}
	if s.v("PRIV-01") {
		return user(Violations["PRIV-01"], false)
	}
	return nil
}

func (s *seeder) secrets(ctx context.Context) error {
	c := secretsmanager.NewFromConfig(s.cfg)
	out, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("cardsvc/db"), SecretString: aws.String("placeholder")})
	if err != nil {
		return err
	}
	// Managed rotation (no Lambda): moto would try to invoke a rotation function.
	if _, err := c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: out.ARN, RotationRules: &smRules}); err != nil {
		return err
	}
	if s.v("SEC-01") {
		if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(Violations["SEC-01"]), SecretString: aws.String("placeholder")}); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) alarms(ctx context.Context) error {
	c := cloudwatch.NewFromConfig(s.cfg)
	for _, a := range []struct{ name, ns, metric, dim, val string }{
		{"cardsvc-asg-cpu", "AWS/EC2", "CPUUtilization", "AutoScalingGroupName", ASGName},
		{"cardsvc-db-cpu", "AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", DBName},
		{"cardsvc-db-storage", "AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", DBName},
		{"cardsvc-unbacked-db-cpu", "AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", Violations["BAK-01"]},
		{"cardsvc-unencrypted-db-cpu", "AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", Violations["ENC-01"]},
	} {
		if _, err := c.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(a.name), Namespace: aws.String(a.ns), MetricName: aws.String(a.metric),
			Dimensions: []cwtypes.Dimension{{Name: aws.String(a.dim), Value: aws.String(a.val)}}, Statistic: cwtypes.StatisticAverage,
			Period: aws.Int32(300), EvaluationPeriods: aws.Int32(3), Threshold: aws.Float64(80), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold}); err != nil {
			return err
		}
	}
	return nil
}

// geo: the GEO-01 violation, a customer database in us-east-1.
func (s *seeder) geo(ctx context.Context) error {
	if !s.v("GEO-01") {
		return nil
	}
	cfg := s.cfg.Copy()
	cfg.Region = "us-east-1"
	// Encrypted with its own rotating key: the database breaks GEO-01 and nothing else.
	kc := kms.NewFromConfig(cfg)
	k, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("geo test key")})
	if err != nil {
		return err
	}
	if _, err := kc.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: k.KeyMetadata.KeyId}); err != nil {
		return err
	}
	_, err = rds.NewFromConfig(cfg).CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(Violations["GEO-01"]),
		DBInstanceClass: aws.String("db.t3.medium"), Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("cardsvc"),
		MasterUserPassword: aws.String("not-a-real-secret-1"), StorageEncrypted: aws.Bool(true), KmsKeyId: k.KeyMetadata.Arn})
	return err
}

type pemPair struct{ cert, key []byte }

// selfSigned makes a certificate for ACM import, valid until notAfter.
func selfSigned(host string, notAfter time.Time) (pemPair, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return pemPair{}, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: notAfter.AddDate(-1, 0, 0), NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		return pemPair{}, err
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		return pemPair{}, err
	}
	return pemPair{cert: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), key: pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})}, nil
}

// Remediate fixes one seeded violation the way an SRE would, so a demo or test can show a control
// going from fail to pass between two runs. Only violations with a one-call fix are offered.
func Remediate(ctx context.Context, cfg aws.Config, id string) error {
	cfg = cfg.Copy()
	cfg.Region = Region
	switch id {
	case "LOG-03":
		// Three years (1096 days, a value CloudWatch Logs accepts) is within LOG-03's limit.
		_, err := cloudwatchlogs.NewFromConfig(cfg).PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{
			LogGroupName: aws.String(Violations["LOG-03"]), RetentionInDays: aws.Int32(1096)})
		if err != nil {
			return fmt.Errorf("remediate LOG-03: put a retention policy on %s: %w", Violations["LOG-03"], err)
		}
		return nil
	}
	return fmt.Errorf("remediate %s: no one-call fix is offered for this violation", id)
}
