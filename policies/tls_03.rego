# TLS-03: certificates in use are valid: ISSUED and not expiring within min_days_left days.
#
# "In use" is what ACM says (InUseBy) or what a load balancer listener, CloudFront
# distribution or API Gateway custom domain names.
package shoko.controls.tls_03

import data.shoko.aws
import data.shoko.lib

min_days := input.control.parameters.min_days_left

named contains c.CertificateArn if {
	some r in lib.rows("aws.elbv2.DescribeListeners")
	some c in object.get(r.row, "Certificates", [])
}

named contains arn if {
	some r in lib.rows("aws.cloudfront.GetDistribution")
	arn := r.row.DistributionConfig.ViewerCertificate.ACMCertificateArn
	is_string(arn)
	arn != ""
}

named contains arn if {
	some r in lib.rows("aws.apigateway.GetDomainNames")
	some field in ["CertificateArn", "RegionalCertificateArn"]
	arn := object.get(r.row, field, "")
	is_string(arn)
	arn != ""
}

in_use contains r if {
	some r in lib.rows("aws.acm.DescribeCertificate")
	count(aws.tags_of(object.get(r.row, "InUseBy", []))) > 0
}

in_use contains r if {
	some r in lib.rows("aws.acm.DescribeCertificate")
	r.row.CertificateArn in named
}

days_left(row) := floor((time.parse_rfc3339_ns(row.NotAfter) - lib.now_ns) / lib.day_ns)

params(row) := {"certificate": row.CertificateArn, "domain": row.DomainName, "status": row.Status, "not_after": object.get(row, "NotAfter", null), "min_days": min_days}

findings contains lib.fail("not_issued", params(r.row), r.row.CertificateArn, lib.row_ref(r.item, r.index)) if {
	some r in in_use
	r.row.Status != "ISSUED"
}

findings contains lib.fail("expiring", object.union(params(r.row), {"days_left": days_left(r.row)}), r.row.CertificateArn, lib.row_ref(r.item, r.index)) if {
	some r in in_use
	r.row.Status == "ISSUED"
	days_left(r.row) < min_days
}

findings contains lib.pass("valid", object.union(params(r.row), {"days_left": days_left(r.row)}), r.row.CertificateArn, lib.row_ref(r.item, r.index)) if {
	some r in in_use
	r.row.Status == "ISSUED"
	days_left(r.row) >= min_days
}

findings contains lib.pass("none_in_use", {}, "acm", lib.whole_ref(aws.first_item("aws.acm.DescribeCertificate"))) if {
	count(in_use) == 0
}
