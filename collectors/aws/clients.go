package aws

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
	"github.com/aws/smithy-go/middleware"

	"github.com/shoko-audit/shoko/evidence"
)

// baseConfig loads the base credentials the way AWS users expect: the default chain or a
// profile, AWS_ENDPOINT_URL(_<SERVICE>) honoured by the SDK, adaptive retries.
func (c *Collector) baseConfig(ctx context.Context) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(c.Opts.HomeRegion),
		config.WithRetryer(func() aws.Retryer {
			// Adaptive mode backs off on throttling across all calls of a client, which is
			// what a scan of many regions needs; max attempts bounds a dead endpoint.
			return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
				o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
					so.MaxAttempts = c.Opts.MaxAttempts
					so.MaxBackoff = 5 * time.Second
				})
			})
		}),
	}
	return c.loadConfig(ctx, opts)
}

// loadConfig loads the SDK configuration with opts plus what every use shares: the configured
// profile and endpoint (the audit's and the preflight's clients differ only in retries,
// timeouts and logging).
func (c *Collector) loadConfig(ctx context.Context, opts []func(*config.LoadOptions) error) (aws.Config, error) {
	if c.Opts.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.Opts.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration (profile %q): %w", c.Opts.Profile, err)
	}
	if c.Opts.EndpointURL != "" {
		cfg.BaseEndpoint = aws.String(c.Opts.EndpointURL)
	}
	return cfg, nil
}

// accountConfig returns the configuration for auditing one account: the base credentials, or
// a role assumed from them, plus the operation recorder. The recorder is added after the
// AssumeRole client is made, so sts:AssumeRole (a call in the auditor's own account) is not
// counted among the audited account's read permissions.
func (c *Collector) accountConfig(base aws.Config, acct Account) aws.Config {
	cfg := base.Copy()
	if acct.RoleARN != "" {
		stsClient := sts.NewFromConfig(base)
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient, acct.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = "shoko-audit"
			if acct.ExternalID != "" {
				o.ExternalID = aws.String(acct.ExternalID)
			}
		}))
	}
	cfg.APIOptions = append([]func(*middleware.Stack) error(nil), cfg.APIOptions...)
	cfg.APIOptions = append(cfg.APIOptions, callTimeout(c.Opts.CallTimeout), attemptTimeout(c.Opts.AttemptTimeout), recordRequestIDs)
	if c.Opts.Recorder != nil {
		cfg.APIOptions = append(cfg.APIOptions, c.Opts.Recorder.middlewareFor(acct.RoleARN))
	}
	return cfg
}

// callTimeout bounds every operation, retries included, so one hung endpoint cannot hold a
// region's whole task (which has its own, longer, timeout).
func callTimeout(d time.Duration) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("shoko-call-timeout",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				ctx, cancel := context.WithTimeout(ctx, d)
				defer cancel()
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
	}
}

// attemptTimeout bounds each attempt of an operation. It sits after the retry middleware, so it
// runs once per attempt. When only the attempt's deadline passed (the call's own context is still
// live), the error is replaced by an attemptTimeoutError: smithy reports a deadline on the request's
// context as "canceled", which the retryer never retries, while a stalled connection is exactly
// what a retry is for.
func attemptTimeout(d time.Duration) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("shoko-attempt-timeout",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				attemptCtx, cancel := context.WithTimeout(ctx, d)
				defer cancel()
				out, md, err := next.HandleFinalize(attemptCtx, in)
				if err != nil && ctx.Err() == nil && errors.Is(attemptCtx.Err(), context.DeadlineExceeded) {
					err = &attemptTimeoutError{after: d}
				}
				return out, md, err
			}), "Retry", middleware.After)
	}
}

// attemptTimeoutError is one attempt that got no answer in time; the retryer treats it as a
// retryable timeout (it has Timeout() and is not a canceled error).
type attemptTimeoutError struct{ after time.Duration }

func (e *attemptTimeoutError) Error() string {
	return fmt.Sprintf("no answer within %s (attempt timed out)", e.after)
}

func (e *attemptTimeoutError) Timeout() bool { return true }

// accounts lists the accounts to audit: the configured ones, every active account of the
// organization through OrganizationRole, or the caller's own account. In organization mode it
// also returns the organization's account list as evidence (ok, scoped to the management
// account), which PII-01 reads as "inside the organization"; member accounts cannot list it.
func (c *Collector) accounts(ctx context.Context, base aws.Config, now time.Time) ([]Account, *evidence.Item) {
	if c.Opts.OrganizationRole == "" {
		if len(c.Opts.Accounts) == 0 {
			return []Account{{}}, nil
		}
		return c.Opts.Accounts, nil
	}
	cfg := c.accountConfig(base, Account{})
	// Without the list only the configured accounts are audited; the error item makes the
	// controls that need the organization error.
	fail := func(error) []Account { return c.Opts.Accounts }
	management, err := c.identify(ctx, cfg)
	if err != nil {
		it := newError(KindOrgAccounts, "organization", GlobalRegion, now, "ListAccounts", fmt.Errorf("identify the management account: %w", err))
		return fail(err), &it
	}
	client := organizations.NewFromConfig(cfg)
	var accts []orgtypes.Account
	var pages int
	passes, err := c.callTwice(ctx, "organization accounts", func() (err error) {
		p := organizations.NewListAccountsPaginator(client, &organizations.ListAccountsInput{})
		accts, pages, err = pageAll(ctx, p.HasMorePages, p.NextPage, func(o *organizations.ListAccountsOutput) []orgtypes.Account { return o.Accounts })
		return err
	})
	if err != nil {
		it := newError(KindOrgAccounts, management, GlobalRegion, now, "ListAccounts", fmt.Errorf("list organization accounts: %w", err))
		it.Request.Attempts = attemptsField(passes)
		return fail(err), &it
	}
	e := &emitter{account: management, region: GlobalRegion, now: now, opts: &c.Opts}
	e.ok(KindOrgAccounts, "ListAccounts", pages, sortBy(accts, func(a orgtypes.Account) string { return aws.ToString(a.Id) }))
	e.items[0].Request.Attempts = attemptsField(passes)
	out := append([]Account(nil), c.Opts.Accounts...)
	seen := map[string]bool{}
	for _, a := range out {
		seen[a.ID] = true
	}
	for _, a := range accts {
		id := aws.ToString(a.Id)
		if a.Status != orgtypes.AccountStatusActive || seen[id] {
			continue
		}
		out = append(out, Account{ID: id, RoleARN: fmt.Sprintf("arn:aws:iam::%s:role/%s", id, c.Opts.OrganizationRole)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, &e.items[0]
}

// callerAccount reads the account id of the credentials.
func callerAccount(ctx context.Context, cfg aws.Config) (string, error) {
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Account), nil
}

// localEndpoint reports whether the S3 endpoint is a custom one (moto, MinIO): those need
// path-style addressing, since bucket.127.0.0.1 does not resolve.
func localEndpoint(cfg aws.Config) (string, bool) {
	for _, v := range []string{os.Getenv("AWS_ENDPOINT_URL_S3"), aws.ToString(cfg.BaseEndpoint)} {
		if v != "" {
			return v, true
		}
	}
	return "", false
}

func s3Client(cfg aws.Config) *s3.Client {
	_, local := localEndpoint(cfg)
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = local })
}

// s3controlClient prefixes the host with the account id on AWS (123456789012.s3-control…);
// against a local endpoint that host does not exist, so the endpoint is used as given.
func s3controlClient(cfg aws.Config) *s3control.Client {
	ep, local := localEndpoint(cfg)
	if v := os.Getenv("AWS_ENDPOINT_URL_S3_CONTROL"); v != "" {
		ep, local = v, true
	}
	return s3control.NewFromConfig(cfg, func(o *s3control.Options) {
		if local {
			o.EndpointResolverV2 = fixedEndpoint(ep)
		}
	})
}

type fixedEndpoint string

func (f fixedEndpoint) ResolveEndpoint(ctx context.Context, _ s3control.EndpointParameters) (smithyendpoints.Endpoint, error) {
	u, err := url.Parse(string(f))
	if err != nil {
		return smithyendpoints.Endpoint{}, fmt.Errorf("s3control endpoint %q: %w", string(f), err)
	}
	return smithyendpoints.Endpoint{URI: *u}, nil
}

// Recorder notes every AWS operation the collector calls, as the IAM action it needs. The
// IAM policy test compares this set with docs/iam-policy.json. It also keeps each call, with its
// input, so a benchmark can make exactly the same calls again without shoko (see Calls).
type Recorder struct {
	mu      sync.Mutex
	actions map[string]bool
	calls   []Call
}

// Call is one operation the collector called (once per call, not per attempt): the account's
// role ARN ("" for the base credentials), the client's region, the SDK service id and operation
// name, and the SDK input it was called with (page tokens included).
type Call struct {
	RoleARN, Region, ServiceID, Operation string
	Input                                 any
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder { return &Recorder{actions: map[string]bool{}} }

// Actions returns the IAM actions recorded, sorted.
func (r *Recorder) Actions() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.actions))
	for a := range r.actions {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Calls returns the calls recorded, in the order they were made.
func (r *Recorder) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Call(nil), r.calls...)
}

func (r *Recorder) middlewareFor(roleARN string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("shoko-record-operation",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				svc, op := awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx)
				r.mu.Lock()
				r.actions[IAMAction(svc, op)] = true
				r.calls = append(r.calls, Call{RoleARN: roleARN, Region: awsmiddleware.GetRegion(ctx), ServiceID: svc, Operation: op, Input: in.Parameters})
				r.mu.Unlock()
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	}
}

// iamPrefix maps the SDK's service id to the IAM action prefix.
var iamPrefix = map[string]string{
	"ACM": "acm", "Auto Scaling": "autoscaling", "Backup": "backup", "CloudFront": "cloudfront",
	"CloudTrail": "cloudtrail", "CloudWatch": "cloudwatch", "CloudWatch Logs": "logs",
	"DynamoDB": "dynamodb", "EC2": "ec2", "Elastic Load Balancing v2": "elasticloadbalancing",
	"GuardDuty": "guardduty", "IAM": "iam", "KMS": "kms", "Network Firewall": "network-firewall",
	"Organizations": "organizations", "RDS": "rds", "S3": "s3", "S3 Control": "s3",
	"Secrets Manager": "secretsmanager", "STS": "sts",
}

// iamRenamed lists operations whose IAM action has another name than the API operation.
var iamRenamed = map[string]string{
	"S3/ListBuckets":                         "s3:ListAllMyBuckets",
	"S3/GetBucketEncryption":                 "s3:GetEncryptionConfiguration",
	"S3/GetBucketLifecycleConfiguration":     "s3:GetLifecycleConfiguration",
	"S3/GetObjectLockConfiguration":          "s3:GetBucketObjectLockConfiguration",
	"S3/ListObjectsV2":                       "s3:ListBucket",
	"S3/ListObjectVersions":                  "s3:ListBucketVersions",
	"S3/HeadBucket":                          "s3:ListBucket", // https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html
	"S3/GetPublicAccessBlock":                "s3:GetBucketPublicAccessBlock",
	"S3 Control/GetPublicAccessBlock":        "s3:GetAccountPublicAccessBlock",
	"CloudFront/ListDistributions":           "cloudfront:ListDistributions",
	"Backup/ListRecoveryPointsByBackupVault": "backup:ListRecoveryPointsByBackupVault",
}

// IAMAction is the IAM action an SDK operation needs.
func IAMAction(serviceID, operation string) string {
	// API Gateway's IAM actions are HTTP methods on resource paths: every read is apigateway:GET.
	if serviceID == "API Gateway" && strings.HasPrefix(operation, "Get") {
		return "apigateway:GET"
	}
	if a, ok := iamRenamed[serviceID+"/"+operation]; ok {
		return a
	}
	p, ok := iamPrefix[serviceID]
	if !ok {
		p = strings.ToLower(strings.ReplaceAll(serviceID, " ", ""))
	}
	return p + ":" + operation
}
