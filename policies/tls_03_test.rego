package shoko.controls.tls_03_test

import data.shoko.aws.fixtures as fx
import data.shoko.controls.tls_03

cert(arn, status, not_after, in_use) := {"CertificateArn": arn, "DomainName": "cardsvc.example.jp", "Status": status, "NotAfter": not_after, "InUseBy": in_use}

lb := "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener/app/cardsvc-alb/1/2"

estate(certs, listeners, dists) := [
	fx.item("aws.acm.DescribeCertificate", "ap-northeast-1", certs),
	fx.item("aws.elbv2.DescribeListeners", "ap-northeast-1", listeners),
	fx.item("aws.cloudfront.GetDistribution", "global", dists),
	fx.item("aws.apigateway.GetDomainNames", "ap-northeast-1", [{"DomainName": "api.cardsvc.example.jp", "RegionalCertificateArn": "c-api", "SecurityPolicy": "TLS_1_2"}]),
]

test_valid_certificate_passes if {
	f := tls_03.findings with input as fx.input_for({"min_days_left": 30}, estate([cert("c1", "ISSUED", "2027-11-27T03:00:00Z", [lb])], [], []))
	fx.has(f, "pass", "valid", "c1")
}

test_certificate_expiring_soon_fails if {
	f := tls_03.findings with input as fx.input_for({"min_days_left": 30}, estate([cert("c2", "ISSUED", "2026-12-07T03:00:00Z", [])], [{"ListenerArn": lb, "Certificates": [{"CertificateArn": "c2"}]}], []))
	some x in f
	x.code == "expiring"
	x.params.days_left == 10
}

test_expired_certificate_on_cloudfront_fails if {
	d := {"ARN": "d1", "DistributionConfig": {"ViewerCertificate": {"ACMCertificateArn": "c3"}}}
	f := tls_03.findings with input as fx.input_for({"min_days_left": 30}, estate([cert("c3", "EXPIRED", "2026-11-01T00:00:00Z", [])], [], [d]))
	fx.has(f, "fail", "not_issued", "c3")
}

test_unused_certificates_are_not_checked if {
	f := tls_03.findings with input as fx.input_for({"min_days_left": 30}, estate([cert("old", "EXPIRED", "2020-01-01T00:00:00Z", [])], [], []))
	fx.has(f, "pass", "none_in_use", "acm")
	count(f) == 1
}

test_certificate_of_api_domain_is_in_use if {
	f := tls_03.findings with input as fx.input_for({"min_days_left": 30}, estate([cert("c-api", "ISSUED", "2026-12-01T00:00:00Z", null)], [], []))
	fx.has(f, "fail", "expiring", "c-api")
}
