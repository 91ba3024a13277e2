package evidence

import (
	"context"
	"strings"
	"testing"
)

// A partitioned plan is refused unless its shards are exactly part-1-of-N … part-N-of-N and its
// units are sorted, listed once, each in a partition 1..N.
func TestBeginRunChecksPartitions(t *testing.T) {
	unit := func(acct string, p int) Unit {
		return Unit{Source: "aws", Account: acct, Region: "global", Service: "account", Partition: p}
	}
	for _, tc := range []struct {
		name string
		plan Plan
		want string // "" = accepted
	}{
		{"two partitions", Plan{Partitions: 2, Shards: PartitionShards(2), Units: []Unit{unit("1", 1), unit("2", 2)}}, ""},
		{"a unit in partition N", Plan{Partitions: 2, Shards: PartitionShards(2), Units: []Unit{unit("1", 2)}}, ""},
		{"a unit one past N", Plan{Partitions: 2, Shards: PartitionShards(2), Units: []Unit{unit("1", 3)}}, "in partition 3, want 1..2"},
		{"a unit in partition 0", Plan{Partitions: 2, Shards: PartitionShards(2), Units: []Unit{unit("1", 0)}}, "in partition 0"},
		{"a shard missing", Plan{Partitions: 3, Shards: PartitionShards(2), Units: []Unit{unit("1", 1)}}, "3 partitions plan shards"},
		{"another shard", Plan{Partitions: 1, Shards: []string{"main"}, Units: []Unit{unit("1", 1)}}, "1 partitions plan shards"},
		{"units out of order", Plan{Partitions: 2, Shards: PartitionShards(2), Units: []Unit{unit("2", 1), unit("1", 2)}}, "not sorted"},
		{"a unit twice", Plan{Partitions: 2, Shards: PartitionShards(2), Units: []Unit{unit("1", 1), unit("1", 2)}}, "listed twice"},
		{"units without partitions", Plan{Shards: []string{"main"}, Units: []Unit{unit("1", 1)}}, "no partitions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.plan.RunID = "r"
			err := BeginRun(context.Background(), NewDirStore(t.TempDir()), tc.plan)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}
