package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// kmsTask: every key's metadata, rotation status (customer-managed symmetric keys only: AWS
// rejects the call for others) and key policy.
func kmsTask() task {
	kinds := []string{KindKeys, KindKeyRotation, KindKeyPolicy}
	return task{service: "kms", kinds: kinds,
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := kms.NewFromConfig(cfg)
			p := kms.NewListKeysPaginator(c, &kms.ListKeysInput{})
			keys, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *kms.ListKeysOutput) []kmstypes.KeyListEntry { return o.Keys })
			if err != nil {
				e.failAll(kinds, "ListKeys", err)
				return
			}
			keys = sortBy(keys, func(k kmstypes.KeyListEntry) string { return aws.ToString(k.KeyArn) })
			metas := []kmstypes.KeyMetadata{}
			rot := []map[string]any{}
			pols := []map[string]any{}
			for _, k := range keys {
				d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})
				if err != nil {
					e.failAll(kinds, "DescribeKey", fmt.Errorf("key %s: %w", aws.ToString(k.KeyArn), err))
					return
				}
				m := d.KeyMetadata
				metas = append(metas, *m)
				arn := aws.ToString(m.Arn)
				if m.KeyManager == kmstypes.KeyManagerTypeCustomer && m.KeySpec == kmstypes.KeySpecSymmetricDefault && m.KeyState != kmstypes.KeyStatePendingDeletion {
					r, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: k.KeyId})
					if err != nil {
						e.failAll([]string{KindKeyRotation, KindKeyPolicy}, "GetKeyRotationStatus", fmt.Errorf("key %s: %w", arn, err))
						e.ok(KindKeys, "ListKeys+DescribeKey", pages, metas)
						return
					}
					rot = append(rot, perResource("KeyArn", arn, r))
				}
				if m.KeyManager == kmstypes.KeyManagerTypeCustomer {
					pol, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: k.KeyId, PolicyName: aws.String("default")})
					if err != nil {
						e.failAll([]string{KindKeyRotation, KindKeyPolicy}, "GetKeyPolicy", fmt.Errorf("key %s: %w", arn, err))
						e.ok(KindKeys, "ListKeys+DescribeKey", pages, metas)
						return
					}
					pols = append(pols, perResource("KeyArn", arn, pol))
				}
			}
			e.ok(KindKeys, "ListKeys+DescribeKey", pages, metas)
			e.ok(KindKeyRotation, "GetKeyRotationStatus", len(rot), rot)
			e.ok(KindKeyPolicy, "GetKeyPolicy", len(pols), pols)
		}}
}
