package aws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// apigatewayTask: the custom domain names of REST APIs (their TLS security policy and
// certificate), the public endpoints API Gateway serves customers on.
func apigatewayTask() task {
	return task{service: "apigateway", kinds: []string{KindAPIDomains},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := apigateway.NewFromConfig(cfg)
			p := apigateway.NewGetDomainNamesPaginator(c, &apigateway.GetDomainNamesInput{})
			ds, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *apigateway.GetDomainNamesOutput) []apigwtypes.DomainName { return o.Items })
			emit(e, KindAPIDomains, "GetDomainNames", pages, err, sortBy(ds, func(v apigwtypes.DomainName) string { return aws.ToString(v.DomainName) }))
		}}
}
