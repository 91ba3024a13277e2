package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// rdsTask: instances, clusters, snapshots and who may restore each manual snapshot.
func rdsTask() task {
	return task{service: "rds", kinds: []string{KindDBInstances, KindDBClusters, KindDBSnapshots, KindDBSnapshotAttr},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := rds.NewFromConfig(cfg)
			p1 := rds.NewDescribeDBInstancesPaginator(c, &rds.DescribeDBInstancesInput{})
			insts, pages, err := pageAll(ctx, p1.HasMorePages, p1.NextPage, func(o *rds.DescribeDBInstancesOutput) []rdstypes.DBInstance { return o.DBInstances })
			emit(e, KindDBInstances, "DescribeDBInstances", pages, err, sortBy(insts, func(v rdstypes.DBInstance) string { return aws.ToString(v.DBInstanceArn) }))

			p2 := rds.NewDescribeDBClustersPaginator(c, &rds.DescribeDBClustersInput{})
			cls, pages, err := pageAll(ctx, p2.HasMorePages, p2.NextPage, func(o *rds.DescribeDBClustersOutput) []rdstypes.DBCluster { return o.DBClusters })
			emit(e, KindDBClusters, "DescribeDBClusters", pages, err, sortBy(cls, func(v rdstypes.DBCluster) string { return aws.ToString(v.DBClusterArn) }))

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
				out, err := c.DescribeDBSnapshotAttributes(ctx, &rds.DescribeDBSnapshotAttributesInput{DBSnapshotIdentifier: s.DBSnapshotIdentifier})
				if err != nil {
					e.fail(KindDBSnapshotAttr, "DescribeDBSnapshotAttributes", fmt.Errorf("snapshot %s: %w", aws.ToString(s.DBSnapshotIdentifier), err))
					return
				}
				attrs = append(attrs, perResource("DBSnapshotArn", aws.ToString(s.DBSnapshotArn), out.DBSnapshotAttributesResult))
			}
			e.ok(KindDBSnapshotAttr, "DescribeDBSnapshotAttributes", len(attrs), attrs)
		}}
}
