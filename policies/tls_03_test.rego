package shoko.controls.tls_03_test

import data.shoko.aws.fixtures as fx
import data.shoko.controls.tls_03

cert(arn, status, not_after, in_use) := {"CertificateArn": arn, "DomainName": "cardsvc.example.jp", "Status": status, "NotAfter": not_after, "InUseBy": in_use}

lb := "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:listener/app/cardsvc-alb/1/2"

api_domain := {"DomainName": "api.cardsvc.example.jp", "RegionalCertificateArn": "c-api", "SecurityPolicy": "TLS_1_2"}

estate(certs, listeners, dists) := estate_full(certs, [], listeners, dists, [api_domain])

estate_full(certs, server_certs, listeners, dists, domains) := [
	fx.item("aws.acm.DescribeCertificate", "ap-northeast-1", certs),
	fx.item("aws.iam.ListServerCertificates", "global", server_certs),
	fx.item("aws.elbv2.DescribeListeners", "ap-northeast-1", listeners),
	fx.item("aws.cloudfront.GetDistribution", "global", dists),
	fx.item("aws.apigateway.GetDomainNames", "ap-northeast-1", domains),
]

server_cert(name, expiration) := {
	"Arn": sprintf("arn:aws:iam::123456789012:server-certificate/%s", [name]), "ServerCertificateName": name,
	"ServerCertificateId": sprintf("ASCA%s", [upper(name)]), "Path": "/", "Expiration": expiration, "UploadDate": "2025-01-01T00:00:00Z",
}

uses(arn) := {"ListenerArn": lb, "Protocol": "HTTPS", "Certificates": [{"CertificateArn": arn}]}

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
	f := tls_03.findings with input as fx.input_for({"min_days_left": 30}, estate_full([cert("old", "EXPIRED", "2020-01-01T00:00:00Z", [])], [server_cert("old-iam", "2020-01-01T00:00:00Z")], [], [], []))
	fx.has(f, "pass", "none_in_use", "acm")
	count(f) == 1
}

test_certificate_of_api_domain_is_in_use if {
	f := tls_03.findings with input as fx.input_for({"min_days_left": 30}, estate([cert("c-api", "ISSUED", "2026-12-01T00:00:00Z", null)], [], []))
	fx.has(f, "fail", "expiring", "c-api")
}

test_certificate_named_but_not_in_evidence_fails if {
	# An ECDSA certificate ListCertificates did not return, or one in a region not collected:
	# the listener names it, the evidence does not have it. Never "none in use".
	f := tls_03.findings with input as fx.input_for({"min_days_left": 30}, estate_full([], [], [uses("arn:aws:acm:ap-northeast-1:123456789012:certificate/ecdsa")], [], []))
	some x in f
	x.status == "fail"
	x.code == "certificate_not_found"
	x.resource == "arn:aws:acm:ap-northeast-1:123456789012:certificate/ecdsa"
	x.params.user == lb
	not fx.has(f, "pass", "none_in_use", "acm")
}

test_iam_server_certificate_on_a_listener_is_judged_by_its_expiry if {
	arn := "arn:aws:iam::123456789012:server-certificate/legacy"
	expiring := tls_03.findings with input as fx.input_for({"min_days_left": 30}, estate_full([], [server_cert("legacy", "2026-12-07T03:00:00Z")], [uses(arn)], [], []))
	some x in expiring
	x.status == "fail"
	x.code == "expiring"
	x.resource == arn
	x.params.days_left == 10
	valid := tls_03.findings with input as fx.input_for({"min_days_left": 30}, estate_full([], [server_cert("legacy", "2027-11-27T03:00:00Z")], [uses(arn)], [], []))
	fx.has(valid, "pass", "valid", arn)
	expired := tls_03.findings with input as fx.input_for({"min_days_left": 30}, estate_full([], [server_cert("legacy", "2026-01-01T00:00:00Z")], [uses(arn)], [], []))
	fx.has(expired, "fail", "expiring", arn)
}

test_iam_server_certificate_on_cloudfront_is_found_by_its_id if {
	d := {"ARN": "d1", "DistributionConfig": {"ViewerCertificate": {"IAMCertificateId": "ASCAWEB", "CloudFrontDefaultCertificate": false}}}
	f := tls_03.findings with input as fx.input_for({"min_days_left": 30}, estate_full([], [server_cert("web", "2026-12-01T00:00:00Z")], [], [d], []))
	fx.has(f, "fail", "expiring", "arn:aws:iam::123456789012:server-certificate/web")
	not fx.has(f, "fail", "certificate_not_found", "ASCAWEB")
}

test_iam_server_certificate_without_expiry_fails if {
	arn := "arn:aws:iam::123456789012:server-certificate/legacy"
	c := object.remove(server_cert("legacy", ""), ["Expiration"])
	f := tls_03.findings with input as fx.input_for({"min_days_left": 30}, estate_full([], [c], [uses(arn)], [], []))
	fx.has(f, "fail", "expiry_unknown", arn)
}

test_sni_certificate_of_a_listener_is_judged if {
	# DescribeListeners names only the default certificate; the SNI one is in the certificate list.
	sni := "arn:aws:iam::123456789012:server-certificate/sni"
	items := array.concat(estate_full([cert("c1", "ISSUED", "2027-11-27T03:00:00Z", [lb])], [server_cert("sni", "2026-12-07T03:00:00Z")], [uses("c1")], [], []), [fx.item("aws.elbv2.DescribeListenerCertificates", "ap-northeast-1", [
		{"ListenerArn": lb, "CertificateArn": "c1", "IsDefault": true},
		{"ListenerArn": lb, "CertificateArn": sni, "IsDefault": false},
	])])
	f := tls_03.findings with input as fx.input_for({"min_days_left": 30}, items)
	fx.has(f, "pass", "valid", "c1")
	fx.has(f, "fail", "expiring", sni)
}
