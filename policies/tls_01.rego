# TLS-01: customer traffic uses TLS 1.2 or higher.
#
# Load balancer HTTPS/TLS listeners: the protocols of their SSL policy (resolved with
# DescribeSSLPolicies, never guessed from the name: ELBSecurityPolicy-2016-08 allows TLS 1.0)
# must all be in allowed_protocols. Plain HTTP listeners may only redirect to HTTPS.
# CloudFront: a custom certificate with MinimumProtocolVersion in allowed_cloudfront_minimums
# (the default certificate means TLSv1), and no cache behaviour that allows plain HTTP.
# API Gateway custom domains: SecurityPolicy in allowed_apigateway_policies.
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

findings contains lib.pass("http_redirects", {"listener": r.row.ListenerArn}, r.row.ListenerArn, lib.row_ref(r.item, r.index)) if {
	some r in http_listeners
	count(r.row.DefaultActions) > 0
	every a in r.row.DefaultActions {
		redirects_to_https(a)
	}
}

findings contains lib.fail("http_not_redirected", {"listener": r.row.ListenerArn}, r.row.ListenerArn, lib.row_ref(r.item, r.index)) if {
	some r in http_listeners
	some a in r.row.DefaultActions
	not redirects_to_https(a)
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

findings contains lib.fail(sprintf("cloudfront_%s", [problem]), cf_params(r), r.row.ARN, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.cloudfront.GetDistribution")
	problem := cf_problem(r.row.DistributionConfig)
}

findings contains lib.pass("cloudfront_tls_ok", cf_params(r), r.row.ARN, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.cloudfront.GetDistribution")
	not cf_problem(r.row.DistributionConfig)
}

# API Gateway custom domain names: the security policy (TLS_1_0 or TLS_1_2).
api_params(r) := {"domain": r.row.DomainName, "policy": object.get(r.row, "SecurityPolicy", "")}

findings contains lib.pass("api_domain_tls_ok", api_params(r), r.row.DomainName, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.apigateway.GetDomainNames")
	object.get(r.row, "SecurityPolicy", "") in p.allowed_apigateway_policies
}

findings contains lib.fail("api_domain_weak_tls", api_params(r), r.row.DomainName, lib.row_ref(r.item, r.index)) if {
	some r in lib.rows("aws.apigateway.GetDomainNames")
	not object.get(r.row, "SecurityPolicy", "") in p.allowed_apigateway_policies
}

# No public endpoint at all: nothing carries customer traffic over TLS that could be weak.
findings contains lib.pass("no_endpoints", {}, "aws", lib.whole_ref(aws.first_item("aws.elbv2.DescribeListeners"))) if {
	count(tls_listeners) + count(http_listeners) == 0
	count(lib.rows("aws.cloudfront.GetDistribution")) == 0
	count(lib.rows("aws.apigateway.GetDomainNames")) == 0
}
