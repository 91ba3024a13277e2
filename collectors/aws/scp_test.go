package aws_test

import (
	"fmt"
	"strings"
	"testing"

	shokoaws "github.com/shoko-audit/shoko/collectors/aws"
	"github.com/shoko-audit/shoko/demo/awsestate"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/internal/motofront"
)

// A region the organization closes with a region-deny SCP answers every call with an explicit
// deny. Each item of that region says a service control policy denies it, the controls reading
// them stay `error` with a reason naming the SCP, and the allowed region is collected as usual.
// A plain AccessDenied (a missing IAM permission) is not called an SCP denial.
func TestRegionDeniedBySCPIsNamed(t *testing.T) {
	const closed = "eu-west-1"
	cases := []struct {
		name    string
		kind    motofront.FaultKind
		wantSCP bool
	}{
		{"an explicit deny in an SCP is named", motofront.SCPDenied, true},
		{"a plain access denial is not called an SCP", motofront.AccessDenied, false},
	}
	e := newEnv(t)
	e.seed(t, awsestate.Options{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, items, _ := e.collectUnder(t, shokoaws.Options{Regions: []string{awsestate.Region, closed}, MaxAttempts: 1}, 0,
				motofront.Fault{Operation: "*", Region: closed, Kind: tc.kind, Rate: 1})
			n := 0
			for _, it := range items {
				if it.Scope["region"] != closed {
					continue
				}
				n++
				if it.Status != evidence.StatusError {
					t.Errorf("%s in %s: %s, want error", it.Kind, closed, it.Status)
					continue
				}
				if named := strings.HasPrefix(*it.Error, shokoaws.DeniedBySCPPrefix) && strings.Contains(*it.Error, "service control policy"); named != tc.wantSCP {
					t.Errorf("%s in %s: SCP named %v, want %v: %s", it.Kind, closed, named, tc.wantSCP, *it.Error)
				}
			}
			if n == 0 {
				t.Fatalf("no item for the closed region %s", closed)
			}
			if db, _ := find(items, shokoaws.KindDBInstances, awsestate.Account, awsestate.Region); db.Status != evidence.StatusOK {
				t.Errorf("the allowed region %s was not collected (%s)", awsestate.Region, db.Status)
			}
			geo := got["GEO-01"]
			if geo.Status != engine.StatusError {
				t.Fatalf("GEO-01 %s, want error: %s", geo.Status, geo.Reason.EN)
			}
			if strings.Contains(geo.Reason.EN, "service control policy") != tc.wantSCP {
				t.Errorf("GEO-01's reason names the SCP: %v, want %v: %s", !tc.wantSCP, tc.wantSCP, geo.Reason.EN)
			}
		})
	}
}

// AWS's example region-deny SCP closes us-east-1, where GetBucketLocation through a us-east-1
// client would be denied. Bucket regions are read with HeadBucket in the home region
// (x-amz-bucket-region), so S3 closed in us-east-1 leaves them readable.
func TestBucketRegionsReadableWithUSEast1Closed(t *testing.T) {
	e := newEnv(t)
	e.seed(t, awsestate.Options{})
	_, items, _ := e.collectUnder(t, shokoaws.Options{Regions: []string{awsestate.Region}, MaxAttempts: 1}, 0,
		motofront.Fault{Operation: "s3:*", Region: "us-east-1", Kind: motofront.SCPDenied, Rate: 1})
	it, ok := find(items, shokoaws.KindBucketLocation, awsestate.Account, shokoaws.GlobalRegion)
	if !ok || it.Status != evidence.StatusOK {
		msg := "no item"
		if it.Error != nil {
			msg = *it.Error
		}
		t.Fatalf("bucket regions not read with us-east-1 closed: %s", msg)
	}
	regions := map[string]any{}
	for _, r := range rows(t, it) {
		regions[r["Bucket"].(string)] = r["Region"]
	}
	for bucket, want := range map[string]string{awsestate.DataBucket: awsestate.Region, "cardsvc-dr-osaka": "ap-northeast-3"} {
		if regions[bucket] != want {
			t.Errorf("bucket %s: region %v, want %s", bucket, regions[bucket], want)
		}
	}
}

// aws.denied_regions: a region the config declares closed whose every call an SCP denies is
// recorded as denied as declared — no error items, the declaration and the SCP's answer in its
// row of the region list — so no control is `error` for it. Declared but answering, it is
// collected as usual (never skipped on the config's word). Denied but not declared, it stays
// `error`, the reason naming the SCP and the setting that would declare it.
func TestDeclaredDeniedRegions(t *testing.T) {
	const closed = "eu-west-1"
	scp := motofront.Fault{Operation: "*", Region: closed, Kind: motofront.SCPDenied, Rate: 1}
	cases := []struct {
		name     string
		declared []string
		faults   []motofront.Fault
		// want: "denied" (no items, row says denied), "collected" (ok items), "error"
		want string
	}{
		{"declared and denied: denied as declared, no control error", []string{closed}, []motofront.Fault{scp}, "denied"},
		{"declared but answering: collected as usual", []string{closed}, nil, "collected"},
		{"denied but not declared: error naming the SCP and aws.denied_regions", nil, []motofront.Fault{scp}, "error"},
		{"declared, one service denied: not denied as declared, its items stay error", []string{closed},
			[]motofront.Fault{{Operation: "ec2:*", Region: closed, Kind: motofront.SCPDenied, Rate: 1}}, "partial"},
	}
	e := newEnv(t)
	e.seed(t, awsestate.Options{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, items, _ := e.collectUnder(t, shokoaws.Options{Regions: []string{awsestate.Region, closed}, DeniedRegions: tc.declared, MaxAttempts: 1}, 0, tc.faults...)
			var in []evidence.Item
			for _, it := range items {
				if it.Scope["region"] == closed {
					in = append(in, it)
				}
			}
			regionItem, _ := find(items, shokoaws.KindRegions, awsestate.Account, shokoaws.GlobalRegion)
			var mark map[string]any
			for _, r := range rows(t, regionItem) {
				if r["RegionName"] == closed {
					mark, _ = r["DeclaredDenied"].(map[string]any)
				}
			}
			if (mark != nil) != (tc.declared != nil) {
				t.Errorf("region row's declaration %v, want one: %v", mark, tc.declared != nil)
			}
			switch tc.want {
			case "denied":
				if len(in) != 0 {
					t.Errorf("%d items kept for the region denied as declared, first %s %s", len(in), in[0].Kind, in[0].Status)
				}
				if mark["DeniedBySCP"] != true || !strings.Contains(fmt.Sprint(mark["Answer"]), "service control policy") {
					t.Errorf("region row does not show the SCP's answer: %v", mark)
				}
				for _, id := range sectionA {
					if c := got[id]; c.Status == engine.StatusError {
						t.Errorf("%s error: %s", id, c.Reason.EN)
					}
				}
			case "collected":
				if len(in) == 0 {
					t.Fatalf("the declared region %s that answers was not collected", closed)
				}
				for _, it := range in {
					if it.Status != evidence.StatusOK {
						t.Errorf("%s in %s: %s", it.Kind, closed, it.Status)
					}
				}
				if mark["DeniedBySCP"] != false {
					t.Errorf("an answering region recorded as denied: %v", mark)
				}
			case "partial":
				var errs, oks int
				for _, it := range in {
					if it.Status == evidence.StatusError {
						errs++
					} else {
						oks++
					}
				}
				if errs == 0 || oks == 0 || mark["DeniedBySCP"] != false {
					t.Errorf("partial denial: %d error and %d ok items kept, row %v; want both kept, not denied as declared", errs, oks, mark)
				}
				if geo := got["GEO-01"]; geo.Status != engine.StatusError {
					t.Errorf("GEO-01 %s with ec2 denied in a declared region, want error", geo.Status)
				}
			case "error":
				if len(in) == 0 {
					t.Fatalf("no item for the denied region %s", closed)
				}
				geo := got["GEO-01"]
				if geo.Status != engine.StatusError || !strings.Contains(geo.Reason.EN, "service control policy") || !strings.Contains(geo.Reason.EN, "aws.denied_regions") {
					t.Errorf("GEO-01 %s, want error naming the SCP and aws.denied_regions: %s", geo.Status, geo.Reason.EN)
				}
			}
		})
	}
}
