package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

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
	cases := []struct {
		name      string
		items     []evidence.Stored
		wantLines int
		want      []string
	}{
		{"AccessDenied on one operation in 3 regions: one line naming them",
			[]evidence.Stored{denied("ap-northeast-1", "a1"), denied("eu-west-1", "b2"), denied("us-east-1", "c3")}, 1,
			[]string{"items=3", "regions=ap-northeast-1,eu-west-1,us-east-1", "region {region}", "UnauthorizedOperation"}},
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
