package aws

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"

	"github.com/shoko-audit/shoko/collectors/preflight"
)

// The preflight must fail fast. Without credentials the SDK's chain ends at the EC2 instance
// metadata service, which off EC2 does not answer: with the SDK's defaults that costs retries,
// and a warning per client. So the preflight makes one attempt per call, gives each HTTP request
// preflightRequestTimeout and the identity check as a whole preflightIdentityTimeout, and logs
// nothing through the SDK: the one line it prints says what happened.
const (
	preflightRequestTimeout  = 1500 * time.Millisecond
	preflightIdentityTimeout = 4 * time.Second
	preflightCallTimeout     = 10 * time.Second
)

// credentialChain names where the SDK looks for credentials, in its order, for the message
// when it finds none.
const credentialChain = "the AWS SDK's default credential chain (environment AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, " +
	"web identity, the shared config and credentials files (~/.aws/config, ~/.aws/credentials) for AWS_PROFILE or the default profile, " +
	"SSO, container credentials, EC2 instance metadata)"

// Preflight proves access with the cheapest reads: the caller identity of the base credentials,
// each account's role assumption (and that it lands in the configured account), and in every
// region of the collection's scope one ec2:DescribeRegions, which says whether the region is
// enabled and whether a service control policy denies it, and in the home region the first read
// call of each collector task (preflightServices), which says which IAM actions the audit role
// lacks. Only calls of docs/iam-policy.json are made.
func (c *Collector) Preflight(ctx context.Context) []preflight.Check {
	base, err := c.preflightConfig(ctx)
	if err != nil {
		return []preflight.Check{preflight.Unreachable("aws", "configuration", err.Error(), "correct aws.profile or the AWS_* environment variables")}
	}
	// The base credentials first: without them nothing else can be asked, and one line says so.
	ictx, cancel := context.WithTimeout(ctx, preflightIdentityTimeout)
	_, err = base.Credentials.Retrieve(ictx)
	cancel()
	if err != nil {
		where := credentialChain
		fix := "set AWS_PROFILE (or aws.profile) to a profile with credentials, run `aws sso login`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
		if c.Opts.Profile != "" {
			// A named profile fails for a reason worth reading (an expired SSO session, a role
			// it cannot assume); the default chain's error is only the last link's, IMDS.
			where = fmt.Sprintf("profile %q of the shared config and credentials files (%s)", c.Opts.Profile, shorten(err.Error(), 200))
			fix = fmt.Sprintf("check profile %q in ~/.aws/config and ~/.aws/credentials (or run `aws sso login --profile %s`)", c.Opts.Profile, c.Opts.Profile)
		}
		return []preflight.Check{preflight.Unreachable("aws", "caller identity",
			fmt.Sprintf("no AWS credentials found in %s; role assumption and regions not checked", where), fix)}
	}
	ictx, cancel = context.WithTimeout(ctx, preflightIdentityTimeout)
	id, arn, err := callerIdentity(ictx, base)
	cancel()
	if err != nil {
		return []preflight.Check{preflight.Unreachable("aws", "caller identity", "sts:GetCallerIdentity: "+markSCP(err).Error()+"; role assumption and regions not checked",
			"renew the credentials (expired or revoked keys, an ended SSO session) and check the network path to STS")}
	}
	// The short request timeout was for the metadata service; the credentials are now cached,
	// and the calls that follow (a first EC2 call may take seconds) get the call timeout.
	if bc, ok := base.HTTPClient.(*awshttp.BuildableClient); ok {
		base.HTTPClient = bc.WithTimeout(preflightCallTimeout)
	}
	out := []preflight.Check{preflight.Pass("aws", "caller identity", fmt.Sprintf("%s (account %s)", arn, id))}
	accounts := c.Opts.Accounts
	if len(accounts) == 0 {
		accounts = []Account{{}}
	}
	if c.Opts.OrganizationRole != "" {
		out = append(out, preflight.Noted("aws", "organization", fmt.Sprintf("the accounts listed by organizations:ListAccounts are audited through role %s; only the configured accounts are checked here", c.Opts.OrganizationRole)))
	}
	for _, acct := range accounts {
		out = append(out, c.preflightAccount(ctx, base, acct, id, arn)...)
	}
	return out
}

// preflightConfig is the base configuration for the preflight: as the audit's (profile, home
// region, endpoints), but with one attempt per call, short HTTP timeouts and no SDK logging.
func (c *Collector) preflightConfig(ctx context.Context) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(c.Opts.HomeRegion),
		config.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }),
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(preflightRequestTimeout)),
		config.WithLogger(logging.Nop{}),
	}
	return c.loadConfig(ctx, opts)
}

// callerIdentity reads the account id and ARN of the credentials.
func callerIdentity(ctx context.Context, cfg aws.Config) (string, string, error) {
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", "", err
	}
	return aws.ToString(out.Account), aws.ToString(out.Arn), nil
}

// preflightAccount checks one account: the role assumed (when one is configured) into the
// configured account, then its regions and the first call of each service (baseID and baseARN
// are the caller identity of the base credentials).
func (c *Collector) preflightAccount(ctx context.Context, base aws.Config, acct Account, baseID, baseARN string) []preflight.Check {
	cfg := c.accountConfig(base, acct)
	label := "account " + acct.ID
	if acct.ID == "" {
		label = "account of the credentials"
	}
	if acct.RoleARN != "" {
		actx, cancel := context.WithTimeout(ctx, preflightCallTimeout)
		id, _, err := callerIdentity(actx, cfg)
		cancel()
		switch {
		case err != nil:
			return []preflight.Check{preflight.Unreachable("aws", label, fmt.Sprintf("assume %s: %v; regions not checked", acct.RoleARN, markSCP(err)),
				"let the caller assume the role (its trust policy names the caller and the external id, if any) and check aws.accounts[].role_arn and external_id")}
		case acct.ID != "" && id != acct.ID:
			return []preflight.Check{preflight.Unreachable("aws", label, fmt.Sprintf("role %s belongs to account %s, not %s", acct.RoleARN, id, acct.ID),
				"correct aws.accounts[].id or role_arn so they name the same account")}
		}
		label = "account " + id
		c.Opts.Log.Debug("preflight: role assumed", "role", acct.RoleARN, "account", id)
		return append([]preflight.Check{preflight.Pass("aws", label, "role "+acct.RoleARN+" assumed")}, c.preflightRegionsAndServices(ctx, cfg, id, acct.RoleARN, label)...)
	}
	if acct.ID != "" {
		actx, cancel := context.WithTimeout(ctx, preflightCallTimeout)
		id, _, err := callerIdentity(actx, cfg)
		cancel()
		if err == nil && id != acct.ID {
			return []preflight.Check{preflight.Unreachable("aws", label, fmt.Sprintf("the credentials belong to account %s", id),
				"give aws.accounts[].role_arn to reach the account, or correct its id")}
		}
	}
	return c.preflightRegionsAndServices(ctx, cfg, baseID, baseARN, label)
}

// preflightRegionsAndServices checks the regions, then, unless the home region cannot be
// reached at all, the services in it.
func (c *Collector) preflightRegionsAndServices(ctx context.Context, cfg aws.Config, account, role, label string) []preflight.Check {
	out := c.preflightRegions(ctx, cfg, label)
	if preflight.AccessFailures(out) > 0 {
		return out
	}
	return append(out, c.preflightServices(ctx, cfg, account, role, label)...)
}

// preflightRegions lists the regions (ec2:DescribeRegions AllRegions in the home region), then
// asks once in each region of the collection's scope. One line says which regions answer; one
// line per kind of refusal lists the regions refused that way (a region-deny SCP closes many
// regions at once, and twenty identical lines would hide the one that matters).
func (c *Collector) preflightRegions(ctx context.Context, cfg aws.Config, label string) []preflight.Check {
	home := cfg.Copy()
	home.Region = c.Opts.HomeRegion
	rctx, cancel := context.WithTimeout(ctx, preflightCallTimeout)
	list, err := ec2.NewFromConfig(home).DescribeRegions(rctx, &ec2.DescribeRegionsInput{AllRegions: aws.Bool(true)})
	cancel()
	if err != nil {
		return []preflight.Check{preflight.Unreachable("aws", label+" regions", fmt.Sprintf("ec2:DescribeRegions in %s: %v", c.Opts.HomeRegion, markSCP(err)),
			"check the network path to EC2 in aws.home_region, and attach docs/iam-policy.json to the audit role (it allows ec2:DescribeRegions)")}
	}
	enabled := map[string]bool{}
	for _, r := range list.Regions {
		if s := aws.ToString(r.OptInStatus); s == "opt-in-not-required" || s == "opted-in" {
			enabled[aws.ToString(r.RegionName)] = true
		}
	}
	var out []preflight.Check
	scope := c.Opts.Regions
	if len(scope) == 0 {
		for r := range enabled {
			scope = append(scope, r)
		}
	}
	sort.Strings(scope)
	var ask, disabled []string
	for _, r := range scope {
		if enabled[r] {
			ask = append(ask, r)
		} else {
			disabled = append(disabled, r)
		}
	}
	if len(disabled) > 0 {
		out = append(out, preflight.Failed("aws", label+" regions", "not enabled in the account: "+strings.Join(disabled, ", "),
			"remove them from aws.regions, or opt the account in to them"))
	}
	// One call per region, all at once: DescribeRegions of just that region is the cheapest
	// call every region answers, and an SCP that closes the region denies it like any other.
	errs := make([]error, len(ask))
	var wg sync.WaitGroup
	for i, r := range ask {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc := cfg.Copy()
			rc.Region = r
			cctx, cancel := context.WithTimeout(ctx, preflightCallTimeout)
			defer cancel()
			_, errs[i] = ec2.NewFromConfig(rc).DescribeRegions(cctx, &ec2.DescribeRegionsInput{RegionNames: []string{r}})
		}()
	}
	wg.Wait()
	var ok, scp []string
	other := map[string][]string{} // error text → regions
	for i, r := range ask {
		switch {
		case errs[i] == nil:
			ok = append(ok, r)
		case deniedBySCP(errs[i]):
			scp = append(scp, r)
		default:
			msg := requestIDRE.ReplaceAllString(errs[i].Error(), "")
			other[msg] = append(other[msg], r)
		}
	}
	var declared, undeclared []string
	for _, r := range scp {
		if slices.Contains(c.Opts.DeniedRegions, r) {
			declared = append(declared, r)
		} else {
			undeclared = append(undeclared, r)
		}
	}
	if len(declared) > 0 {
		out = append(out, preflight.Pass("aws", label+" regions", "denied by a service control policy, as aws.denied_regions declares: "+strings.Join(declared, ", ")+" (recorded as denied as declared, not error)"))
	}
	if len(undeclared) > 0 {
		out = append(out, preflight.Failed("aws", label+" regions", "denied by a service control policy (explicit deny): "+strings.Join(undeclared, ", "),
			"if the organization closes these regions on purpose, list them in aws.denied_regions (else the controls reading them are error); or limit aws.regions to the regions it allows"))
	}
	msgs := make([]string, 0, len(other))
	for m := range other {
		msgs = append(msgs, m)
	}
	sort.Strings(msgs)
	for _, m := range msgs {
		out = append(out, preflight.Failed("aws", label+" regions", strings.Join(other[m], ", ")+": "+m,
			"attach docs/iam-policy.json to the audit role and check the network path to these regions"))
	}
	if len(ok) > 0 {
		detail := fmt.Sprintf("%d answer: %s", len(ok), strings.Join(ok, ", "))
		if off := len(list.Regions) - len(enabled); len(c.Opts.Regions) == 0 && off > 0 {
			detail += fmt.Sprintf(" (%d more regions are not enabled in the account: nothing can run there)", off)
		}
		out = append([]preflight.Check{preflight.Pass("aws", label+" regions", detail)}, out...)
	}
	return out
}

// shorten cuts s to n bytes at most, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
