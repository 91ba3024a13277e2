package aws

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// describeRegions lists every region with its opt-in status (AllRegions), so a control can
// prove it looked at every enabled region and knows which ones are not opted in. It returns the
// enabled regions and the list; the evidence item goes to e.
func describeRegions(ctx context.Context, cfg aws.Config, e *emitter, timeout time.Duration) ([]string, []ec2types.Region) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := ec2.NewFromConfig(cfg).DescribeRegions(ctx, &ec2.DescribeRegionsInput{AllRegions: aws.Bool(true)})
	if err != nil {
		e.fail(KindRegions, "DescribeRegions", err)
		return nil, nil
	}
	regions := sortBy(out.Regions, func(r ec2types.Region) string { return aws.ToString(r.RegionName) })
	var enabled []string
	for _, r := range regions {
		if s := aws.ToString(r.OptInStatus); s == "opt-in-not-required" || s == "opted-in" {
			enabled = append(enabled, aws.ToString(r.RegionName))
		}
	}
	e.ok(KindRegions, "DescribeRegions", 1, regions)
	return enabled, regions
}

// ec2StorageTask: volumes, own snapshots (and who may restore them), EBS default encryption.
func ec2StorageTask() task {
	return task{service: "ec2", kinds: []string{KindVolumes, KindSnapshots, KindSnapshotAttr, KindEBSDefault},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := ec2.NewFromConfig(cfg)
			var vols []ec2types.Volume
			pages := 0
			p := ec2.NewDescribeVolumesPaginator(c, &ec2.DescribeVolumesInput{})
			var err error
			for p.HasMorePages() && err == nil {
				var page *ec2.DescribeVolumesOutput
				if page, err = p.NextPage(ctx); err == nil {
					pages++
					vols = append(vols, page.Volumes...)
				}
			}
			if err != nil {
				e.fail(KindVolumes, "DescribeVolumes", err)
			} else {
				e.ok(KindVolumes, "DescribeVolumes", pages, sortBy(vols, func(v ec2types.Volume) string { return aws.ToString(v.VolumeId) }))
			}

			// Only our own snapshots: public snapshots of others are not our data.
			var snaps []ec2types.Snapshot
			pages = 0
			sp := ec2.NewDescribeSnapshotsPaginator(c, &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}})
			err = nil
			for sp.HasMorePages() && err == nil {
				var page *ec2.DescribeSnapshotsOutput
				if page, err = sp.NextPage(ctx); err == nil {
					pages++
					snaps = append(snaps, page.Snapshots...)
				}
			}
			if err != nil {
				e.failAll([]string{KindSnapshots, KindSnapshotAttr}, "DescribeSnapshots", err)
			} else {
				snaps = sortBy(snaps, func(s ec2types.Snapshot) string { return aws.ToString(s.SnapshotId) })
				e.ok(KindSnapshots, "DescribeSnapshots", pages, snaps)
				attrs := make([]map[string]any, 0, len(snaps))
				for _, s := range snaps {
					out, err := c.DescribeSnapshotAttribute(ctx, &ec2.DescribeSnapshotAttributeInput{
						SnapshotId: s.SnapshotId, Attribute: ec2types.SnapshotAttributeNameCreateVolumePermission})
					if code, ok := isGone(err, "InvalidSnapshot.NotFound"); ok {
						// Deleted since it was listed: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
						attrs = append(attrs, gone("SnapshotId", aws.ToString(s.SnapshotId), code))
						continue
					}
					if err != nil {
						e.fail(KindSnapshotAttr, "DescribeSnapshotAttribute", fmt.Errorf("snapshot %s: %w", aws.ToString(s.SnapshotId), err))
						attrs = nil
						break
					}
					attrs = append(attrs, perResource("SnapshotId", aws.ToString(s.SnapshotId), out))
				}
				if attrs != nil {
					e.ok(KindSnapshotAttr, "DescribeSnapshotAttribute", len(attrs), attrs)
				}
			}

			def, err := c.GetEbsEncryptionByDefault(ctx, &ec2.GetEbsEncryptionByDefaultInput{})
			if err != nil {
				e.fail(KindEBSDefault, "GetEbsEncryptionByDefault", err)
			} else {
				e.ok(KindEBSDefault, "GetEbsEncryptionByDefault", 1, []any{perResource("Region", e.region, def)})
			}
		}}
}

// ec2NetworkTask: VPCs, security groups, instances, flow logs.
func ec2NetworkTask() task {
	return task{service: "ec2", kinds: []string{KindVpcs, KindSecurityGroups, KindInstances, KindFlowLogs},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := ec2.NewFromConfig(cfg)
			pg1 := ec2.NewDescribeVpcsPaginator(c, &ec2.DescribeVpcsInput{})
			vpcs, pages, err := pageAll(ctx, pg1.HasMorePages, pg1.NextPage,
				func(o *ec2.DescribeVpcsOutput) []ec2types.Vpc { return o.Vpcs })
			emit(e, KindVpcs, "DescribeVpcs", pages, err, sortBy(vpcs, func(v ec2types.Vpc) string { return aws.ToString(v.VpcId) }))

			pg2 := ec2.NewDescribeSecurityGroupsPaginator(c, &ec2.DescribeSecurityGroupsInput{})
			sgs, pages, err := pageAll(ctx, pg2.HasMorePages, pg2.NextPage,
				func(o *ec2.DescribeSecurityGroupsOutput) []ec2types.SecurityGroup { return o.SecurityGroups })
			emit(e, KindSecurityGroups, "DescribeSecurityGroups", pages, err, sortBy(sgs, func(v ec2types.SecurityGroup) string { return aws.ToString(v.GroupId) }))

			pg3 := ec2.NewDescribeInstancesPaginator(c, &ec2.DescribeInstancesInput{})
			res, pages, err := pageAll(ctx, pg3.HasMorePages, pg3.NextPage,
				func(o *ec2.DescribeInstancesOutput) []ec2types.Reservation { return o.Reservations })
			var insts []ec2types.Instance
			for _, r := range res {
				insts = append(insts, r.Instances...)
			}
			emit(e, KindInstances, "DescribeInstances", pages, err, sortBy(insts, func(v ec2types.Instance) string { return aws.ToString(v.InstanceId) }))

			pg4 := ec2.NewDescribeFlowLogsPaginator(c, &ec2.DescribeFlowLogsInput{})
			fls, pages, err := pageAll(ctx, pg4.HasMorePages, pg4.NextPage,
				func(o *ec2.DescribeFlowLogsOutput) []ec2types.FlowLog { return o.FlowLogs })
			emit(e, KindFlowLogs, "DescribeFlowLogs", pages, err, sortBy(fls, func(v ec2types.FlowLog) string { return aws.ToString(v.FlowLogId) }))
		}}
}

// ec2ImagesTask: our own AMIs (Owners=self: every public AMI in the region is not evidence),
// who may launch each, and the launch template versions that name them.
func ec2ImagesTask() task {
	return task{service: "ec2", kinds: []string{KindImages, KindImageAttr, KindLaunchTemplates},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := ec2.NewFromConfig(cfg)
			pg5 := ec2.NewDescribeImagesPaginator(c, &ec2.DescribeImagesInput{Owners: []string{"self"}})
			imgs, pages, err := pageAll(ctx, pg5.HasMorePages, pg5.NextPage,
				func(o *ec2.DescribeImagesOutput) []ec2types.Image { return o.Images })
			imgs = sortBy(imgs, func(v ec2types.Image) string { return aws.ToString(v.ImageId) })
			emit(e, KindImages, "DescribeImages", pages, err, imgs)
			if err != nil {
				e.fail(KindImageAttr, "DescribeImages", err)
			} else {
				imageLaunchPermissions(ctx, c, e, imgs)
			}

			pg6 := ec2.NewDescribeLaunchTemplatesPaginator(c, &ec2.DescribeLaunchTemplatesInput{})
			lts, _, err := pageAll(ctx, pg6.HasMorePages, pg6.NextPage,
				func(o *ec2.DescribeLaunchTemplatesOutput) []ec2types.LaunchTemplate { return o.LaunchTemplates })
			if err != nil {
				e.fail(KindLaunchTemplates, "DescribeLaunchTemplates", err)
				return
			}
			var versions []ec2types.LaunchTemplateVersion
			pages = 0
			for _, lt := range sortBy(lts, func(v ec2types.LaunchTemplate) string { return aws.ToString(v.LaunchTemplateId) }) {
				pg7 := ec2.NewDescribeLaunchTemplateVersionsPaginator(c, &ec2.DescribeLaunchTemplateVersionsInput{
					LaunchTemplateId: lt.LaunchTemplateId, Versions: []string{"$Default", "$Latest"}})
				vs, n, err := pageAll(ctx, pg7.HasMorePages, pg7.NextPage,
					func(o *ec2.DescribeLaunchTemplateVersionsOutput) []ec2types.LaunchTemplateVersion {
						return o.LaunchTemplateVersions
					})
				if err != nil {
					e.fail(KindLaunchTemplates, "DescribeLaunchTemplateVersions", fmt.Errorf("launch template %s: %w", aws.ToString(lt.LaunchTemplateId), err))
					return
				}
				pages += n
				for i := range vs {
					// User data often carries secrets (bootstrap tokens, passwords): it is never
					// stored. No control needs it.
					if vs[i].LaunchTemplateData != nil && vs[i].LaunchTemplateData.UserData != nil {
						vs[i].LaunchTemplateData.UserData = aws.String("(removed by shoko: user data is not evidence and may hold secrets)")
					}
				}
				versions = append(versions, vs...)
			}
			e.ok(KindLaunchTemplates, "DescribeLaunchTemplateVersions", pages, versions)
		}}
}

// imageLaunchPermissions reads who may launch each AMI. DescribeImages' Public flag says only
// whether the AMI is public; an AMI shared with named accounts (or an organization or OU) is
// seen only in its launchPermission attribute:
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImageAttribute.html
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LaunchPermission.html
func imageLaunchPermissions(ctx context.Context, c *ec2.Client, e *emitter, imgs []ec2types.Image) {
	attrs := make([]map[string]any, 0, len(imgs))
	for _, img := range imgs {
		id := aws.ToString(img.ImageId)
		out, err := c.DescribeImageAttribute(ctx, &ec2.DescribeImageAttributeInput{ImageId: img.ImageId, Attribute: ec2types.ImageAttributeNameLaunchPermission})
		if code, ok := isGone(err, "InvalidAMIID.NotFound", "InvalidAMIID.Unavailable"); ok {
			// Deregistered since it was listed.
			attrs = append(attrs, gone("ImageId", id, code))
			continue
		}
		if err != nil {
			e.fail(KindImageAttr, "DescribeImageAttribute", fmt.Errorf("image %s: %w", id, err))
			return
		}
		attrs = append(attrs, perResource("ImageId", id, out))
	}
	e.ok(KindImageAttr, "DescribeImageAttribute", len(attrs), attrs)
}
