package awsestate

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Names of the resources seeded the way customers build them, beyond the first estate.
const (
	// AuroraCardsCluster is an Aurora PostgreSQL cluster with two instances and a manual cluster
	// snapshot (private): AWS Backup protects it by its cluster ARN.
	AuroraCardsCluster = "cardsvc-cards-aurora"
	AuroraSnapshot     = "cardsvc-cards-aurora-manual"
	// ExportBucket's default encryption names its KMS key by alias, as the console offers.
	ExportBucket = "cardsvc-exports"
	// Route53QueryLogGroup is a Route 53 public DNS query-log group: AWS requires it in
	// us-east-1 (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/query-logs.html);
	// it holds DNS queries, not customer data.
	Route53QueryLogGroup = "/aws/route53/cardsvc.example.jp"
)

// dataLocation seeds an Aurora cluster with instances and a cluster snapshot, a bucket encrypted
// through a KMS alias, and a Route 53 query-log group in us-east-1.
func (s *seeder) dataLocation(ctx context.Context) error {
	c := rds.NewFromConfig(s.cfg)
	cl, err := c.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String(AuroraCardsCluster),
		Engine: aws.String("aurora-postgresql"), MasterUsername: aws.String("cardsvc"), MasterUserPassword: aws.String("not-a-real-secret-1"),
		StorageEncrypted: aws.Bool(true), KmsKeyId: aws.String(s.key), BackupRetentionPeriod: aws.Int32(8), DBSubnetGroupName: aws.String("cardsvc-db"),
		Tags: []rdstypes.Tag{{Key: aws.String("Service"), Value: aws.String(ServiceTag)}, {Key: aws.String("DataClass"), Value: aws.String("customer")}}})
	if err != nil {
		return fmt.Errorf("aurora cluster: %w", err)
	}
	clusterArn := aws.ToString(cl.DBCluster.DBClusterArn)
	s.customer = append(s.customer, resource{clusterArn, "Aurora"})
	cw := cloudwatch.NewFromConfig(s.cfg)
	for _, id := range []string{AuroraCardsCluster + "-1", AuroraCardsCluster + "-2"} {
		// Aurora instances carry no storage of their own: the cluster holds (and encrypts) the data.
		if _, err := c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), DBClusterIdentifier: aws.String(AuroraCardsCluster),
			Engine: aws.String("aurora-postgresql"), DBInstanceClass: aws.String("db.r6g.large"), DBSubnetGroupName: aws.String("cardsvc-db"),
			Tags: []rdstypes.Tag{{Key: aws.String("Service"), Value: aws.String(ServiceTag)}}}); err != nil {
			return fmt.Errorf("aurora instance %s: %w", id, err)
		}
		if _, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(id + "-cpu"), Namespace: aws.String("AWS/RDS"), MetricName: aws.String("CPUUtilization"),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("DBInstanceIdentifier"), Value: aws.String(id)}}, Statistic: cwtypes.StatisticAverage,
			Period: aws.Int32(300), EvaluationPeriods: aws.Int32(3), Threshold: aws.Float64(80), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold}); err != nil {
			return err
		}
	}
	if _, err := c.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String(AuroraCardsCluster),
		DBClusterSnapshotIdentifier: aws.String(AuroraSnapshot)}); err != nil {
		return fmt.Errorf("aurora snapshot: %w", err)
	}

	b := s3Client(s.cfg)
	if _, err := b.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(ExportBucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(Region)}}); err != nil {
		return fmt.Errorf("bucket %s: %w", ExportBucket, err)
	}
	if _, err := b.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(ExportBucket), ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
		Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{
			SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String("alias/cardsvc")}}}}}); err != nil {
		return err
	}
	if _, err := b.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(ExportBucket), Tagging: &s3types.Tagging{
		TagSet: []s3types.Tag{{Key: aws.String("DataClass"), Value: aws.String("customer")}}}}); err != nil {
		return err
	}
	s.customer = append(s.customer, resource{"arn:aws:s3:::" + ExportBucket, "S3"})

	use1 := s.cfg.Copy()
	use1.Region = "us-east-1"
	lc := cloudwatchlogs.NewFromConfig(use1)
	if _, err := lc.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(Route53QueryLogGroup)}); err != nil {
		return fmt.Errorf("log group %s: %w", Route53QueryLogGroup, err)
	}
	_, err = lc.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(Route53QueryLogGroup), RetentionInDays: aws.Int32(1096)})
	return err
}
