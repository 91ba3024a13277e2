package aws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// apigatewayTask: the custom domain names of REST APIs (their TLS security policy and
// certificate), the public endpoints API Gateway serves customers on, and the REST APIs
// themselves: an API's own securityPolicy governs its default execute-api endpoint, which
// stays reachable beside a custom domain unless disableExecuteApiEndpoint is set
// (https://docs.aws.amazon.com/apigateway/latest/api/API_RestApi.html,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-security-policies.html).
func apigatewayTask() task {
	return task{service: "apigateway", kinds: []string{KindAPIDomains, KindRestAPIs},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := apigateway.NewFromConfig(cfg)
			p := apigateway.NewGetDomainNamesPaginator(c, &apigateway.GetDomainNamesInput{})
			ds, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *apigateway.GetDomainNamesOutput) []apigwtypes.DomainName { return o.Items })
			emit(e, KindAPIDomains, "GetDomainNames", pages, err, sortBy(ds, func(v apigwtypes.DomainName) string { return aws.ToString(v.DomainName) }))

			rp := apigateway.NewGetRestApisPaginator(c, &apigateway.GetRestApisInput{})
			apis, pages, err := pageAll(ctx, rp.HasMorePages, rp.NextPage, func(o *apigateway.GetRestApisOutput) []apigwtypes.RestApi { return o.Items })
			emit(e, KindRestAPIs, "GetRestApis", pages, err, sortBy(apis, func(v apigwtypes.RestApi) string { return aws.ToString(v.Id) }))
		}}
}
