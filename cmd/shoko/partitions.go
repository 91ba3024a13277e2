package main

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shoko-audit/shoko/collectors"
	awscollector "github.com/shoko-audit/shoko/collectors/aws"
	"github.com/shoko-audit/shoko/config"
	"github.com/shoko-audit/shoko/evidence"
)

// A run split into partitions (docs/partitions.md): `shoko runs start --partitions N` lists the
// run's work units once and splits them; `shoko collect --run ID --partition I/N` collects the
// units of partition I into shard part-I-of-N; `shoko evaluate --run ID` refuses until every
// partition's shard is complete.

// The job runners' own index variables, both 0-based: a Kubernetes Indexed Job's pods and an
// AWS Batch array job's children.
// https://kubernetes.io/docs/concepts/workloads/controllers/job/#completion-mode
// https://docs.aws.amazon.com/batch/latest/userguide/array_jobs.html
var partitionIndexEnv = []string{"JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"}

// partitionOf reads which partition this process collects: --partition I/N (1-based), or
// --partitions N with the index (0-based) from the job runner's variable. It returns 1-based I.
func partitionOf(flag string, partitions int, getenv func(string) string) (int, int, error) {
	if flag != "" {
		if partitions != 0 {
			return 0, 0, usageErr("give --partition I/N or --partitions N (with the index from %s), not both", strings.Join(partitionIndexEnv, " or "))
		}
		is, ns, ok := strings.Cut(flag, "/")
		i, ierr := strconv.Atoi(is)
		n, nerr := strconv.Atoi(ns)
		if !ok || ierr != nil || nerr != nil {
			return 0, 0, usageErr("--partition %q: want I/N, e.g. 2/8 (I counts from 1)", flag)
		}
		if n < 1 || i < 1 || i > n {
			return 0, 0, usageErr("--partition %s: I must be 1..%d (partitions count from 1; the job runners' 0-based indexes are read with --partitions N)", flag, max(n, 1))
		}
		return i, n, nil
	}
	if partitions < 1 {
		return 0, 0, usageErr("--partitions %d: want at least 1", partitions)
	}
	var name, value string
	for _, v := range partitionIndexEnv {
		if s := getenv(v); s != "" {
			if name != "" && s != value {
				return 0, 0, usageErr("%s=%s and %s=%s disagree: which partition is this?", name, value, v, s)
			}
			if name == "" {
				name, value = v, s
			}
		}
	}
	if name == "" {
		return 0, 0, usageErr("--partitions %d needs the partition index: give --partition I/%d, or run as a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) or an AWS Batch array job (AWS_BATCH_JOB_ARRAY_INDEX)", partitions, partitions)
	}
	idx, err := strconv.Atoi(value)
	if err != nil || idx < 0 || idx >= partitions {
		return 0, 0, usageErr("%s=%q: want a 0-based index 0..%d for --partitions %d", name, value, partitions-1, partitions)
	}
	return idx + 1, partitions, nil
}

// partitionOfShard reads I and N back from a shard name part-I-of-N.
func partitionOfShard(shard string) (int, int, bool) {
	var i, n int
	if _, err := fmt.Sscanf(shard, "part-%d-of-%d", &i, &n); err != nil || evidence.PartitionShard(i, n) != shard {
		return 0, 0, false
	}
	return i, n, true
}

// Units of a non-AWS collector carry its name as Source and nothing else; AWS units carry
// Source "aws".
const awsSource = awscollector.Name

// listUnits lists the run's work units from the config, now: each non-AWS collector the scope
// needs is one unit; the AWS collector's are its accounts × regions × service groups and its
// global units (awscollector.ListUnits). bound maps a unit's key to the key of the unit it must
// share a partition with.
func (a *app) listUnits(ctx context.Context, cfg *config.Config, scope *evidence.ControlScope, concurrency int, now time.Time, af awsFlags) ([]evidence.Unit, map[string]string, error) {
	pr, err := runFor(nil, now.Format(time.RFC3339), "", cfg)
	if err != nil {
		return nil, nil, err
	}
	af.concurrency = concurrency
	cs, err := collectorsFor(cfg, pr.Period, af, a.log)
	if err != nil {
		return nil, nil, &exitErr{code: exitUsage, err: err}
	}
	if scope != nil {
		cat, err := a.loadCatalogFor(cfg)
		if err != nil {
			return nil, nil, err
		}
		cs = plannedCollectors(cs, cat, scope, a.log)
	}
	var units []evidence.Unit
	bound := map[string]string{}
	for _, c := range cs {
		ac, ok := c.(*awscollector.Collector)
		if !ok {
			units = append(units, evidence.Unit{Source: c.Name()})
			continue
		}
		aus, problems, err := ac.ListUnits(ctx, now)
		if err != nil {
			return nil, nil, &exitErr{code: exitError, err: fmt.Errorf("list the run's AWS units: %w", err)}
		}
		for _, p := range problems {
			a.log.Warn("aws account not fully listed when the run started", "problem", p)
		}
		for _, u := range aus {
			eu := awsUnit(u)
			units = append(units, eu)
			bound[eu.Key()] = awsUnit(ac.BoundTo(u)).Key()
		}
	}
	sortUnits(units)
	for i := 1; i < len(units); i++ {
		if units[i-1].Key() == units[i].Key() {
			return nil, nil, &exitErr{code: exitUsage, err: fmt.Errorf("%s: two collectors are unit %s", cfg.File, units[i].Key())}
		}
	}
	return units, bound, nil
}

func awsUnit(u awscollector.Unit) evidence.Unit {
	return evidence.Unit{Source: awsSource, Account: u.Account, Region: u.Region, Service: u.Service}
}

func sortUnits(units []evidence.Unit) {
	sort.Slice(units, func(i, j int) bool { return units[i].Key() < units[j].Key() })
}

// splitUnits assigns each unit (sorted) a partition 1..n. Units bound together (bound: key →
// key of the unit it goes with) form a group; groups are taken in the order of their first unit
// and each goes to the partition with the fewest units so far, the lowest-numbered on a tie. With
// no bindings that is round-robin over the sorted list: partitions differ by at most one unit,
// and one account's units (and one region's services) spread over all partitions, so no single
// process carries one account's whole API rate limit. The split depends only on the unit list,
// never on a hash seed, map order or the time, so it can be recomputed and checked from run.json.
func splitUnits(units []evidence.Unit, bound map[string]string, n int) {
	groupOf := func(u evidence.Unit) string {
		if b, ok := bound[u.Key()]; ok {
			return b
		}
		return u.Key()
	}
	size := map[string]int{}
	for _, u := range units {
		size[groupOf(u)]++
	}
	load := make([]int, n+1) // index 1..n
	assigned := map[string]int{}
	for i := range units {
		g := groupOf(units[i])
		p, ok := assigned[g]
		if !ok {
			p = 1
			for q := 2; q <= n; q++ {
				if load[q] < load[p] {
					p = q
				}
			}
			assigned[g] = p
			load[p] += size[g]
		}
		units[i].Partition = p
	}
}

// partitionUnits is what one partition collects: the run's whole AWS unit list (the AWS
// collector needs it to know the run's accounts) with the selection of this partition, and the
// non-AWS collectors by name.
type partitionUnits struct {
	partition int
	aws       []awscollector.Unit
	awsMine   map[awscollector.Unit]bool
	others    map[string]bool
}

func newPartitionUnits(plan evidence.Plan, partition int) *partitionUnits {
	p := &partitionUnits{partition: partition, aws: []awscollector.Unit{}, awsMine: map[awscollector.Unit]bool{}, others: map[string]bool{}}
	for _, u := range plan.Units {
		if u.Source == awsSource {
			au := awscollector.Unit{Account: u.Account, Region: u.Region, Service: u.Service}
			p.aws = append(p.aws, au)
			if u.Partition == partition {
				p.awsMine[au] = true
			}
			continue
		}
		if u.Partition == partition {
			p.others[u.Source] = true
		}
	}
	return p
}

// filter keeps the collectors with units in this partition; a unit no collector of the config
// answers to is an error (the run was started with another config).
func (p *partitionUnits) filter(cs []collectors.Collector) ([]collectors.Collector, error) {
	var out []collectors.Collector
	have := map[string]bool{}
	for _, c := range cs {
		have[c.Name()] = true
		if _, isAWS := c.(*awscollector.Collector); isAWS {
			if len(p.awsMine) > 0 {
				out = append(out, c)
			}
			continue
		}
		if p.others[c.Name()] {
			out = append(out, c)
		}
	}
	for name := range p.others {
		if !have[name] {
			return nil, fmt.Errorf("partition %d has unit %s, which the config does not collect (collect with the config the run was started with)", p.partition, name)
		}
	}
	if len(p.awsMine) > 0 && !have[awsSource] {
		return nil, fmt.Errorf("partition %d has AWS units, but the config has no aws section (collect with the config the run was started with)", p.partition)
	}
	return out, nil
}

// unfinishedPartitions refuses to evaluate a partitioned run while a partition's shard has no
// manifest (never collected, still collecting, or died): the audit would otherwise be smaller
// than the run's unit list. Exit 2, naming each partition and how to collect it.
func unfinishedPartitions(id string, plan evidence.Plan, files map[string][]byte) error {
	if plan.Partitions == 0 {
		return nil
	}
	var missing []string
	for i := 1; i <= plan.Partitions; i++ {
		shard := evidence.PartitionShard(i, plan.Partitions)
		if _, ok := files[path.Join(evidence.ShardsDir, shard+".json")]; ok {
			continue
		}
		state := "not collected"
		prefix := path.Join(evidence.EvidenceDir, shard) + "/"
		for name := range files {
			if strings.HasPrefix(name, prefix) {
				state = "incomplete: evidence written but no manifest (still collecting, or the process died)"
				break
			}
		}
		missing = append(missing, fmt.Sprintf("partition %d/%d (shard %s) %s", i, plan.Partitions, shard, state))
	}
	if len(missing) == 0 {
		return nil
	}
	return &exitErr{code: exitError, err: fmt.Errorf("run %s cannot be evaluated: %s; collect each with shoko collect --run %s --partition I/%d",
		id, strings.Join(missing, "; "), id, plan.Partitions)}
}
