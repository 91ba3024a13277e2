package awsestate

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/shoko-audit/shoko/internal/motofront"
)

// AuroraCluster is the Aurora cluster of SeedAurora.
const AuroraCluster = "cardsvc-aurora"

// SeedAurora adds an Aurora PostgreSQL cluster holding customer data, with one writer instance,
// to a seeded estate, the way AWS Backup protects it: by the cluster's ARN (the instances have
// no backups of their own). With points, the cluster has a recovery point for each of the last
// 10 days in the seeded vault; without, none. It returns the cluster's ARN.
func SeedAurora(ctx context.Context, cfg aws.Config, un Unmodelled, now time.Time, points bool) (string, error) {
	cfg = cfg.Copy()
	cfg.Region = Region
	c := rds.NewFromConfig(cfg)
	tags := []rdstypes.Tag{{Key: aws.String("Service"), Value: aws.String(ServiceTag)}, {Key: aws.String("DataClass"), Value: aws.String("customer")}}
	out, err := c.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String(AuroraCluster), Engine: aws.String("aurora-postgresql"),
		MasterUsername: aws.String("cardsvc"), MasterUserPassword: aws.String("not-a-real-secret-1"), StorageEncrypted: aws.Bool(true),
		DBSubnetGroupName: aws.String("cardsvc-db"), Tags: tags})
	if err != nil {
		return "", fmt.Errorf("seed aurora cluster: %w", err)
	}
	if _, err := c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(AuroraCluster + "-1"),
		DBClusterIdentifier: aws.String(AuroraCluster), Engine: aws.String("aurora-postgresql"), DBInstanceClass: aws.String("db.r6g.large"),
		Tags: tags}); err != nil {
		return "", fmt.Errorf("seed aurora instance: %w", err)
	}
	arn := aws.ToString(out.DBCluster.DBClusterArn)
	if points {
		for d := 0; d < 10; d++ {
			un.AddRecoveryPoint(Region, motofront.RecoveryPoint{Vault: VaultName, ResourceArn: arn, ResourceType: "Aurora", Status: "COMPLETED",
				RecoveryPointArn: fmt.Sprintf("arn:aws:backup:%s:%s:recovery-point:%s-%02d", Region, Account, AuroraCluster, d),
				Created:          now.Add(-time.Duration(d)*24*time.Hour - 3*time.Hour), DeleteAfterDays: 35})
		}
		un.AddProtectedResource(Region, motofront.ProtectedResource{ResourceArn: arn, ResourceType: "Aurora", LastBackup: now.Add(-3 * time.Hour)})
	}
	return arn, nil
}
