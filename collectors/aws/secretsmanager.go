package aws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// secretsManagerTask: every secret's metadata (RotationEnabled); never a secret value.
func secretsManagerTask() task {
	return task{service: "secretsmanager", kinds: []string{KindSecrets},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := secretsmanager.NewFromConfig(cfg)
			p := secretsmanager.NewListSecretsPaginator(c, &secretsmanager.ListSecretsInput{})
			ss, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *secretsmanager.ListSecretsOutput) []smtypes.SecretListEntry { return o.SecretList })
			emit(e, KindSecrets, "ListSecrets", pages, err, sortBy(ss, func(v smtypes.SecretListEntry) string { return aws.ToString(v.ARN) }))
		}}
}
