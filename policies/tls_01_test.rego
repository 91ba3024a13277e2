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

estate_with_domains(listeners, dists, domains) := estate_full(listeners, [], dists, domains)

# default_rule is the rule AWS returns for every listener, carrying its default actions.
default_rule(l) := {"ListenerArn": l.ListenerArn, "RuleArn": sprintf("%s/default", [l.ListenerArn]), "IsDefault": true, "Priority": "default", "Actions": l.DefaultActions}

rule(listener, id, actions) := {"ListenerArn": listener, "RuleArn": id, "IsDefault": false, "Priority": "10", "Actions": actions}

# estate_full: the listeners with their default rules and the extra rules given.
estate_full(listeners, rules, dists, domains) := [
	fx.item("aws.elbv2.DescribeListeners", "ap-northeast-1", listeners),
	fx.item("aws.elbv2.DescribeRules", "ap-northeast-1", array.concat([default_rule(l) | some l in listeners; l.Protocol in {"HTTP", "HTTPS"}], rules)),
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

test_http_listener_forwarding_on_a_rule_fails if {
	l := listener("l-http", "HTTP", null, redirect)
	f := tls_01.findings with input as fx.input_for(params, estate_full([l], [rule("l-http", "r-api", forward)], [], []))
	fx.has(f, "fail", "http_rule_not_redirected", "l-http")
	not fx.has(f, "pass", "http_redirects", "l-http")
}

test_http_listener_redirecting_on_every_rule_passes if {
	l := listener("l-http", "HTTP", null, redirect)
	f := tls_01.findings with input as fx.input_for(params, estate_full([l], [rule("l-http", "r-old", redirect)], [], []))
	fx.has(f, "pass", "http_redirects", "l-http")
	every x in f {
		x.status == "pass"
	}
}

test_http_listener_without_rules_in_evidence_fails if {
	l := listener("l-http", "HTTP", null, redirect)
	items := [
		fx.item("aws.elbv2.DescribeListeners", "ap-northeast-1", [l]),
		fx.item("aws.elbv2.DescribeRules", "ap-northeast-1", []),
		policies,
	]
	f := tls_01.findings with input as fx.input_for(params, items)
	fx.has(f, "fail", "http_rules_missing", "l-http")
	not fx.has(f, "pass", "http_redirects", "l-http")
}

test_nlb_tcp_listener_fails_as_unverifiable if {
	f := tls_01.findings with input as fx.input_for(params, estate([listener("nlb-tcp", "TCP", null, forward)], []))
	some x in f
	x.code == "listener_not_tls"
	x.status == "fail"
	x.resource == "nlb-tcp"
	x.params.protocol == "TCP"
	not fx.has(f, "pass", "no_endpoints", "aws")
}

test_nlb_tls_listener_passes_by_its_policy if {
	f := tls_01.findings with input as fx.input_for(params, estate([listener("nlb-tls", "TLS", "ELBSecurityPolicy-TLS13-1-2-2021-06", forward)], []))
	fx.has(f, "pass", "listener_tls_ok", "nlb-tls")
}

with_origin(d, origin) := object.union(d, {"DistributionConfig": object.union(d.DistributionConfig, {"Origins": {"Quantity": 1, "Items": [origin]}})})

custom_origin(policy, protocols) := {"Id": "alb", "DomainName": "alb.example.jp", "CustomOriginConfig": {
	"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": policy,
	"OriginSslProtocols": {"Quantity": count(protocols), "Items": protocols},
}}

test_cloudfront_origin_protocols if {
	arn := "arn:aws:cloudfront::123456789012:distribution/E1"
	good := distribution("TLSv1.2_2021", false, "redirect-to-https")
	fx.has(tls_01.findings, "pass", "cloudfront_tls_ok", arn) with input as fx.input_for(params, estate([], [with_origin(good, custom_origin("https-only", ["TLSv1.2"]))]))
	fx.has(tls_01.findings, "pass", "cloudfront_tls_ok", arn) with input as fx.input_for(params, estate([], [with_origin(good, {"Id": "s3", "DomainName": "b.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}})]))
	http := tls_01.findings with input as fx.input_for(params, estate([], [with_origin(good, custom_origin("http-only", ["TLSv1.2"]))]))
	fx.has(http, "fail", "cloudfront_origin_http", arn)
	not fx.has(http, "pass", "cloudfront_tls_ok", arn)
	weak := tls_01.findings with input as fx.input_for(params, estate([], [with_origin(good, custom_origin("match-viewer", ["TLSv1", "TLSv1.1", "TLSv1.2"]))]))
	some x in weak
	x.code == "cloudfront_origin_weak_tls"
	x.params.weak == ["TLSv1", "TLSv1.1"]
	x.params.origin == "alb"
	not fx.has(weak, "pass", "cloudfront_tls_ok", arn)
	sslv3 := tls_01.findings with input as fx.input_for(params, estate([], [with_origin(good, custom_origin("https-only", ["SSLv3", "TLSv1.2"]))]))
	fx.has(sslv3, "fail", "cloudfront_origin_weak_tls", arn)
}

test_api_gateway_enhanced_policies_pass if {
	enhanced := object.union(params, {"allowed_apigateway_policies": ["TLS_1_2", "SecurityPolicy_TLS13_1_3_2025_09", "SecurityPolicy_TLS13_1_2_2021_06"]})
	domains := [
		{"DomainName": "a.example.jp", "SecurityPolicy": "SecurityPolicy_TLS13_1_3_2025_09"},
		{"DomainName": "b.example.jp", "SecurityPolicy": "SecurityPolicy_TLS13_1_2_2021_06"},
		{"DomainName": "c.example.jp", "SecurityPolicy": "TLS_1_0"},
	]
	f := tls_01.findings with input as fx.input_for(enhanced, estate_with_domains([], [], domains))
	fx.has(f, "pass", "api_domain_tls_ok", "a.example.jp")
	fx.has(f, "pass", "api_domain_tls_ok", "b.example.jp")
	fx.has(f, "fail", "api_domain_weak_tls", "c.example.jp")
}

rest_apis_estate(apis) := array.concat(estate([], []), [fx.item("aws.apigateway.GetRestApis", "ap-northeast-1", apis)])

test_rest_api_default_endpoint_is_judged_by_its_own_policy if {
	enhanced := object.union(params, {"allowed_apigateway_policies": ["TLS_1_2", "SecurityPolicy_TLS13_1_3_2025_09"]})
	apis := [
		{"Id": "a1", "Name": "cards", "SecurityPolicy": "SecurityPolicy_TLS13_1_3_2025_09", "DisableExecuteApiEndpoint": false},
		{"Id": "a2", "Name": "legacy", "SecurityPolicy": "TLS_1_0", "DisableExecuteApiEndpoint": false},
		{"Id": "a3", "Name": "unset", "DisableExecuteApiEndpoint": false},
		{"Id": "a4", "Name": "domain-only", "SecurityPolicy": "TLS_1_0", "DisableExecuteApiEndpoint": true},
	]
	f := tls_01.findings with input as fx.input_for(enhanced, rest_apis_estate(apis))
	fx.has(f, "pass", "api_tls_ok", "a1")
	fx.has(f, "fail", "api_weak_tls", "a2")
	fx.has(f, "fail", "api_weak_tls", "a3")
	fx.has(f, "pass", "api_execute_endpoint_disabled", "a4")
	not fx.has(f, "pass", "no_endpoints", "aws")
}

test_quic_listener_passes_and_tcp_quic_fails if {
	f := tls_01.findings with input as fx.input_for(params, estate([listener("nlb-quic", "QUIC", null, forward), listener("nlb-tcp-quic", "TCP_QUIC", null, forward)], []))
	fx.has(f, "pass", "listener_quic", "nlb-quic")
	fx.has(f, "fail", "listener_not_tls", "nlb-tcp-quic")
}
