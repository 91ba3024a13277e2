package shoko.controls.tls_01_test

import data.shoko.aws.fixtures as fx
import data.shoko.controls.tls_01

params := {"allowed_protocols": ["TLSv1.2", "TLSv1.3"], "allowed_cloudfront_minimums": ["TLSv1.2_2021"], "allowed_apigateway_policies": ["TLS_1_2"]}

policies := fx.item("aws.elbv2.DescribeSSLPolicies", "ap-northeast-1", [
	{"Name": "ELBSecurityPolicy-2016-08", "SslProtocols": ["TLSv1.2", "TLSv1.1", "TLSv1"]},
	{"Name": "ELBSecurityPolicy-TLS13-1-2-2021-06", "SslProtocols": ["TLSv1.3", "TLSv1.2"]},
])

listener(id, protocol, policy, actions) := {"ListenerArn": id, "Protocol": protocol, "Port": 443, "SslPolicy": policy, "DefaultActions": actions}

forward := [{"Type": "forward", "RedirectConfig": null}]

redirect := [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]

distribution(minimum, default_cert, viewer) := {"ARN": "arn:aws:cloudfront::123456789012:distribution/E1", "DistributionConfig": {
	"ViewerCertificate": {"ACMCertificateArn": "", "CloudFrontDefaultCertificate": default_cert, "MinimumProtocolVersion": minimum},
	"DefaultCacheBehavior": {"ViewerProtocolPolicy": viewer},
	"CacheBehaviors": {"Quantity": 0, "Items": null},
}}

estate(listeners, dists) := estate_with_domains(listeners, dists, [])

estate_with_domains(listeners, dists, domains) := [
	fx.item("aws.elbv2.DescribeListeners", "ap-northeast-1", listeners),
	policies,
	fx.item("aws.cloudfront.GetDistribution", "global", dists),
	fx.item("aws.apigateway.GetDomainNames", "ap-northeast-1", domains),
]

test_tls12_listeners_and_redirect_pass if {
	f := tls_01.findings with input as fx.input_for(params, estate(
		[listener("l-https", "HTTPS", "ELBSecurityPolicy-TLS13-1-2-2021-06", forward), listener("l-http", "HTTP", "ELBSecurityPolicy-2016-08", redirect)],
		[distribution("TLSv1.2_2021", false, "redirect-to-https")],
	))
	fx.has(f, "pass", "listener_tls_ok", "l-https")
	fx.has(f, "pass", "http_redirects", "l-http")
	fx.has(f, "pass", "cloudfront_tls_ok", "arn:aws:cloudfront::123456789012:distribution/E1")
	every x in f {
		x.status == "pass"
	}
}

test_default_2016_policy_fails_by_its_protocols if {
	f := tls_01.findings with input as fx.input_for(params, estate([listener("legacy", "HTTPS", "ELBSecurityPolicy-2016-08", forward)], []))
	some x in f
	x.code == "listener_weak_tls"
	x.params.weak == ["TLSv1", "TLSv1.1"]
}

test_unknown_policy_and_plain_http_fail if {
	f := tls_01.findings with input as fx.input_for(params, estate([listener("odd", "TLS", "Custom", forward), listener("plain", "HTTP", null, forward)], []))
	fx.has(f, "fail", "listener_policy_unknown", "odd")
	fx.has(f, "fail", "http_not_redirected", "plain")
}

test_cloudfront_problems_fail if {
	arn := "arn:aws:cloudfront::123456789012:distribution/E1"
	fx.has(tls_01.findings, "fail", "cloudfront_default_certificate", arn) with input as fx.input_for(params, estate([], [distribution("TLSv1", true, "allow-all")]))
	fx.has(tls_01.findings, "fail", "cloudfront_minimum_protocol", arn) with input as fx.input_for(params, estate([], [distribution("TLSv1_2016", false, "https-only")]))
	fx.has(tls_01.findings, "fail", "cloudfront_allows_http", arn) with input as fx.input_for(params, estate([], [distribution("TLSv1.2_2021", false, "allow-all")]))
}

test_no_endpoint_passes if {
	f := tls_01.findings with input as fx.input_for(params, estate([], []))
	fx.has(f, "pass", "no_endpoints", "aws")
}

test_api_gateway_domain_policies if {
	domains := [
		{"DomainName": "api.cardsvc.example.jp", "SecurityPolicy": "TLS_1_2", "RegionalCertificateArn": "c1"},
		{"DomainName": "legacy-tls.api.cardsvc.example.jp", "SecurityPolicy": "TLS_1_0"},
	]
	f := tls_01.findings with input as fx.input_for(params, estate_with_domains([], [], domains))
	fx.has(f, "pass", "api_domain_tls_ok", "api.cardsvc.example.jp")
	fx.has(f, "fail", "api_domain_weak_tls", "legacy-tls.api.cardsvc.example.jp")
}
