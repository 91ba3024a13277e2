package awsestate

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/shoko-audit/shoko/internal/motofront"
)

// ManagementAccount is the organization's management account of the organization-trail estate;
// OrgTrailARN is its organization trail.
const (
	ManagementAccount = "999999999999"
	OrgTrailARN       = "arn:aws:cloudtrail:" + Region + ":" + ManagementAccount + ":trail/org-trail"
)

// SeedMemberOfOrganizationTrail turns a seeded estate into a member account logged only by its
// organization's trail, the way organizations usually log their accounts: the account's own
// trail is deleted, and the organization trail of the management account is shown to it as AWS
// shows it to members (motofront: moto knows no organization trails). With orgTrail false the
// account is left with no trail at all.
func SeedMemberOfOrganizationTrail(ctx context.Context, cfg aws.Config, front *motofront.Front, orgTrail bool) error {
	cfg = cfg.Copy()
	cfg.Region = Region
	if _, err := cloudtrail.NewFromConfig(cfg).DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String(TrailName)}); err != nil {
		return fmt.Errorf("seed organization trail: delete the account's own trail: %w", err)
	}
	if orgTrail {
		front.AddOrganizationTrail(motofront.OrgTrail{ARN: OrgTrailARN, Name: "org-trail", HomeRegion: Region,
			Bucket: "org-log-archive-trail", Logging: true, LogFileValidation: true})
	}
	return nil
}
