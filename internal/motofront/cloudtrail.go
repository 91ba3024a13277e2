package motofront

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
)

// OrgTrail is an organization trail (IsOrganizationTrail) created in the organization's
// management account, as its member accounts see it. moto keeps trails per account and knows
// nothing of organization trails, so the front adds it to every DescribeTrails answer that asks
// for shadow trails and answers GetTrailStatus and GetEventSelectors for its ARN. The management
// account itself is not one of moto's accounts here: every caller is a member.
type OrgTrail struct {
	ARN, Name, HomeRegion, Bucket string
	Logging, LogFileValidation    bool
}

// AddOrganizationTrail makes the organization trail visible to the member accounts.
func (f *Front) AddOrganizationTrail(t OrgTrail) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.orgTrails = append(f.orgTrails, t)
}

// defaultEventSelectors is what AWS answers for a trail created without event selectors: it
// logs every management event, read and write, and no data event. moto answers an empty list,
// which reads as "no management events".
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetEventSelectors.html
var defaultEventSelectors = []any{map[string]any{"ReadWriteType": "All", "IncludeManagementEvents": true,
	"DataResources": []any{}, "ExcludeManagementEventSources": []any{}}}

// cloudtrail answers the CloudTrail calls where moto differs from AWS, and reports whether it did.
func (f *Front) cloudtrail(w http.ResponseWriter, r *http.Request) bool {
	target := r.Header.Get("X-Amz-Target")
	op := target[strings.LastIndexByte(target, '.')+1:]
	if op != "DescribeTrails" && op != "GetTrailStatus" && op != "GetEventSelectors" {
		return false
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var in struct {
		IncludeShadowTrails *bool    `json:"includeShadowTrails"`
		TrailNameList       []string `json:"trailNameList"`
		Name, TrailName     string
	}
	_ = json.Unmarshal(body, &in)
	f.mu.Lock()
	orgs := append([]OrgTrail(nil), f.orgTrails...)
	f.mu.Unlock()
	org := func(arn string) (OrgTrail, bool) {
		i := slices.IndexFunc(orgs, func(t OrgTrail) bool { return t.ARN == arn })
		if i < 0 {
			return OrgTrail{}, false
		}
		return orgs[i], true
	}
	switch op {
	case "DescribeTrails":
		// includeShadowTrails defaults to true; with false AWS leaves the organization trails
		// out in a member account.
		// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html
		if in.IncludeShadowTrails != nil && !*in.IncludeShadowTrails {
			return false
		}
		var add []any
		for _, t := range orgs {
			if len(in.TrailNameList) > 0 && !slices.Contains(in.TrailNameList, t.ARN) {
				continue
			}
			add = append(add, map[string]any{"Name": t.Name, "TrailARN": t.ARN, "HomeRegion": t.HomeRegion, "S3BucketName": t.Bucket,
				"IsOrganizationTrail": true, "IsMultiRegionTrail": true, "IncludeGlobalServiceEvents": true,
				"LogFileValidationEnabled": t.LogFileValidation, "HasCustomEventSelectors": false, "HasInsightSelectors": false})
		}
		f.rewriteJSON(w, r, func(m map[string]any) {
			list, _ := m["trailList"].([]any)
			m["trailList"] = append(list, add...)
		})
	case "GetTrailStatus":
		t, ok := org(in.Name)
		if !ok {
			return false
		}
		writeAmzJSON(w, map[string]any{"IsLogging": t.Logging})
	case "GetEventSelectors":
		if t, ok := org(in.TrailName); ok {
			writeAmzJSON(w, map[string]any{"TrailARN": t.ARN, "EventSelectors": defaultEventSelectors})
			return true
		}
		f.rewriteJSON(w, r, func(m map[string]any) {
			es, _ := m["EventSelectors"].([]any)
			as, _ := m["AdvancedEventSelectors"].([]any)
			if _, isErr := m["__type"]; !isErr && len(es) == 0 && len(as) == 0 {
				m["EventSelectors"] = defaultEventSelectors
			}
		})
	}
	return true
}

// rewriteJSON forwards r to moto and passes its JSON answer through edit (errors unchanged).
func (f *Front) rewriteJSON(w http.ResponseWriter, r *http.Request, edit func(map[string]any)) {
	rec := httptest.NewRecorder()
	f.proxy.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	if rec.Code == http.StatusOK {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err == nil {
			edit(m)
			if b, err := json.Marshal(m); err == nil {
				body = b
			}
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

func writeAmzJSON(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("x-amzn-RequestId", "motofront")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}
