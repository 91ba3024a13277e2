package aws_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	shokoaws "github.com/shoko-audit/shoko/collectors/aws"
	"github.com/shoko-audit/shoko/demo/awsestate"
	"github.com/shoko-audit/shoko/engine"
)

// tlsCase adds one thing to the compliant estate and says what the control must then conclude.
type tlsCase struct {
	name    string
	control string
	add     func(ctx context.Context, t *testing.T, e *env) string // returns the resource to be named
	want    string
}

// cardsvcALB is the seeded ALB's ARN and the ARN of its target group.
func cardsvcALB(ctx context.Context, t *testing.T, c *elb.Client) (lbArn, tgArn *string) {
	t.Helper()
	lbs, err := c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Names: []string{"cardsvc-alb"}})
	if err != nil {
		t.Fatal(err)
	}
	tgs, err := c.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{Names: []string{"cardsvc-app"}})
	if err != nil {
		t.Fatal(err)
	}
	return lbs.LoadBalancers[0].LoadBalancerArn, tgs.TargetGroups[0].TargetGroupArn
}

func redirectToHTTPS() []elbtypes.Action {
	return []elbtypes.Action{{Type: elbtypes.ActionTypeEnumRedirect, RedirectConfig: &elbtypes.RedirectActionConfig{
		Protocol: aws.String("HTTPS"), Port: aws.String("443"), StatusCode: elbtypes.RedirectActionStatusCodeEnumHttp301}}}
}

func forwardTo(tg *string) []elbtypes.Action {
	return []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: tg}}
}

// runTLSCases seeds the compliant estate once per case, adds the case's resource, collects
// the home region and evaluates.
func runTLSCases(t *testing.T, cases []tlsCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t)
			e.seed(t, awsestate.Options{})
			resource := tc.add(ctx, t, e)
			items := e.collect(t, shokoaws.Options{Regions: []string{awsestate.Region}})
			c := evaluate(t, items)[tc.control]
			if c.Status != tc.want {
				t.Fatalf("%s: status %s, want %s: %s %v", tc.control, c.Status, tc.want, c.Reason.EN, failing(c))
			}
			if tc.want != engine.StatusFail {
				return
			}
			named := false
			for _, f := range failing(c) {
				named = named || strings.Contains(f, resource)
			}
			if !named {
				t.Errorf("%s: no failing finding names %s: %v", tc.control, resource, failing(c))
			}
		})
	}
}

// TLS-01 against what AWS documents: a listener's rules, NLB listeners, CloudFront's origin
// side and API Gateway's enhanced security policies.
func TestTLS01JudgesRulesOriginsAndPolicies(t *testing.T) {
	runTLSCases(t, []tlsCase{
		{name: "an HTTP listener that redirects by default but forwards on a rule fails", control: "TLS-01", want: engine.StatusFail,
			add: func(ctx context.Context, t *testing.T, e *env) string {
				c := elb.NewFromConfig(e.cfg)
				lb, tg := cardsvcALB(ctx, t, c)
				l, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb, Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(8080),
					DefaultActions: redirectToHTTPS()})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: l.Listeners[0].ListenerArn, Priority: aws.Int32(10), Actions: forwardTo(tg),
					Conditions: []elbtypes.RuleCondition{{Field: aws.String("path-pattern"), PathPatternConfig: &elbtypes.PathPatternConditionConfig{Values: []string{"/api/*"}}}}}); err != nil {
					t.Fatal(err)
				}
				return aws.ToString(l.Listeners[0].ListenerArn)
			}},
		{name: "an HTTP listener that redirects by default and on its rules passes", control: "TLS-01", want: engine.StatusPass,
			add: func(ctx context.Context, t *testing.T, e *env) string {
				c := elb.NewFromConfig(e.cfg)
				lb, _ := cardsvcALB(ctx, t, c)
				l, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb, Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(8080),
					DefaultActions: redirectToHTTPS()})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: l.Listeners[0].ListenerArn, Priority: aws.Int32(10), Actions: redirectToHTTPS(),
					Conditions: []elbtypes.RuleCondition{{Field: aws.String("path-pattern"), PathPatternConfig: &elbtypes.PathPatternConditionConfig{Values: []string{"/old/*"}}}}}); err != nil {
					t.Fatal(err)
				}
				return ""
			}},
		{name: "an NLB TCP listener fails as unverifiable", control: "TLS-01", want: engine.StatusFail,
			add: func(ctx context.Context, t *testing.T, e *env) string {
				c := elb.NewFromConfig(e.cfg)
				_, tg := cardsvcALB(ctx, t, c)
				subnets, err := c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Names: []string{"cardsvc-alb"}})
				if err != nil {
					t.Fatal(err)
				}
				var subs []string
				for _, z := range subnets.LoadBalancers[0].AvailabilityZones {
					subs = append(subs, aws.ToString(z.SubnetId))
				}
				nlb, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("cardsvc-nlb"), Subnets: subs, Type: elbtypes.LoadBalancerTypeEnumNetwork})
				if err != nil {
					t.Fatal(err)
				}
				l, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: nlb.LoadBalancers[0].LoadBalancerArn, Protocol: elbtypes.ProtocolEnumTcp, Port: aws.Int32(443),
					DefaultActions: forwardTo(tg)})
				if err != nil {
					t.Fatal(err)
				}
				return aws.ToString(l.Listeners[0].ListenerArn)
			}},
		{name: "a CloudFront distribution reaching its origin over plain HTTP fails", control: "TLS-01", want: engine.StatusFail,
			add: func(ctx context.Context, t *testing.T, e *env) string {
				cfg := e.cfg.Copy()
				cfg.Region = "us-east-1"
				c := cloudfront.NewFromConfig(cfg)
				list, err := c.ListDistributions(ctx, &cloudfront.ListDistributionsInput{})
				if err != nil {
					t.Fatal(err)
				}
				seeded, err := c.GetDistribution(ctx, &cloudfront.GetDistributionInput{Id: list.DistributionList.Items[0].Id})
				if err != nil {
					t.Fatal(err)
				}
				cert := seeded.Distribution.DistributionConfig.ViewerCertificate.ACMCertificateArn
				d, err := c.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: &cftypes.DistributionConfig{
					CallerReference: aws.String("http-origin"), Comment: aws.String("http origin"), Enabled: aws.Bool(true),
					Origins: &cftypes.Origins{Quantity: aws.Int32(1), Items: []cftypes.Origin{{Id: aws.String("plain"), DomainName: aws.String("origin.example.jp"),
						CustomOriginConfig: &cftypes.CustomOriginConfig{HTTPPort: aws.Int32(80), HTTPSPort: aws.Int32(443), OriginProtocolPolicy: cftypes.OriginProtocolPolicyHttpOnly}}}},
					DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{TargetOriginId: aws.String("plain"), ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyRedirectToHttps,
						CachePolicyId: aws.String("658327ea-f89d-4fab-a63d-7e88639e58f6")},
					ViewerCertificate: &cftypes.ViewerCertificate{ACMCertificateArn: cert, SSLSupportMethod: cftypes.SSLSupportMethodSniOnly,
						MinimumProtocolVersion: cftypes.MinimumProtocolVersionTLSv122021},
				}})
				if err != nil {
					t.Fatal(err)
				}
				return aws.ToString(d.Distribution.ARN)
			}},
		{name: "a REST API served on its default endpoint without a TLS 1.2+ security policy fails", control: "TLS-01", want: engine.StatusFail,
			add: func(ctx context.Context, t *testing.T, e *env) string {
				out, err := apigateway.NewFromConfig(e.cfg).CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("cards-direct"),
					EndpointConfiguration: &apigwtypes.EndpointConfiguration{Types: []apigwtypes.EndpointType{apigwtypes.EndpointTypeRegional}}})
				if err != nil {
					t.Fatal(err)
				}
				return aws.ToString(out.Id)
			}},
		{name: "a REST API with its default endpoint disabled is left to its custom domain and passes", control: "TLS-01", want: engine.StatusPass,
			add: func(ctx context.Context, t *testing.T, e *env) string {
				if _, err := apigateway.NewFromConfig(e.cfg).CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("cards-domain-only"),
					DisableExecuteApiEndpoint: true,
					EndpointConfiguration:     &apigwtypes.EndpointConfiguration{Types: []apigwtypes.EndpointType{apigwtypes.EndpointTypeRegional}}}); err != nil {
					t.Fatal(err)
				}
				return ""
			}},
		{name: "an API Gateway domain on an enhanced TLS 1.3 security policy passes", control: "TLS-01", want: engine.StatusPass,
			add: func(ctx context.Context, t *testing.T, e *env) string {
				api := apigateway.NewFromConfig(e.cfg)
				got, err := api.GetDomainName(ctx, &apigateway.GetDomainNameInput{DomainName: aws.String("api.cardsvc.example.jp")})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := api.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: aws.String("tls13.api.cardsvc.example.jp"),
					RegionalCertificateArn: got.RegionalCertificateArn, SecurityPolicy: apigwtypes.SecurityPolicySecurityPolicyTls1313202509,
					EndpointAccessMode:    apigwtypes.EndpointAccessModeStrict,
					EndpointConfiguration: &apigwtypes.EndpointConfiguration{Types: []apigwtypes.EndpointType{apigwtypes.EndpointTypeRegional}}}); err != nil {
					t.Fatal(err)
				}
				return ""
			}},
	})
}

// The ACM evidence holds the ECDSA P-256 and RSA-4096 certificates the estate serves: the
// collector asks ListCertificates for every key type (motofront, like AWS, returns only RSA_1024
// and RSA_2048 certificates otherwise), and TLS-03 judges them.
func TestACMEvidenceHoldsEveryKeyType(t *testing.T) {
	e := newEnv(t)
	e.seed(t, awsestate.Options{})
	items := e.collect(t, shokoaws.Options{Regions: []string{awsestate.Region}})
	it, ok := find(items, shokoaws.KindCertificates, awsestate.Account, awsestate.Region)
	if !ok {
		t.Fatal("no ACM item")
	}
	algorithms := map[string]string{}
	for _, r := range rows(t, it) {
		d, _ := r["DomainName"].(string)
		algorithms[d], _ = r["KeyAlgorithm"].(string)
	}
	for domain, want := range map[string]string{awsestate.ECDSACertDomain: "EC_prime256v1", awsestate.RSA4096CertDomain: "RSA_4096"} {
		if algorithms[domain] != want {
			t.Errorf("%s: key algorithm %q in the evidence, want %q (evidence has %v)", domain, algorithms[domain], want, algorithms)
		}
	}
	if c := evaluate(t, items)["TLS-03"]; c.Status != engine.StatusPass {
		t.Errorf("TLS-03: status %s, want pass: %s %v", c.Status, c.Reason.EN, failing(c))
	}
}

// uploadServerCertificate stores a self-signed certificate in IAM, expiring at notAfter.
func uploadServerCertificate(ctx context.Context, t *testing.T, e *env, name string, notAfter time.Time) *iamtypes.ServerCertificateMetadata {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: notAfter.AddDate(-1, 0, 0), NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cfg := e.cfg.Copy()
	cfg.Region = "us-east-1"
	out, err := iam.NewFromConfig(cfg).UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String(name),
		CertificateBody: aws.String(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))),
		PrivateKey:      aws.String(string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb})))})
	if err != nil {
		t.Fatal(err)
	}
	return out.ServerCertificateMetadata
}

// httpsListenerWith adds an HTTPS listener on the seeded ALB serving the certificate arn.
func httpsListenerWith(ctx context.Context, t *testing.T, e *env, port int32, arn *string) string {
	t.Helper()
	c := elb.NewFromConfig(e.cfg)
	lb, tg := cardsvcALB(ctx, t, c)
	l, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb, Protocol: elbtypes.ProtocolEnumHttps, Port: aws.Int32(port),
		SslPolicy: aws.String("ELBSecurityPolicy-TLS13-1-2-2021-06"), Certificates: []elbtypes.Certificate{{CertificateArn: arn}}, DefaultActions: forwardTo(tg)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(l.Listeners[0].ListenerArn)
}

// TLS-03 judges the IAM server certificates listeners use, and never lets a certificate it
// cannot find pass as "none in use".
func TestTLS03JudgesIAMServerCertificates(t *testing.T) {
	runTLSCases(t, []tlsCase{
		{name: "an IAM server certificate expiring in 10 days on a listener fails", control: "TLS-03", want: engine.StatusFail,
			add: func(ctx context.Context, t *testing.T, e *env) string {
				m := uploadServerCertificate(ctx, t, e, "legacy-iam.cardsvc.example.jp", testNow.AddDate(0, 0, 10))
				httpsListenerWith(ctx, t, e, 7443, m.Arn)
				return aws.ToString(m.Arn)
			}},
		{name: "an IAM server certificate expiring in 10 days as a listener's SNI certificate fails", control: "TLS-03", want: engine.StatusFail,
			add: func(ctx context.Context, t *testing.T, e *env) string {
				m := uploadServerCertificate(ctx, t, e, "sni-iam.cardsvc.example.jp", testNow.AddDate(0, 0, 10))
				c := elb.NewFromConfig(e.cfg)
				lb, _ := cardsvcALB(ctx, t, c)
				ls, err := c.DescribeListeners(ctx, &elb.DescribeListenersInput{LoadBalancerArn: lb})
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range ls.Listeners {
					if aws.ToInt32(l.Port) == 443 {
						if _, err := c.AddListenerCertificates(ctx, &elb.AddListenerCertificatesInput{ListenerArn: l.ListenerArn,
							Certificates: []elbtypes.Certificate{{CertificateArn: m.Arn}}}); err != nil {
							t.Fatal(err)
						}
					}
				}
				return aws.ToString(m.Arn)
			}},
		{name: "an IAM server certificate valid for a year on a listener passes", control: "TLS-03", want: engine.StatusPass,
			add: func(ctx context.Context, t *testing.T, e *env) string {
				m := uploadServerCertificate(ctx, t, e, "iam.cardsvc.example.jp", testNow.AddDate(1, 0, 0))
				httpsListenerWith(ctx, t, e, 7443, m.Arn)
				return ""
			}},
	})
}
