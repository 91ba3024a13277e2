package aws

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"
)

// scpDenyPhrase is how AWS says that a service control policy of the organization denies a
// call: "User: … is not authorized to perform: ec2:DescribeInstances with an explicit deny in a
// service control policy". A region-deny SCP answers every call in a closed region this way.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_denied-error-messages.html
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html
const scpDenyPhrase = "explicit deny in a service control policy"

// DeniedBySCPPrefix starts the error of an item whose call a service control policy denied.
const DeniedBySCPPrefix = "denied_by_scp: "

// deniedBySCP reports whether err is AWS's explicit-deny answer from a service control policy.
func deniedBySCP(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	return strings.Contains(strings.ToLower(ae.ErrorMessage()), scpDenyPhrase)
}

// markSCP makes an SCP denial say so first, so the item (and the control's error reason) names
// the service control policy rather than looking like an outage or a missing IAM permission.
func markSCP(err error) error {
	if err == nil || !deniedBySCP(err) {
		return err
	}
	return fmt.Errorf("%sa service control policy of the organization explicitly denies this call (the region or service is closed to the account): %w", DeniedBySCPPrefix, err)
}
