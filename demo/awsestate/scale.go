package awsestate

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Scale is how many resources SeedScale creates in one account: per region of each regional
// kind, and once per account of IAM users. The zero value is DefaultScale.
type Scale struct {
	Buckets, Tables, LogGroups, Keys, Volumes, SecurityGroups, Secrets, DBInstances int // per region
	Users                                                                           int // per account
}

// DefaultScale is 1,000 resources per account in 2 regions, so 2 accounts make 2,000.
var DefaultScale = Scale{Buckets: 50, Tables: 50, LogGroups: 120, Keys: 40, Volumes: 100, SecurityGroups: 50,
	Secrets: 50, DBInstances: 10, Users: 60}

// SeedScale fills the account of cfg with many plain resources of the kinds the collectors read
// (a benchmark estate, not the demo service: no violations are planned). Names start with
// prefix, which must differ between accounts (S3 bucket names are global). It makes up to
// concurrency calls at once and returns how many resources of each kind it created.
func SeedScale(ctx context.Context, cfg aws.Config, prefix string, regions []string, sc Scale, concurrency int) (map[string]int, error) {
	if sc == (Scale{}) {
		sc = DefaultScale
	}
	if concurrency < 1 {
		concurrency = 4
	}
	var (
		mu    sync.Mutex
		count = map[string]int{}
		errs  []error
		wg    sync.WaitGroup
		sem   = make(chan struct{}, concurrency)
	)
	type job struct {
		kind, region string
		fn           func() error
	}
	var jobs []job
	jobRegion := "" // the region of the jobs being added
	do := func(kind string, fn func() error) { jobs = append(jobs, job{kind, jobRegion, fn}) }
	run := func(j job) {
		err := j.fn()
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", j.kind, err))
			return
		}
		count[j.kind]++
	}
	home := cfg.Copy()
	home.Region = regions[0]
	iamc := iam.NewFromConfig(home)
	for i := range sc.Users {
		do("iam user", func() error {
			_, err := iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("%s-user-%03d", prefix, i))})
			return err
		})
	}
	for _, region := range regions {
		jobRegion = region
		rc := cfg.Copy()
		rc.Region = region
		s3c, ddb, logs := s3Client(rc), dynamodb.NewFromConfig(rc), cloudwatchlogs.NewFromConfig(rc)
		kmsc, ec2c, sm, rdsc := kms.NewFromConfig(rc), ec2.NewFromConfig(rc), secretsmanager.NewFromConfig(rc), rds.NewFromConfig(rc)
		for i := range sc.Buckets {
			do("s3 bucket", func() error {
				in := &s3.CreateBucketInput{Bucket: aws.String(fmt.Sprintf("%s-%s-bucket-%03d", prefix, region, i))}
				if region != "us-east-1" {
					in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
				}
				_, err := s3c.CreateBucket(ctx, in)
				return err
			})
		}
		for i := range sc.Tables {
			do("dynamodb table", func() error {
				_, err := ddb.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(fmt.Sprintf("%s-table-%03d", prefix, i)),
					AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
					KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
					BillingMode:          ddbtypes.BillingModePayPerRequest})
				return err
			})
		}
		for i := range sc.LogGroups {
			do("log group", func() error {
				_, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(fmt.Sprintf("/%s/app-%03d", prefix, i))})
				return err
			})
		}
		for i := range sc.Keys {
			do("kms key", func() error {
				_, err := kmsc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(fmt.Sprintf("%s key %03d", prefix, i))})
				return err
			})
		}
		for i := range sc.Volumes {
			do("ebs volume", func() error {
				_, err := ec2c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(region + "a"), Size: aws.Int32(int32(8 + i%4)),
					Encrypted: aws.Bool(true)})
				return err
			})
		}
		for i := range sc.SecurityGroups {
			do("security group", func() error {
				_, err := ec2c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(fmt.Sprintf("%s-sg-%03d", prefix, i)),
					Description: aws.String("bench")})
				return err
			})
		}
		for i := range sc.Secrets {
			do("secret", func() error {
				_, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(fmt.Sprintf("%s/secret-%03d", prefix, i)),
					SecretString: aws.String("not-a-real-secret")})
				return err
			})
		}
		for i := range sc.DBInstances {
			do("rds instance", func() error {
				_, err := rdsc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(fmt.Sprintf("%s-db-%03d", prefix, i)),
					DBInstanceClass: aws.String("db.t3.micro"), Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(20),
					MasterUsername: aws.String("bench"), MasterUserPassword: aws.String("bench-password-0"), StorageEncrypted: aws.Bool(true)})
				return err
			})
		}
	}
	// The first resource of each kind in each region is made alone: moto creates the AWS-managed
	// KMS keys (aws/rds, aws/secretsmanager…) on first use, and concurrent first uses race into
	// duplicates, which would change the estate (and the calls needed) from run to run.
	first := map[string]bool{}
	var rest []job
	for _, j := range jobs {
		if !first[j.kind+" "+j.region] {
			first[j.kind+" "+j.region] = true
			run(j)
			continue
		}
		rest = append(rest, j)
	}
	for _, j := range rest {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			run(j)
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
		return count, fmt.Errorf("seed scale estate (%d failures), first: %w", len(errs), errs[0])
	}
	return count, nil
}
