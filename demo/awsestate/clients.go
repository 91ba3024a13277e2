package awsestate

import (
	"context"
	"io"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
)

var smRules = smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

// The estate is always built against a local endpoint (moto): path-style S3, and s3control
// without the account-id host prefix.
func s3Client(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

type fixed string

func (f fixed) ResolveEndpoint(context.Context, s3control.EndpointParameters) (smithyendpoints.Endpoint, error) {
	u, err := url.Parse(string(f))
	if err != nil {
		return smithyendpoints.Endpoint{}, err
	}
	return smithyendpoints.Endpoint{URI: *u}, nil
}

func s3controlClient(cfg aws.Config) *s3control.Client {
	return s3control.NewFromConfig(cfg, func(o *s3control.Options) { o.EndpointResolverV2 = fixed(aws.ToString(cfg.BaseEndpoint)) })
}
