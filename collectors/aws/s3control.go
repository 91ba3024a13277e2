package aws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
)

// s3controlTask: the account-level S3 Block Public Access settings.
func s3controlTask() task {
	return task{service: "s3control", kinds: []string{KindAccountPAB},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			out, err := s3controlClient(cfg).GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(e.account)})
			if code, ok := isNotConfigured(err, "NoSuchPublicAccessBlockConfiguration"); ok {
				e.ok(KindAccountPAB, "GetPublicAccessBlock", 1, []any{notConfigured("AccountId", e.account, code)})
				return
			}
			if err != nil {
				e.fail(KindAccountPAB, "GetPublicAccessBlock", err)
				return
			}
			e.ok(KindAccountPAB, "GetPublicAccessBlock", 1, []any{perResource("AccountId", e.account, out)})
		}}
}
