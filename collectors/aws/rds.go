package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// rdsTask: instances, clusters, snapshots (instance and cluster), who may restore each manual
// snapshot, and the automated backups kept in the region (retained ones of deleted instances and
// ones replicated here from another region).
func rdsTask() task {
	return task{service: "rds", kinds: []string{KindDBInstances, KindDBClusters, KindDBSnapshots, KindDBSnapshotAttr,
		KindDBClusterSnapshots, KindDBClusterSnapshotAttr, KindDBAutomatedBackups},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := rds.NewFromConfig(cfg)
			p1 := rds.NewDescribeDBInstancesPaginator(c, &rds.DescribeDBInstancesInput{})
			insts, pages, err := pageAll(ctx, p1.HasMorePages, p1.NextPage, func(o *rds.DescribeDBInstancesOutput) []rdstypes.DBInstance { return o.DBInstances })
			emit(e, KindDBInstances, "DescribeDBInstances", pages, err, sortBy(insts, func(v rdstypes.DBInstance) string { return aws.ToString(v.DBInstanceArn) }))

			p2 := rds.NewDescribeDBClustersPaginator(c, &rds.DescribeDBClustersInput{})
			cls, pages, err := pageAll(ctx, p2.HasMorePages, p2.NextPage, func(o *rds.DescribeDBClustersOutput) []rdstypes.DBCluster { return o.DBClusters })
			emit(e, KindDBClusters, "DescribeDBClusters", pages, err, sortBy(cls, func(v rdstypes.DBCluster) string { return aws.ToString(v.DBClusterArn) }))

			rdsInstanceSnapshots(ctx, c, e)
			rdsClusterSnapshots(ctx, c, e)

			// A backup replicated to this region from another one, or retained after its instance
			// was deleted, is listed in the region that holds it:
			// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstanceAutomatedBackups.html
			// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html
			p4 := rds.NewDescribeDBInstanceAutomatedBackupsPaginator(c, &rds.DescribeDBInstanceAutomatedBackupsInput{})
			abs, pages, err := pageAll(ctx, p4.HasMorePages, p4.NextPage, func(o *rds.DescribeDBInstanceAutomatedBackupsOutput) []rdstypes.DBInstanceAutomatedBackup {
				return o.DBInstanceAutomatedBackups
			})
			emit(e, KindDBAutomatedBackups, "DescribeDBInstanceAutomatedBackups", pages, err,
				sortBy(abs, func(v rdstypes.DBInstanceAutomatedBackup) string {
					return aws.ToString(v.DBInstanceAutomatedBackupsArn)
				}))
		}}
}

// rdsInstanceSnapshots lists the DB snapshots and who may restore each manual one.
func rdsInstanceSnapshots(ctx context.Context, c *rds.Client, e *emitter) {
	p3 := rds.NewDescribeDBSnapshotsPaginator(c, &rds.DescribeDBSnapshotsInput{})
	snaps, pages, err := pageAll(ctx, p3.HasMorePages, p3.NextPage, func(o *rds.DescribeDBSnapshotsOutput) []rdstypes.DBSnapshot { return o.DBSnapshots })
	if err != nil {
		e.failAll([]string{KindDBSnapshots, KindDBSnapshotAttr}, "DescribeDBSnapshots", err)
		return
	}
	snaps = sortBy(snaps, func(v rdstypes.DBSnapshot) string { return aws.ToString(v.DBSnapshotArn) })
	emit(e, KindDBSnapshots, "DescribeDBSnapshots", pages, nil, snaps)
	// Only manual snapshots can be shared; automated ones have no restore attribute.
	attrs := []map[string]any{}
	for _, s := range snaps {
		if aws.ToString(s.SnapshotType) != "manual" {
			continue
		}
		arn := aws.ToString(s.DBSnapshotArn)
		out, err := c.DescribeDBSnapshotAttributes(ctx, &rds.DescribeDBSnapshotAttributesInput{DBSnapshotIdentifier: s.DBSnapshotIdentifier})
		if code, ok := isGone(err, "DBSnapshotNotFound", "DBSnapshotNotFoundFault"); ok {
			// Deleted since it was listed (API_DescribeDBSnapshotAttributes.html, Errors).
			attrs = append(attrs, gone("DBSnapshotArn", arn, code))
			continue
		}
		if err != nil {
			e.fail(KindDBSnapshotAttr, "DescribeDBSnapshotAttributes", fmt.Errorf("snapshot %s: %w", aws.ToString(s.DBSnapshotIdentifier), err))
			return
		}
		attrs = append(attrs, perResource("DBSnapshotArn", arn, out.DBSnapshotAttributesResult))
	}
	e.ok(KindDBSnapshotAttr, "DescribeDBSnapshotAttributes", len(attrs), attrs)
}

// rdsClusterSnapshots lists the Aurora (and Multi-AZ) DB cluster snapshots of the region,
// copies made here from another region included, and who may restore each manual one: the
// "restore" attribute lists account ids, or "all" for a public snapshot.
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusterSnapshots.html
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusterSnapshotAttributes.html
func rdsClusterSnapshots(ctx context.Context, c *rds.Client, e *emitter) {
	p := rds.NewDescribeDBClusterSnapshotsPaginator(c, &rds.DescribeDBClusterSnapshotsInput{})
	snaps, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *rds.DescribeDBClusterSnapshotsOutput) []rdstypes.DBClusterSnapshot {
		return o.DBClusterSnapshots
	})
	if err != nil {
		e.failAll([]string{KindDBClusterSnapshots, KindDBClusterSnapshotAttr}, "DescribeDBClusterSnapshots", err)
		return
	}
	snaps = sortBy(snaps, func(v rdstypes.DBClusterSnapshot) string { return aws.ToString(v.DBClusterSnapshotArn) })
	emit(e, KindDBClusterSnapshots, "DescribeDBClusterSnapshots", pages, nil, snaps)
	attrs := []map[string]any{}
	for _, s := range snaps {
		if aws.ToString(s.SnapshotType) != "manual" {
			continue
		}
		arn := aws.ToString(s.DBClusterSnapshotArn)
		out, err := c.DescribeDBClusterSnapshotAttributes(ctx, &rds.DescribeDBClusterSnapshotAttributesInput{DBClusterSnapshotIdentifier: s.DBClusterSnapshotIdentifier})
		if code, ok := isGone(err, "DBClusterSnapshotNotFoundFault", "DBClusterSnapshotNotFound"); ok {
			attrs = append(attrs, gone("DBClusterSnapshotArn", arn, code))
			continue
		}
		if err != nil {
			e.fail(KindDBClusterSnapshotAttr, "DescribeDBClusterSnapshotAttributes", fmt.Errorf("cluster snapshot %s: %w", aws.ToString(s.DBClusterSnapshotIdentifier), err))
			return
		}
		attrs = append(attrs, perResource("DBClusterSnapshotArn", arn, out.DBClusterSnapshotAttributesResult))
	}
	e.ok(KindDBClusterSnapshotAttr, "DescribeDBClusterSnapshotAttributes", len(attrs), attrs)
}
