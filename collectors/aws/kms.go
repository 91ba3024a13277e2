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
			// Per key: DescribeKey, then GetKeyRotationStatus (customer symmetric keys not pending
			// deletion) and GetKeyPolicy (customer keys), keys side by side within the limit.
			type keyAnswers struct {
				meta           *kmstypes.KeyMetadata
				rot, pol       map[string]any
				describeErr    error
				rotErr, polErr error
			}
			answers := make([]keyAnswers, len(keys))
			e.each(len(keys), func(i int) {
				k, a := keys[i], &answers[i]
				d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})
				if err != nil {
					a.describeErr = fmt.Errorf("key %s: %w", aws.ToString(k.KeyArn), err)
					return
				}
				a.meta = d.KeyMetadata
				arn := aws.ToString(a.meta.Arn)
				if a.meta.KeyManager == kmstypes.KeyManagerTypeCustomer && a.meta.KeySpec == kmstypes.KeySpecSymmetricDefault && a.meta.KeyState != kmstypes.KeyStatePendingDeletion {
					if r, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: k.KeyId}); err != nil {
						a.rotErr = fmt.Errorf("key %s: %w", arn, err)
					} else {
						a.rot = perResource("KeyArn", arn, r)
					}
				}
				if a.meta.KeyManager == kmstypes.KeyManagerTypeCustomer {
					if pol, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: k.KeyId, PolicyName: aws.String("default")}); err != nil {
						a.polErr = fmt.Errorf("key %s: %w", arn, err)
					} else {
						a.pol = perResource("KeyArn", arn, pol)
					}
				}
			})
			// In key order, the first failure of each call decides, as one call after another did;
			// a failed rotation or policy call fails those kinds only, never the key list.
			metas := []kmstypes.KeyMetadata{}
			rot := []map[string]any{}
			pols := []map[string]any{}
			var rotFailed error
			rotOp := ""
			for _, a := range answers {
				if a.describeErr != nil {
					e.failAll(kinds, "DescribeKey", a.describeErr)
					return
				}
				metas = append(metas, *a.meta)
				switch {
				case rotFailed != nil:
				case a.rotErr != nil:
					rotFailed, rotOp = a.rotErr, "GetKeyRotationStatus"
				case a.polErr != nil:
					rotFailed, rotOp = a.polErr, "GetKeyPolicy"
				}
				if a.rot != nil {
					rot = append(rot, a.rot)
				}
				if a.pol != nil {
					pols = append(pols, a.pol)
				}
			}
			if rotFailed != nil {
				e.ok(KindKeys, "ListKeys+DescribeKey", pages, metas)
				e.failAll([]string{KindKeyRotation, KindKeyPolicy}, rotOp, rotFailed)
				return
			}
			e.ok(KindKeys, "ListKeys+DescribeKey", pages, metas)
			e.ok(KindKeyRotation, "GetKeyRotationStatus", len(rot), rot)
			e.ok(KindKeyPolicy, "GetKeyPolicy", len(pols), pols)
		}}
}
