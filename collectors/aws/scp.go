package aws

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/shoko-audit/shoko/evidence"
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
	return markSCPHint(err, "")
}

// markSCPHint is markSCP with a hint added to the explanation (what to do about it).
func markSCPHint(err error, hint string) error {
	if err == nil || !deniedBySCP(err) || strings.HasPrefix(err.Error(), DeniedBySCPPrefix) {
		return err
	}
	return fmt.Errorf("%sa service control policy of the organization explicitly denies this call (the region or service is closed to the account%s): %w", DeniedBySCPPrefix, hint, err)
}

// deniedRegionHint is the fix an SCP denial in a region suggests, unless the region is declared.
func deniedRegionHint(region string, declared []string) string {
	if region == GlobalRegion || region == "all" || slices.Contains(declared, region) {
		return ""
	}
	return "; if the organization closes " + region + " on purpose, list it in aws.denied_regions in shoko.yaml"
}

// DeclaredDenial is added, as "DeclaredDenied", to the row of every region of aws.denied_regions
// in the region list (aws.ec2.DescribeRegions), so an auditor sees why a region has no data: the
// config declares it closed, and what AWS answered there.
type DeclaredDenial struct {
	// DeclaredIn names the setting that declares the region closed.
	DeclaredIn string `json:"DeclaredIn"`
	// DeniedBySCP is true when every call made in the region was answered with a service
	// control policy's explicit deny: its items are left out and the region is not counted as
	// enabled. False when the region answered (it was collected as usual) or was not collected.
	DeniedBySCP bool `json:"DeniedBySCP"`
	// DeniedKinds counts the kinds whose calls were denied; Answer is AWS's answer to the first
	// of them (by kind), request ids removed.
	DeniedKinds int    `json:"DeniedKinds,omitempty"`
	Answer      string `json:"Answer,omitempty"`
}

// requestIDRE matches the per-call ids in an SDK error, which differ from call to call.
var requestIDRE = regexp.MustCompile(`(RequestID|HostID): [^,]*, `)

// declaredDenials applies aws.denied_regions to one account's items. A declared region whose
// every item is an SCP denial is denied as declared: its items are dropped and its row of the
// region list says so, with the answer. A declared region with any other answer keeps every item
// (never skipped on the config's word: data could be there). The region item is returned with
// the declaration in each declared region's row.
func (c *Collector) declaredDenials(items []evidence.Item, listed []ec2types.Region, regionItem evidence.Item, now time.Time) ([]evidence.Item, evidence.Item) {
	if len(c.Opts.DeniedRegions) == 0 || regionItem.Status != evidence.StatusOK {
		return items, regionItem
	}
	marks := map[string]*DeclaredDenial{}
	for _, r := range c.Opts.DeniedRegions {
		marks[r] = &DeclaredDenial{DeclaredIn: "aws.denied_regions"}
	}
	in := map[string][]evidence.Item{}
	for _, it := range items {
		if r := it.Scope["region"]; marks[r] != nil {
			in[r] = append(in[r], it)
		}
	}
	denied := map[string]bool{}
	for r, its := range in {
		all := true
		for _, it := range its {
			if it.Status != evidence.StatusError || it.Error == nil || !strings.HasPrefix(*it.Error, DeniedBySCPPrefix) {
				all = false
				break
			}
		}
		if !all {
			continue
		}
		sort.Slice(its, func(i, j int) bool { return its[i].Kind < its[j].Kind })
		denied[r] = true
		m := marks[r]
		m.DeniedBySCP, m.DeniedKinds = true, len(its)
		m.Answer = requestIDRE.ReplaceAllString(strings.TrimPrefix(*its[0].Error, DeniedBySCPPrefix), "")
	}
	rows := make([]map[string]any, 0, len(listed))
	for _, r := range listed {
		row := perResource("RegionName", aws.ToString(r.RegionName), r)
		if m := marks[aws.ToString(r.RegionName)]; m != nil {
			row["DeclaredDenied"] = m
		}
		rows = append(rows, row)
	}
	region, err := evidence.NewOK(KindRegions, regionItem.Scope, now, regionItem.Collector, regionItem.Request, rows)
	if err != nil {
		return items, regionItem // the denials stay error items: fail closed
	}
	kept := items[:0:0]
	for _, it := range items {
		if !denied[it.Scope["region"]] {
			kept = append(kept, it)
		}
	}
	return kept, region
}
