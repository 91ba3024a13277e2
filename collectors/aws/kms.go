package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// kmsTask: every key's metadata, rotation status (customer-managed symmetric keys whose key
// material KMS generated: the only keys AWS rotates automatically), key policy, and the aliases.
func kmsTask() task {
	kinds := []string{KindKeys, KindKeyRotation, KindKeyPolicy}
	return task{service: "kms", kinds: append(kinds, KindAliases),
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := kms.NewFromConfig(cfg)
			// The aliases are a list of their own: its failure is its kind's alone.
			kmsAliases(ctx, c, e)
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
				// gone is the NotFound code when the key was deleted between ListKeys and a
				// call about it (https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html, Errors).
				gone string
			}
			answers := make([]keyAnswers, len(keys))
			e.each(len(keys), func(i int) {
				k, a := keys[i], &answers[i]
				d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})
				if code, ok := isGone(err, "NotFoundException"); ok {
					a.gone = code
					return
				}
				if err != nil {
					a.describeErr = fmt.Errorf("key %s: %w", aws.ToString(k.KeyArn), err)
					return
				}
				a.meta = d.KeyMetadata
				arn := aws.ToString(a.meta.Arn)
				// Automatic rotation exists only for symmetric keys whose material KMS made (Origin
				// AWS_KMS): not for imported material (EXTERNAL) nor custom key stores (AWS_CLOUDHSM,
				// EXTERNAL_KEY_STORE): https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html
				if a.meta.KeyManager == kmstypes.KeyManagerTypeCustomer && a.meta.KeySpec == kmstypes.KeySpecSymmetricDefault &&
					a.meta.Origin == kmstypes.OriginTypeAwsKms && a.meta.KeyState != kmstypes.KeyStatePendingDeletion {
					if r, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: k.KeyId}); isNotFound(err) {
						a.gone = errorCode(err)
						return
					} else if err != nil {
						a.rotErr = fmt.Errorf("key %s: %w", arn, err)
					} else {
						a.rot = perResource("KeyArn", arn, r)
					}
				}
				if a.meta.KeyManager == kmstypes.KeyManagerTypeCustomer {
					if pol, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: k.KeyId, PolicyName: aws.String("default")}); isNotFound(err) {
						a.gone, a.rot = errorCode(err), nil
						return
					} else if err != nil {
						a.polErr = fmt.Errorf("key %s: %w", arn, err)
					} else {
						a.pol = perResource("KeyArn", arn, pol)
					}
				}
			})
			// In key order, the first failure of each call decides, as one call after another did;
			// a failed rotation or policy call fails those kinds only, never the key list.
			metas := []any{}
			rot := []map[string]any{}
			pols := []map[string]any{}
			var rotFailed error
			rotOp := ""
			for i, a := range answers {
				if a.gone != "" {
					// The key was deleted in between: recorded as gone, nothing else about it.
					g := gone("KeyId", aws.ToString(keys[i].KeyId), a.gone)
					g["Arn"] = aws.ToString(keys[i].KeyArn)
					metas = append(metas, g)
					continue
				}
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

// isNotFound reports KMS's answer for a key that no longer exists.
func isNotFound(err error) bool {
	_, ok := isGone(err, "NotFoundException")
	return ok
}

// kmsAliases lists the region's aliases with the key each points at, so that a key named as
// "alias/…" or by alias ARN (an S3 bucket's default encryption may be) can be resolved:
// https://docs.aws.amazon.com/kms/latest/APIReference/API_ListAliases.html
func kmsAliases(ctx context.Context, c *kms.Client, e *emitter) {
	p := kms.NewListAliasesPaginator(c, &kms.ListAliasesInput{})
	as, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *kms.ListAliasesOutput) []kmstypes.AliasListEntry { return o.Aliases })
	emit(e, KindAliases, "ListAliases", pages, err, sortBy(as, func(a kmstypes.AliasListEntry) string { return aws.ToString(a.AliasArn) }))
}
