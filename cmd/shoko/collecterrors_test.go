package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/evidence"
)

// The same AWS error in several regions is one warning line naming the regions (request ids and
// the region's own name in the text do not make causes differ); different causes stay apart, and
// a lone error keeps its own words.
func TestSameCollectionErrorAcrossRegionsWarnedOnce(t *testing.T) {
	denied := func(region, reqID string) evidence.Stored {
		msg := fmt.Sprintf("DescribeVolumes in account 123456789012, region %s: operation error EC2: DescribeVolumes, https response error StatusCode: 403, RequestID: %s, api error UnauthorizedOperation: You are not authorized to perform this operation. (ec2.%s.amazonaws.com)", region, reqID, region)
		return evidence.Stored{Item: evidence.Item{Kind: "aws.ec2.DescribeVolumes", Status: evidence.StatusError, Error: &msg,
			Scope: map[string]string{"source": "aws", "account": "123456789012", "region": region}}, Path: "aws.ec2.DescribeVolumes/123456789012_" + region + "_aws.json"}
	}
	throttled := func(region string) evidence.Stored {
		msg := "DescribeSnapshots in account 123456789012, region " + region + ": operation error EC2: DescribeSnapshots, exceeded maximum number of attempts, 5, api error RequestLimitExceeded: Request limit exceeded."
		return evidence.Stored{Item: evidence.Item{Kind: "aws.ec2.DescribeSnapshots", Status: evidence.StatusError, Error: &msg,
			Scope: map[string]string{"source": "aws", "account": "123456789012", "region": region}}, Path: "aws.ec2.DescribeSnapshots/123456789012_" + region + "_aws.json"}
	}
	noIdentity := func(kind string) evidence.Stored {
		msg := "identify account unknown: operation error STS: GetCallerIdentity, get identity: get credentials: failed to refresh cached credentials, no EC2 IMDS role found"
		return evidence.Stored{Item: evidence.Item{Kind: kind, Status: evidence.StatusError, Error: &msg,
			Scope: map[string]string{"source": "aws", "account": "unknown", "region": "global"}}, Path: kind + "/unknown_global_aws.json"}
	}
	cases := []struct {
		name      string
		items     []evidence.Stored
		wantLines int
		want      []string
	}{
		{"AccessDenied on one operation in 3 regions: one line naming them",
			[]evidence.Stored{denied("ap-northeast-1", "a1"), denied("eu-west-1", "b2"), denied("us-east-1", "c3")}, 1,
			[]string{"items=3", "regions=ap-northeast-1,eu-west-1,us-east-1", "region {region}", "UnauthorizedOperation"}},
		{"no credentials for every kind: one line listing the kinds",
			[]evidence.Stored{noIdentity("aws.ec2.DescribeVolumes"), noIdentity("aws.iam.GetAccountSummary"), noIdentity("aws.s3.ListBuckets")}, 1,
			[]string{"items=3", "kinds=aws.ec2.DescribeVolumes,aws.iam.GetAccountSummary,aws.s3.ListBuckets", "accounts=unknown", "no EC2 IMDS role found"}},
		{"two causes: two lines", []evidence.Stored{denied("eu-west-1", "b2"), throttled("us-east-1")}, 2,
			[]string{"RequestLimitExceeded", "UnauthorizedOperation", "region eu-west-1", "RequestID: b2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			a := &app{log: slog.New(slog.NewTextHandler(&buf, nil))}
			if n := a.warnCollectionErrors(tc.items); n != len(tc.items) {
				t.Errorf("%d errors counted, want %d", n, len(tc.items))
			}
			out := buf.String()
			if n := strings.Count(out, "evidence could not be collected"); n != tc.wantLines {
				t.Errorf("%d warning lines, want %d:\n%s", n, tc.wantLines, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("warnings do not say %q:\n%s", w, out)
				}
			}
		})
	}
}

// In the summary, a collection error shared by several error controls is printed once, the
// controls pointing at it; a cause of one control alone stays in its row.
func TestSummaryPrintsASharedErrorCauseOnce(t *testing.T) {
	const shared = "identify account unknown: operation error STS: GetCallerIdentity, get identity: get credentials: failed to refresh cached credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata, request canceled, context deadline exceeded"
	errCtl := func(id, path, cause string) engine.ControlResult {
		return engine.ControlResult{ID: id, Status: engine.StatusError, Reason: engine.Text{
			EN: "evidence " + path + " could not be collected: " + cause, JA: "証跡 " + path + " を収集できませんでした: " + cause}}
	}
	cases := []struct {
		name        string
		controls    []engine.ControlResult
		wantShared  int // times the shared cause is printed
		wantMarkers []string
	}{
		{"3 controls with one cause: printed once", []engine.ControlResult{
			errCtl("ENC-01", "aws.rds.DescribeDBInstances/unknown_global_aws.json", shared),
			errCtl("GEO-01", "aws.ec2.DescribeVolumes/unknown_global_aws.json", shared),
			errCtl("LOG-01", "aws.cloudtrail.DescribeTrails/unknown_global_aws.json", shared),
			{ID: "TRN-01", Status: engine.StatusPass, Reason: engine.Text{EN: "every finding passes", JA: "すべて合格"}},
		}, 1, []string{"[cause 1] (3 controls) identify account unknown", "unknown_global_aws.json could not be collected: [cause 1]"}},
		{"one control with the cause: in its row", []engine.ControlResult{
			errCtl("ENC-01", "aws.rds.DescribeDBInstances/unknown_global_aws.json", shared),
			errCtl("GEO-01", "aws.ec2.DescribeVolumes/unknown_global_aws.json", "another cause"),
		}, 1, []string{"could not be collected: identify account unknown", "could not be collected: another cause"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, lang := range []string{"en", "ja"} {
				var buf bytes.Buffer
				writeSummary(&buf, &engine.Results{RunID: "r", Controls: tc.controls, Summary: map[string]int{}}, lang)
				out := buf.String()
				if n := strings.Count(out, shared); n != tc.wantShared {
					t.Errorf("%s: the shared cause printed %d times, want %d:\n%s", lang, n, tc.wantShared, out)
				}
				if lang == "en" {
					for _, w := range tc.wantMarkers {
						if !strings.Contains(out, w) {
							t.Errorf("summary does not say %q:\n%s", w, out)
						}
					}
				}
			}
		})
	}
}

// The terminal summary prints the times in a reason as the reports do, in JST, so the ja summary
// reads like the ja report; a reason without a time is unchanged.
func TestSummaryPrintsTimesInJST(t *testing.T) {
	cases := []struct {
		name, reason, want, notWant string
	}{
		{"a UTC time becomes JST", "purged 2026-05-18T01:00:00Z, over the limit", "purged 2026-05-18 10:00 JST, over the limit", "2026-05-18T01:00:00Z"},
		{"no time: unchanged", "every finding passes", "every finding passes", "JST"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			writeSummary(&buf, &engine.Results{RunID: "r", Summary: map[string]int{}, Controls: []engine.ControlResult{
				{ID: "DEL-01", Status: engine.StatusFail, Reason: engine.Text{EN: tc.reason, JA: tc.reason}}}}, "ja")
			if out := buf.String(); !strings.Contains(out, tc.want) || strings.Contains(out, tc.notWant) {
				t.Errorf("summary:\n%s\nwant %q and not %q", out, tc.want, tc.notWant)
			}
		})
	}
}
