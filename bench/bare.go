package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/networkfirewall"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithy "github.com/aws/smithy-go"
	smithyendpoints "github.com/aws/smithy-go/endpoints"

	shokoaws "github.com/shoko-audit/shoko/collectors/aws"
)

// newClient makes the SDK client of a service (by its SDK service id) as a plain program would:
// from the config, with path-style S3 and the s3control endpoint as given (a local endpoint).
func newClient(serviceID string, cfg aws.Config) (any, error) {
	switch serviceID {
	case "ACM":
		return acm.NewFromConfig(cfg), nil
	case "API Gateway":
		return apigateway.NewFromConfig(cfg), nil
	case "Auto Scaling":
		return autoscaling.NewFromConfig(cfg), nil
	case "Backup":
		return backup.NewFromConfig(cfg), nil
	case "CloudFront":
		return cloudfront.NewFromConfig(cfg), nil
	case "CloudTrail":
		return cloudtrail.NewFromConfig(cfg), nil
	case "CloudWatch":
		return cloudwatch.NewFromConfig(cfg), nil
	case "CloudWatch Logs":
		return cloudwatchlogs.NewFromConfig(cfg), nil
	case "DynamoDB":
		return dynamodb.NewFromConfig(cfg), nil
	case "EC2":
		return ec2.NewFromConfig(cfg), nil
	case "Elastic Load Balancing v2":
		return elb.NewFromConfig(cfg), nil
	case "GuardDuty":
		return guardduty.NewFromConfig(cfg), nil
	case "IAM":
		return iam.NewFromConfig(cfg), nil
	case "KMS":
		return kms.NewFromConfig(cfg), nil
	case "Network Firewall":
		return networkfirewall.NewFromConfig(cfg), nil
	case "Organizations":
		return organizations.NewFromConfig(cfg), nil
	case "RDS":
		return rds.NewFromConfig(cfg), nil
	case "S3":
		return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), nil
	case "S3 Control":
		return s3control.NewFromConfig(cfg, func(o *s3control.Options) { o.EndpointResolverV2 = fixedEndpoint(aws.ToString(cfg.BaseEndpoint)) }), nil
	case "Secrets Manager":
		return secretsmanager.NewFromConfig(cfg), nil
	case "STS":
		return sts.NewFromConfig(cfg), nil
	}
	return nil, fmt.Errorf("bare loop: no client for service %q", serviceID)
}

type fixedEndpoint string

func (f fixedEndpoint) ResolveEndpoint(context.Context, s3control.EndpointParameters) (smithyendpoints.Endpoint, error) {
	u, err := url.Parse(string(f))
	if err != nil {
		return smithyendpoints.Endpoint{}, err
	}
	return smithyendpoints.Endpoint{URI: *u}, nil
}

// bareLoop makes the recorded calls again with plain SDK clients, conc at a time, and discards
// the answers: no evidence, no sorting, no evaluation. Each call is the recorded operation with
// the recorded input (page tokens included), in the recorded account and region; a role's
// credentials come from a credentials cache (one sts:AssumeRole, as in shoko). Clients are made
// on first use, inside the timing, one per account, region and service. Calls run in the order
// recorded but without waiting for one another, so the loop does not wait for a page before
// asking the next one, as no real program could: it is a floor, not a rival implementation.
// Error answers (a bucket without a policy…) are counted by code, not failures.
func bareLoop(ctx context.Context, base aws.Config, calls []shokoaws.Call, conc int) (time.Duration, map[string]int, error) {
	start := time.Now()
	type key struct{ role, region, service string }
	var (
		mu      sync.Mutex
		clients = map[key]reflect.Value{}
		creds   = map[string]aws.CredentialsProvider{}
		errs    = map[string]int{}
		fatal   error
	)
	client := func(c shokoaws.Call) (reflect.Value, error) {
		mu.Lock()
		defer mu.Unlock()
		k := key{c.RoleARN, c.Region, c.ServiceID}
		if v, ok := clients[k]; ok {
			return v, nil
		}
		cfg := base.Copy()
		cfg.Region = c.Region
		if c.RoleARN != "" {
			p, ok := creds[c.RoleARN]
			if !ok {
				p = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), c.RoleARN, func(o *stscreds.AssumeRoleOptions) {
					o.RoleSessionName = "shoko-audit"
					o.ExternalID = aws.String(external2)
				}))
				creds[c.RoleARN] = p
			}
			cfg.Credentials = p
		}
		cl, err := newClient(c.ServiceID, cfg)
		if err != nil {
			return reflect.Value{}, err
		}
		clients[k] = reflect.ValueOf(cl)
		return clients[k], nil
	}
	work := make(chan shokoaws.Call)
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				cl, err := client(c)
				if err == nil {
					m := cl.MethodByName(c.Operation)
					if !m.IsValid() {
						err = fmt.Errorf("bare loop: %s has no operation %s", c.ServiceID, c.Operation)
					} else {
						out := m.Call([]reflect.Value{reflect.ValueOf(ctx), reflect.ValueOf(c.Input)})
						if e, _ := out[1].Interface().(error); e != nil {
							var api smithy.APIError
							if errors.As(e, &api) {
								mu.Lock()
								errs[c.ServiceID+"/"+c.Operation+" "+api.ErrorCode()]++
								mu.Unlock()
								continue
							}
							err = fmt.Errorf("%s/%s in %s: %w", c.ServiceID, c.Operation, c.Region, e)
						}
					}
				}
				if err != nil {
					mu.Lock()
					if fatal == nil {
						fatal = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, c := range calls {
		work <- c
	}
	close(work)
	wg.Wait()
	return time.Since(start), errs, fatal
}

func sortedCounts(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s×%d", k, v))
	}
	sort.Strings(out)
	return out
}
