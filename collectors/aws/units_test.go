package aws_test

import (
	"bytes"
	"context"
	"sort"
	"strings"
	"testing"

	shokoaws "github.com/shoko-audit/shoko/collectors/aws"
	"github.com/shoko-audit/shoko/demo/awsestate"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/internal/motofront"
)

// The unit list split three ways and collected by three collections gives exactly the items of
// one collection, with a region declared closed (aws.denied_regions) and denied by an SCP: its
// units go with the account's unit (BoundTo), so the region is still "denied as declared" in the
// region list and its error items are left out. Split without that binding, the closed region's
// items land in another collection, which cannot judge them: the test shows the difference.
func TestUnitsSplitThreeWaysEqualOneCollection(t *testing.T) {
	const closed = "eu-west-1"
	e := newEnv(t)
	if err := e.front.InjectFaults(0, motofront.Fault{Operation: "*", Region: closed, Kind: motofront.SCPDenied, Rate: 1}); err != nil {
		t.Fatal(err)
	}
	defer e.front.InjectFaults(0) //nolint:errcheck // no faults is always valid
	o := shokoaws.Options{Regions: []string{awsestate.Region, closed}, DeniedRegions: []string{closed}, MaxAttempts: 1,
		EndpointURL: e.front.URL, TempBuckets: []string{}} // no bucket: its error would carry a request id
	whole := e.collect(t, o)

	c := shokoaws.New(o)
	units, problems, err := c.ListUnits(context.Background(), testNow)
	if err != nil || len(problems) > 0 {
		t.Fatalf("list units: %v %v", err, problems)
	}
	perRegion := 0
	for _, u := range units {
		if u.Region == awsestate.Region {
			perRegion++
		}
	}
	if want := 1 + 2*perRegion; len(units) != want || perRegion < 10 {
		t.Fatalf("%d units (%d per region), want the account unit and %d per region in 2 regions: %v", len(units), perRegion, perRegion, units)
	}

	split := func(group func(shokoaws.Unit) shokoaws.Unit) []evidence.Item {
		part := map[shokoaws.Unit]int{}
		for _, u := range units {
			if _, ok := part[group(u)]; !ok {
				part[group(u)] = len(part) % 3
			}
		}
		var all []evidence.Item
		for p := range 3 {
			po := o
			po.Units, po.Select = units, func(u shokoaws.Unit) bool { return part[group(u)] == p }
			all = append(all, e.collect(t, po)...)
		}
		sort.Slice(all, func(i, j int) bool { return evidence.FileName(all[i]) < evidence.FileName(all[j]) })
		return all
	}
	t.Run("bound units together: the same items", func(t *testing.T) {
		got := split(c.BoundTo)
		if d := itemsDiffer(t, whole, got); d != "" {
			t.Fatal(d)
		}
		region, _ := find(got, shokoaws.KindRegions, awsestate.Account, shokoaws.GlobalRegion)
		if !strings.Contains(string(region.Data), `"DeniedBySCP":true`) {
			t.Errorf("the region list does not say %s is denied as declared:\n%s", closed, region.Data)
		}
	})
	t.Run("without the binding: the closed region is not judged", func(t *testing.T) {
		got := split(func(u shokoaws.Unit) shokoaws.Unit { return u })
		if itemsDiffer(t, whole, got) == "" {
			t.Fatal("the closed region's units split from the account's unit gave the same items: the binding is not what the test thinks")
		}
	})
}

// An account that cannot be identified when the run starts keeps its account unit (and the
// "regions unknown" unit): collected from that list, it gives exactly the error items of one
// collection. The account of the base credentials, unidentified, has no id to list: an error.
func TestUnreachableAccountsWhenListingUnits(t *testing.T) {
	e := newEnv(t)
	o := shokoaws.Options{Regions: []string{awsestate.Region}, Accounts: []shokoaws.Account{{ID: "222222222222"}}, EndpointURL: e.front.URL, TempBuckets: []string{}}
	units, problems, err := shokoaws.New(o).ListUnits(context.Background(), testNow)
	if err != nil || len(problems) != 1 || !strings.Contains(problems[0], "not the configured 222222222222") {
		t.Fatalf("units %v, problems %v, err %v; want the account named as a problem", units, problems, err)
	}
	want := []shokoaws.Unit{{Account: "222222222222", Region: shokoaws.AllRegions, Service: shokoaws.UnitRegionsUnknown},
		{Account: "222222222222", Region: shokoaws.GlobalRegion, Service: shokoaws.UnitAccount}}
	if len(units) != 2 || units[0] != want[0] || units[1] != want[1] {
		t.Fatalf("units %v, want %v", units, want)
	}
	whole := e.collect(t, o)
	o.Units = units
	if d := itemsDiffer(t, whole, e.collect(t, o)); d != "" {
		t.Fatalf("collected from the unit list:\n%s", d)
	}

	t.Run("the base credentials' account", func(t *testing.T) {
		o := shokoaws.Options{EndpointURL: "http://127.0.0.1:1", MaxAttempts: 1}
		if _, _, err := shokoaws.New(o).ListUnits(context.Background(), testNow); err == nil || !strings.Contains(err.Error(), "identify the account of the base credentials") {
			t.Fatalf("err %v, want the listing refused", err)
		}
	})
}

// A unit list naming a service group the collector does not have is refused, not skipped.
func TestUnknownUnitIsRefused(t *testing.T) {
	e := newEnv(t)
	o := shokoaws.Options{EndpointURL: e.front.URL, Units: []shokoaws.Unit{{Account: awsestate.Account, Region: awsestate.Region, Service: "lightsail"}}}
	_, err := shokoaws.New(o).Collect(context.Background(), testNow)
	if err == nil || !strings.Contains(err.Error(), "not a unit of the AWS collector") {
		t.Fatalf("err %v, want the unit refused", err)
	}
	o.Units = []shokoaws.Unit{{Account: awsestate.Account, Region: awsestate.Region, Service: "ec2"}}
	if _, err := shokoaws.New(o).Collect(context.Background(), testNow); err != nil {
		t.Fatalf("a known unit: %v", err)
	}
}

// itemsDiffer compares two collections item by item, request ids left out (moto gives every
// call a new one); "" when they are the same.
func itemsDiffer(t *testing.T, want, got []evidence.Item) string {
	t.Helper()
	enc := func(items []evidence.Item) map[string][]byte {
		out := map[string][]byte{}
		for _, it := range items {
			if it.Request != nil {
				r := *it.Request
				r.RequestIDs = nil
				it.Request = &r
			}
			b, err := evidence.Encode(it)
			if err != nil {
				t.Fatal(err)
			}
			out[evidence.FileName(it)] = b
		}
		return out
	}
	w, g := enc(want), enc(got)
	var diffs []string
	for name, b := range w {
		if gb, ok := g[name]; !ok {
			diffs = append(diffs, name+": missing")
		} else if !bytes.Equal(b, gb) {
			diffs = append(diffs, name+": differs")
		}
	}
	for name := range g {
		if _, ok := w[name]; !ok {
			diffs = append(diffs, name+": extra")
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 10 {
		diffs = append(diffs[:10], "…")
	}
	return strings.Join(diffs, "\n")
}
