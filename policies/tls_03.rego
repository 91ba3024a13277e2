# TLS-03: certificates in use are valid: ISSUED and not expiring within min_days_left days.
#
# "In use" is what ACM says (InUseBy) or what a load balancer listener, CloudFront
# distribution or API Gateway custom domain names. A listener or distribution may also use an
# IAM server certificate (iam:ListServerCertificates; CloudFront names it by its
# ServerCertificateId): its Expiration is judged the same way.
#
# A certificate that is named but found neither in ACM nor in IAM fails (certificate_not_found):
# never silence, because "none in use" would then pass on an estate whose certificates were
# simply not seen (ListCertificates hides ECDSA and RSA-3072/4096 certificates unless asked,
# https://docs.aws.amazon.com/acm/latest/APIReference/API_Filters.html, and a CloudFront
# certificate lives in us-east-1's ACM). It is a fail rather than an error because the finding
# contract has only pass and fail, and because it names the missing certificate and its user,
# which is what someone must act on (collect that region, or find the certificate).
package shoko.controls.tls_03

import data.shoko.aws
import data.shoko.lib

min_days := input.control.parameters.min_days_left

# refs: every certificate a public endpoint names, with who names it and where.
refs contains {"certificate": c.CertificateArn, "user": r.row.ListenerArn, "ref": lib.row_ref(r.item, r.index)} if {
	some r in lib.rows("aws.elbv2.DescribeListeners")
	some c in object.get(r.row, "Certificates", [])
	is_string(c.CertificateArn)
	c.CertificateArn != ""
}

# The SNI certificates of a listener (and its default one again) are listed only by
# DescribeListenerCertificates.
refs contains {"certificate": r.row.CertificateArn, "user": r.row.ListenerArn, "ref": lib.row_ref(r.item, r.index)} if {
	some r in lib.rows("aws.elbv2.DescribeListenerCertificates")
	is_string(r.row.CertificateArn)
	r.row.CertificateArn != ""
}

refs contains {"certificate": id, "user": r.row.ARN, "ref": lib.row_ref(r.item, r.index)} if {
	some r in lib.rows("aws.cloudfront.GetDistribution")
	some field in ["ACMCertificateArn", "IAMCertificateId"]
	id := object.get(r.row.DistributionConfig.ViewerCertificate, field, "")
	is_string(id)
	id != ""
}

refs contains {"certificate": arn, "user": r.row.DomainName, "ref": lib.row_ref(r.item, r.index)} if {
	some r in lib.rows("aws.apigateway.GetDomainNames")
	some field in ["CertificateArn", "RegionalCertificateArn"]
	arn := object.get(r.row, field, "")
	is_string(arn)
	arn != ""
}

named contains x.certificate if some x in refs

# Every identifier of a certificate in the evidence: ACM ARNs, IAM ARNs and IAM ids.
known contains r.row.CertificateArn if some r in lib.rows("aws.acm.DescribeCertificate")

known contains id if {
	some r in lib.rows("aws.iam.ListServerCertificates")
	some id in [r.row.Arn, r.row.ServerCertificateId]
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

# IAM server certificates in use: named by ARN (a listener) or by id (CloudFront).
iam_in_use contains r if {
	some r in lib.rows("aws.iam.ListServerCertificates")
	some id in [r.row.Arn, r.row.ServerCertificateId]
	id in named
}

iam_params(row) := {"certificate": row.Arn, "domain": row.ServerCertificateName, "not_after": object.get(row, "Expiration", null), "min_days": min_days}

iam_expiry_known(row) if is_string(object.get(row, "Expiration", null))

findings contains lib.fail("expiring", object.union(iam_params(r.row), {"days_left": days_left(object.union(r.row, {"NotAfter": r.row.Expiration}))}), r.row.Arn, lib.row_ref(r.item, r.index)) if {
	some r in iam_in_use
	iam_expiry_known(r.row)
	days_left(object.union(r.row, {"NotAfter": r.row.Expiration})) < min_days
}

findings contains lib.pass("valid", object.union(iam_params(r.row), {"days_left": days_left(object.union(r.row, {"NotAfter": r.row.Expiration}))}), r.row.Arn, lib.row_ref(r.item, r.index)) if {
	some r in iam_in_use
	iam_expiry_known(r.row)
	days_left(object.union(r.row, {"NotAfter": r.row.Expiration})) >= min_days
}

# AWS documents Expiration as optional: a certificate in use without one cannot be judged.
findings contains lib.fail("expiry_unknown", iam_params(r.row), r.row.Arn, lib.row_ref(r.item, r.index)) if {
	some r in iam_in_use
	not iam_expiry_known(r.row)
}

findings contains lib.fail("certificate_not_found", {"certificate": x.certificate, "user": x.user}, x.certificate, x.ref) if {
	some x in refs
	not x.certificate in known
}

findings contains lib.pass("none_in_use", {}, "acm", lib.whole_ref(aws.first_item("aws.acm.DescribeCertificate"))) if {
	(count(in_use) + count(iam_in_use)) + count(refs) == 0
}
