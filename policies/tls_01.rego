# TLS-01: customer traffic uses TLS 1.2 or higher.
#
# Load balancer HTTPS/TLS listeners: the protocols of their SSL policy (resolved with
# DescribeSSLPolicies, never guessed from the name: ELBSecurityPolicy-2016-08 allows TLS 1.0)
# must all be in allowed_protocols. Plain HTTP listeners may only redirect to HTTPS, by default
# and in every rule (DescribeRules: a rule that forwards serves plain HTTP whatever the default
# action says). Any other listener protocol (an NLB's TCP, UDP or TCP_UDP, a gateway's GENEVE)
# fails: the load balancer passes the bytes through, so whether a target behind it speaks
# TLS 1.2+ is not in the AWS evidence. The white paper claims TLS 1.2+ for customer traffic, so
# an unverifiable listener is a finding to act on (terminate TLS at the load balancer, or
# prove the target with a TLS-02 probe and record an approved exception), not a pass; it is a
# fail rather than an error because it is a known fact about the estate, and so can be waived.
# CloudFront: a custom certificate with MinimumProtocolVersion in allowed_cloudfront_minimums
# (the default certificate means TLSv1), no cache behaviour that allows plain HTTP, and every
# custom origin reached over HTTPS (OriginProtocolPolicy not http-only) with OriginSslProtocols
# all in allowed_protocols (CloudFront's origin side is customer traffic too):
# https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CustomOriginConfig.html
# API Gateway custom domains and REST APIs whose execute-api endpoint is enabled: SecurityPolicy
# in allowed_apigateway_policies (the legacy TLS_1_2
# and the enhanced SecurityPolicy_TLS12_*/SecurityPolicy_TLS13_* policies, all TLS 1.2+:
# https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-security-policies.html).
package shoko.controls.tls_01

import data.shoko.aws
import data.shoko.lib

p := input.control.parameters

# The SSL policies by name, indexed once (not scanned per listener's policy).
policies_by_name := {name: group |
	some name in {k |
		some r in lib.rows("aws.elbv2.DescribeSSLPolicies")
		k := r.row.Name
	}
	group := {r.row |
		some r in lib.rows("aws.elbv2.DescribeSSLPolicies")
		r.row.Name == name
	}
}

policy(name) := pol if {
	some pol in object.get(policies_by_name, [name], set())
}

tls_listeners contains r if {
	some r in lib.rows("aws.elbv2.DescribeListeners")
	r.row.Protocol in {"HTTPS", "TLS"}
}

http_listeners contains r if {
	some r in lib.rows("aws.elbv2.DescribeListeners")
	r.row.Protocol == "HTTP"
}

# Listeners that are neither TLS-terminating nor plain HTTP (TCP, UDP, TCP_UDP, GENEVE, …).
other_listeners contains r if {
	some r in lib.rows("aws.elbv2.DescribeListeners")
	not r.row.Protocol in {"HTTPS", "TLS", "HTTP", "QUIC"}
}

# A QUIC listener passes QUIC through, and QUIC v1 cannot run without a TLS 1.3 handshake
# (RFC 9001, section 4.2), so it carries TLS 1.3 whatever the target. TCP_QUIC also accepts
# plain TCP, which is judged as TCP.
findings contains lib.pass("listener_quic", {"listener": r.row.ListenerArn}, r.row.ListenerArn, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.elbv2.DescribeListeners")
	r.row.Protocol == "QUIC"
}

findings contains lib.fail("listener_not_tls", {"listener": r.row.ListenerArn, "protocol": r.row.Protocol}, r.row.ListenerArn, lib.row_ref(r.item, r.index)) if {
	some r in other_listeners
}

listener_params(r) := {"listener": r.row.ListenerArn, "policy": object.get(r.row, "SslPolicy", ""), "allowed": p.allowed_protocols}

weak(pol) := sort([x | some x in pol.SslProtocols; not x in p.allowed_protocols])

findings contains lib.pass("listener_tls_ok", listener_params(r), r.row.ListenerArn, lib.row_ref(r.item, r.index)) if {
	some r in tls_listeners
	pol := policy(r.row.SslPolicy)
	count(weak(pol)) == 0
}

findings contains lib.fail("listener_weak_tls", object.union(listener_params(r), {"weak": weak(pol)}), r.row.ListenerArn, lib.row_ref(r.item, r.index)) if {
	some r in tls_listeners
	pol := policy(r.row.SslPolicy)
	count(weak(pol)) > 0
}

findings contains lib.fail("listener_policy_unknown", listener_params(r), r.row.ListenerArn, lib.row_ref(r.item, r.index)) if {
	some r in tls_listeners
	not policy(object.get(r.row, "SslPolicy", ""))
}

redirects_to_https(action) if {
	action.Type == "redirect"
	action.RedirectConfig.Protocol == "HTTPS"
}

# The rules of each listener (DescribeRules), by listener ARN. The default rule carries the
# default actions; every other rule is a path or host that may be served differently.
rules_by_listener := {arn: rules |
	some arn in {r.row.ListenerArn | some r in lib.rows("aws.elbv2.DescribeRules")}
	rules := [r | some r in lib.rows("aws.elbv2.DescribeRules"); r.row.ListenerArn == arn]
}

# A non-default rule of an HTTP listener whose actions do not all redirect to HTTPS.
plain_rules(listener) := {r |
	some r in object.get(rules_by_listener, [listener], [])
	not r.row.IsDefault
	some a in object.get(r.row, "Actions", [])
	not redirects_to_https(a)
}

http_redirects_everywhere(r) if {
	count(r.row.DefaultActions) > 0
	every a in r.row.DefaultActions {
		redirects_to_https(a)
	}
	object.get(rules_by_listener, [r.row.ListenerArn], []) != []
	count(plain_rules(r.row.ListenerArn)) == 0
}

findings contains lib.pass("http_redirects", {"listener": r.row.ListenerArn}, r.row.ListenerArn, lib.row_ref(r.item, r.index)) if {
	some r in http_listeners
	http_redirects_everywhere(r)
}

findings contains lib.fail("http_not_redirected", {"listener": r.row.ListenerArn}, r.row.ListenerArn, lib.row_ref(r.item, r.index)) if {
	some r in http_listeners
	some a in r.row.DefaultActions
	not redirects_to_https(a)
}

findings contains lib.fail("http_rule_not_redirected", {"listener": r.row.ListenerArn, "rule": rule.row.RuleArn}, r.row.ListenerArn, lib.row_ref(rule.item, rule.index)) if {
	some r in http_listeners
	some rule in plain_rules(r.row.ListenerArn)
}

# AWS always returns a listener's default rule; none at all means its rules were not read.
findings contains lib.fail("http_rules_missing", {"listener": r.row.ListenerArn}, r.row.ListenerArn, lib.row_ref(r.item, r.index)) if {
	some r in http_listeners
	object.get(rules_by_listener, [r.row.ListenerArn], []) == []
}

# CloudFront distributions.
default_certificate(vc) if {
	vc.CloudFrontDefaultCertificate == true
	object.get(vc, "ACMCertificateArn", "") in {"", null}
	object.get(vc, "IAMCertificateId", "") in {"", null}
}

behaviours(cfg) := array.concat([cfg.DefaultCacheBehavior], aws.tags_of(object.get(cfg, ["CacheBehaviors", "Items"], [])))

cf_problem(cfg) := "default_certificate" if default_certificate(cfg.ViewerCertificate)

cf_problem(cfg) := "minimum_protocol" if {
	not default_certificate(cfg.ViewerCertificate)
	not cfg.ViewerCertificate.MinimumProtocolVersion in p.allowed_cloudfront_minimums
}

cf_problem(cfg) := "allows_http" if {
	not default_certificate(cfg.ViewerCertificate)
	cfg.ViewerCertificate.MinimumProtocolVersion in p.allowed_cloudfront_minimums
	some b in behaviours(cfg)
	b.ViewerProtocolPolicy == "allow-all"
}

cf_params(r) := {
	"distribution": r.row.ARN,
	"minimum": object.get(r.row.DistributionConfig.ViewerCertificate, "MinimumProtocolVersion", ""),
}

# Custom origins (CustomOriginConfig; S3 and VPC origins have none): CloudFront must reach them
# over HTTPS with only allowed protocols.
custom_origins(cfg) := [o | some o in aws.tags_of(object.get(cfg, ["Origins", "Items"], [])); is_object(object.get(o, "CustomOriginConfig", null))]

origin_problem(o) := "origin_http" if o.CustomOriginConfig.OriginProtocolPolicy == "http-only"

origin_problem(o) := "origin_weak_tls" if {
	o.CustomOriginConfig.OriginProtocolPolicy != "http-only"
	count(origin_weak(o)) > 0
}

origin_weak(o) := sort([x | some x in aws.tags_of(object.get(o.CustomOriginConfig, ["OriginSslProtocols", "Items"], [])); not x in p.allowed_protocols])

origin_problems(cfg) := {[o.Id, problem] |
	some o in custom_origins(cfg)
	problem := origin_problem(o)
}

findings contains lib.fail(sprintf("cloudfront_%s", [problem]), object.union(cf_params(r), {"origin": o.Id, "policy": o.CustomOriginConfig.OriginProtocolPolicy, "weak": origin_weak(o)}), r.row.ARN, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.cloudfront.GetDistribution")
	some o in custom_origins(r.row.DistributionConfig)
	problem := origin_problem(o)
}

findings contains lib.fail(sprintf("cloudfront_%s", [problem]), cf_params(r), r.row.ARN, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.cloudfront.GetDistribution")
	problem := cf_problem(r.row.DistributionConfig)
}

findings contains lib.pass("cloudfront_tls_ok", cf_params(r), r.row.ARN, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.cloudfront.GetDistribution")
	not cf_problem(r.row.DistributionConfig)
	count(origin_problems(r.row.DistributionConfig)) == 0
}

# API Gateway custom domain names: the security policy (legacy TLS_1_0 / TLS_1_2, or an
# enhanced SecurityPolicy_*).
api_params(r) := {"domain": r.row.DomainName, "policy": object.get(r.row, "SecurityPolicy", "")}

findings contains lib.pass("api_domain_tls_ok", api_params(r), r.row.DomainName, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.apigateway.GetDomainNames")
	object.get(r.row, "SecurityPolicy", "") in p.allowed_apigateway_policies
}

findings contains lib.fail("api_domain_weak_tls", api_params(r), r.row.DomainName, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.apigateway.GetDomainNames")
	not object.get(r.row, "SecurityPolicy", "") in p.allowed_apigateway_policies
}

# REST APIs: the API's own security policy governs its default execute-api endpoint, reachable
# beside any custom domain unless DisableExecuteApiEndpoint is set (then only its custom domains,
# judged above, serve it). No policy in the evidence is not a TLS 1.2+ policy: it fails.
rest_api_params(r) := {"api": r.row.Id, "name": object.get(r.row, "Name", ""), "policy": object.get(r.row, "SecurityPolicy", "")}

rest_api_served(r) if not object.get(r.row, "DisableExecuteApiEndpoint", false) == true

findings contains lib.pass("api_execute_endpoint_disabled", rest_api_params(r), r.row.Id, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.apigateway.GetRestApis")
	not rest_api_served(r)
}

findings contains lib.pass("api_tls_ok", rest_api_params(r), r.row.Id, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.apigateway.GetRestApis")
	rest_api_served(r)
	object.get(r.row, "SecurityPolicy", "") in p.allowed_apigateway_policies
}

findings contains lib.fail("api_weak_tls", rest_api_params(r), r.row.Id, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.apigateway.GetRestApis")
	rest_api_served(r)
	not object.get(r.row, "SecurityPolicy", "") in p.allowed_apigateway_policies
}

# No public endpoint at all: nothing carries customer traffic over TLS that could be weak.
findings contains lib.pass("no_endpoints", {}, "aws", lib.whole_ref(aws.first_item("aws.elbv2.DescribeListeners"))) if {
	(count(tls_listeners) + count(http_listeners)) + count(other_listeners) == 0
	count(lib.rows("aws.cloudfront.GetDistribution")) == 0
	count(lib.rows("aws.apigateway.GetDomainNames")) == 0
	count(lib.rows("aws.apigateway.GetRestApis")) == 0
}
