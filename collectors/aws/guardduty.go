package aws

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
)

// guarddutyTask: each detector (status) and its unarchived findings. GetFindings takes at
// most 50 ids per call (an AWS limit), so ids are fetched in batches.
func guarddutyTask() task {
	kinds := []string{KindDetectors, KindFindings}
	return task{service: "guardduty", kinds: kinds,
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := guardduty.NewFromConfig(cfg)
			p := guardduty.NewListDetectorsPaginator(c, &guardduty.ListDetectorsInput{})
			ids, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *guardduty.ListDetectorsOutput) []string { return o.DetectorIds })
			if err != nil {
				e.failAll(kinds, "ListDetectors", err)
				return
			}
			sort.Strings(ids)
			dets := []map[string]any{}
			findings := []gdtypes.Finding{}
			for _, id := range ids {
				d, err := c.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String(id)})
				if err != nil {
					e.failAll(kinds, "GetDetector", fmt.Errorf("detector %s: %w", id, err))
					return
				}
				dets = append(dets, perResource("DetectorId", id, d))
				// Archived findings were dealt with; only the rest can be open.
				fp := guardduty.NewListFindingsPaginator(c, &guardduty.ListFindingsInput{DetectorId: aws.String(id),
					FindingCriteria: &gdtypes.FindingCriteria{Criterion: map[string]gdtypes.Condition{"service.archived": {Equals: []string{"false"}}}}})
				fids, _, err := pageAll(ctx, fp.HasMorePages, fp.NextPage, func(o *guardduty.ListFindingsOutput) []string { return o.FindingIds })
				if err != nil {
					e.ok(KindDetectors, "ListDetectors+GetDetector", pages, dets)
					e.fail(KindFindings, "ListFindings", fmt.Errorf("detector %s: %w", id, err))
					return
				}
				sort.Strings(fids)
				for start := 0; start < len(fids); start += 50 {
					out, err := c.GetFindings(ctx, &guardduty.GetFindingsInput{DetectorId: aws.String(id), FindingIds: fids[start:min(start+50, len(fids))]})
					if err != nil {
						e.ok(KindDetectors, "ListDetectors+GetDetector", pages, dets)
						e.fail(KindFindings, "GetFindings", fmt.Errorf("detector %s: %w", id, err))
						return
					}
					findings = append(findings, out.Findings...)
				}
			}
			e.ok(KindDetectors, "ListDetectors+GetDetector", pages, dets)
			e.ok(KindFindings, "ListFindings+GetFindings", len(findings), sortBy(findings, func(v gdtypes.Finding) string { return aws.ToString(v.Id) }))
		}}
}
