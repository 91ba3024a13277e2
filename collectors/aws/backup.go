package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	bktypes "github.com/aws/aws-sdk-go-v2/service/backup/types"
)

// backupTask: vaults and their recovery points, plans with their rules and selections,
// protected resources and restore jobs.
func backupTask() task {
	kinds := []string{KindBackupVaults, KindRecoveryPoints, KindBackupPlans, KindBackupSelections, KindProtected, KindRestoreJobs}
	return task{service: "backup", kinds: kinds,
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := backup.NewFromConfig(cfg)
			vp := backup.NewListBackupVaultsPaginator(c, &backup.ListBackupVaultsInput{})
			vaults, pages, err := pageAll(ctx, vp.HasMorePages, vp.NextPage, func(o *backup.ListBackupVaultsOutput) []bktypes.BackupVaultListMember { return o.BackupVaultList })
			if err != nil {
				e.failAll([]string{KindBackupVaults, KindRecoveryPoints}, "ListBackupVaults", err)
			} else {
				vaults = sortBy(vaults, func(v bktypes.BackupVaultListMember) string { return aws.ToString(v.BackupVaultName) })
				emit(e, KindBackupVaults, "ListBackupVaults", pages, nil, vaults)
				rps := []bktypes.RecoveryPointByBackupVault{}
				rpages := 0
				for _, v := range vaults {
					rp := backup.NewListRecoveryPointsByBackupVaultPaginator(c, &backup.ListRecoveryPointsByBackupVaultInput{BackupVaultName: v.BackupVaultName})
					pts, n, err := pageAll(ctx, rp.HasMorePages, rp.NextPage, func(o *backup.ListRecoveryPointsByBackupVaultOutput) []bktypes.RecoveryPointByBackupVault {
						return o.RecoveryPoints
					})
					if err != nil {
						e.fail(KindRecoveryPoints, "ListRecoveryPointsByBackupVault", fmt.Errorf("vault %s: %w", aws.ToString(v.BackupVaultName), err))
						rps = nil
						break
					}
					rpages += n
					rps = append(rps, pts...)
				}
				if rps != nil {
					e.ok(KindRecoveryPoints, "ListRecoveryPointsByBackupVault", rpages, sortBy(rps, func(v bktypes.RecoveryPointByBackupVault) string { return aws.ToString(v.RecoveryPointArn) }))
				}
			}

			collectPlans(ctx, c, e)

			pp := backup.NewListProtectedResourcesPaginator(c, &backup.ListProtectedResourcesInput{})
			prs, pages, err := pageAll(ctx, pp.HasMorePages, pp.NextPage, func(o *backup.ListProtectedResourcesOutput) []bktypes.ProtectedResource { return o.Results })
			emit(e, KindProtected, "ListProtectedResources", pages, err, sortBy(prs, func(v bktypes.ProtectedResource) string { return aws.ToString(v.ResourceArn) }))

			jp := backup.NewListRestoreJobsPaginator(c, &backup.ListRestoreJobsInput{})
			jobs, pages, err := pageAll(ctx, jp.HasMorePages, jp.NextPage, func(o *backup.ListRestoreJobsOutput) []bktypes.RestoreJobsListMember { return o.RestoreJobs })
			emit(e, KindRestoreJobs, "ListRestoreJobs", pages, err, sortBy(jobs, func(v bktypes.RestoreJobsListMember) string { return aws.ToString(v.RestoreJobId) }))
		}}
}

// collectPlans reads every plan (GetBackupPlan: the rules and lifecycles) and every selection
// of each plan (GetBackupSelection: which resources and tags it covers).
func collectPlans(ctx context.Context, c *backup.Client, e *emitter) {
	both := []string{KindBackupPlans, KindBackupSelections}
	pp := backup.NewListBackupPlansPaginator(c, &backup.ListBackupPlansInput{})
	plans, pages, err := pageAll(ctx, pp.HasMorePages, pp.NextPage, func(o *backup.ListBackupPlansOutput) []bktypes.BackupPlansListMember { return o.BackupPlansList })
	if err != nil {
		e.failAll(both, "ListBackupPlans", err)
		return
	}
	plans = sortBy(plans, func(v bktypes.BackupPlansListMember) string { return aws.ToString(v.BackupPlanId) })
	got := []map[string]any{}
	sels := []map[string]any{}
	for _, p := range plans {
		out, err := c.GetBackupPlan(ctx, &backup.GetBackupPlanInput{BackupPlanId: p.BackupPlanId})
		if err != nil {
			e.failAll(both, "GetBackupPlan", fmt.Errorf("plan %s: %w", aws.ToString(p.BackupPlanId), err))
			return
		}
		got = append(got, perResource("BackupPlanId", aws.ToString(p.BackupPlanId), out))
		sp := backup.NewListBackupSelectionsPaginator(c, &backup.ListBackupSelectionsInput{BackupPlanId: p.BackupPlanId})
		list, _, err := pageAll(ctx, sp.HasMorePages, sp.NextPage, func(o *backup.ListBackupSelectionsOutput) []bktypes.BackupSelectionsListMember {
			return o.BackupSelectionsList
		})
		if err != nil {
			e.ok(KindBackupPlans, "GetBackupPlan", pages, got)
			e.fail(KindBackupSelections, "ListBackupSelections", fmt.Errorf("plan %s: %w", aws.ToString(p.BackupPlanId), err))
			return
		}
		for _, s := range sortBy(list, func(v bktypes.BackupSelectionsListMember) string { return aws.ToString(v.SelectionId) }) {
			sel, err := c.GetBackupSelection(ctx, &backup.GetBackupSelectionInput{BackupPlanId: p.BackupPlanId, SelectionId: s.SelectionId})
			if err != nil {
				e.ok(KindBackupPlans, "GetBackupPlan", pages, got)
				e.fail(KindBackupSelections, "GetBackupSelection", fmt.Errorf("plan %s selection %s: %w", aws.ToString(p.BackupPlanId), aws.ToString(s.SelectionId), err))
				return
			}
			sels = append(sels, perResource("SelectionId", aws.ToString(s.SelectionId), sel))
		}
	}
	e.ok(KindBackupPlans, "ListBackupPlans+GetBackupPlan", pages, got)
	e.ok(KindBackupSelections, "ListBackupSelections+GetBackupSelection", len(sels), sels)
}
