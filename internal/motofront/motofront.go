// Package motofront is a reverse proxy in front of moto_server that answers, from seeded data,
// exactly the AWS operations moto 5.2.1 does not implement, and forwards everything else to
// moto unchanged. The answers are in AWS's own wire format (REST-JSON), so the real SDK clients
// parse them as they would AWS's.
//
// Operations served here (moto answers 404 or 500 for them):
//   - backup ListRecoveryPointsByBackupVault, ListBackupJobs, ListRestoreJobs,
//     ListProtectedResources, ListBackupSelections, GetBackupSelection
//   - guardduty ListFindings, GetFindings
//   - cloudtrail, where moto's answer differs from AWS's: organization trails seen from member
//     accounts, and a trail's default event selectors (cloudtrail.go)
//
// AWS behaviour moto lacks: acm ListCertificates' default key-type filter (acm.go), the real
// Expiration of iam ListServerCertificates (iam.go), only the default certificate in
// elasticloadbalancing DescribeListeners (elbv2.go);
// and one state moto cannot hold: MFA on the root user (iam GetAccountSummary is moto's answer
// with AccountMFAEnabled rewritten when SetRootMFA(true)).
//
// Data is kept per region (read from the request's SigV4 credential scope). Lists are paged
// with PageSize (default 2, smaller than any real page, so pagination is always exercised).
package motofront

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RecoveryPoint is a completed (or failed) backup in a vault.
type RecoveryPoint struct {
	Vault, RecoveryPointArn, ResourceArn, ResourceType, Status string
	Created                                                    time.Time
	DeleteAfterDays                                            int64
}

// Selection is a backup plan's resource selection (moto's CreateBackupSelection fails).
type Selection struct {
	PlanID, SelectionID, Name, IamRoleArn string
	Resources                             []string
	// Tags are STRINGEQUALS conditions key → value.
	Tags    map[string]string
	Created time.Time
}

// RestoreJob is a restore of a recovery point.
type RestoreJob struct {
	ID, RecoveryPointArn, CreatedResourceArn, ResourceType, Status string
	Created                                                        time.Time
}

// ProtectedResource is a resource AWS Backup has backed up.
type ProtectedResource struct {
	ResourceArn, ResourceType string
	LastBackup                time.Time
}

// Finding is a GuardDuty finding of a detector.
type Finding struct {
	DetectorID, ID, Type, Title string
	Severity                    float64
	Created, Updated            time.Time
	Archived                    bool
	ResourceType                string
}

// Front is the proxy. Create it with Start.
type Front struct {
	// URL is the front's endpoint: point the SDK here instead of at moto.
	URL string
	// PageSize is the page length of every list served here.
	PageSize int

	srv   *httptest.Server
	proxy *httputil.ReverseProxy
	mu    sync.Mutex
	// Per region.
	points    map[string][]RecoveryPoint
	selection map[string][]Selection
	restores  map[string][]RestoreJob
	protected map[string][]ProtectedResource
	findings  map[string][]Finding
	orgTrails []OrgTrail // see cloudtrail.go
	rootMFA   bool
	// denied lists "service region" pairs answered with AccessDenied.
	denied map[string]bool
	// faults and calls: see faults.go.
	faults   []Fault
	seed     uint64
	attempts map[string]int
	// latency is added before every answer, as the network to AWS adds it (moto answers at once).
	latency time.Duration
	// extra: see organizations.go.
	extra extraState
}

// SetLatency adds d before every answer (0: none), so a benchmark sees calls that wait on the
// network as they do against AWS, where moto on loopback answers at once.
func (f *Front) SetLatency(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.latency = d
}

// Start starts a front forwarding to the moto server at motoURL.
func Start(motoURL string) (*Front, error) {
	target, err := url.Parse(motoURL)
	if err != nil {
		return nil, fmt.Errorf("moto url %q: %w", motoURL, err)
	}
	f := &Front{PageSize: 2, proxy: httputil.NewSingleHostReverseProxy(target)}
	f.Reset()
	f.srv = httptest.NewServer(f)
	f.URL = f.srv.URL
	return f, nil
}

// SetRootMFA makes iam:GetAccountSummary report MFA on the root user (moto has no way to
// enable it: the answer is moto's, with AccountMFAEnabled rewritten).
func (f *Front) SetRootMFA(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rootMFA = on
}

// Close stops the front.
func (f *Front) Close() { f.srv.Close() }

// Reset forgets every seeded answer (call it with moto's own reset).
func (f *Front) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.points = map[string][]RecoveryPoint{}
	f.selection = map[string][]Selection{}
	f.restores = map[string][]RestoreJob{}
	f.protected = map[string][]ProtectedResource{}
	f.findings = map[string][]Finding{}
	f.orgTrails = nil
	f.rootMFA = false
	f.denied = map[string]bool{}
	f.faults, f.attempts = nil, map[string]int{}
	f.extra.reset()
}

// DenyEC2 makes every EC2 call in a region fail as AWS does when a policy or SCP denies it
// (403 UnauthorizedOperation), the way one region can be closed to an auditor.
func (f *Front) DenyEC2(region string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.denied["ec2 "+region] = true
}

// AddRecoveryPoint, AddSelection, AddRestoreJob, AddProtectedResource and AddFinding seed the
// answers of the operations moto lacks, in a region.
func (f *Front) AddRecoveryPoint(region string, rp RecoveryPoint) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.points[region] = append(f.points[region], rp)
}

func (f *Front) AddSelection(region string, s Selection) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.selection[region] = append(f.selection[region], s)
}

func (f *Front) AddRestoreJob(region string, j RestoreJob) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.restores[region] = append(f.restores[region], j)
}

func (f *Front) AddProtectedResource(region string, p ProtectedResource) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.protected[region] = append(f.protected[region], p)
}

func (f *Front) AddFinding(region string, fd Finding) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.findings[region] = append(f.findings[region], fd)
}

var (
	credScope      = regexp.MustCompile(`Credential=[^/]+/[0-9]+/([a-z0-9-]+)/([a-z0-9-]+)/`)
	recoveryPoints = regexp.MustCompile(`^/backup-vaults/([^/]+)/recovery-points/?$`)
	selections     = regexp.MustCompile(`^/backup/plans/([^/]+)/selections/?$`)
	oneSelection   = regexp.MustCompile(`^/backup/plans/([^/]+)/selections/([^/]+)/?$`)
	listFindings   = regexp.MustCompile(`^/detector/([^/]+)/findings$`)
	getFindings    = regexp.MustCompile(`^/detector/([^/]+)/findings/get$`)
)

// ServeHTTP counts the call, injects the fault it is due (see InjectFaults), and otherwise
// answers it with serve.
func (f *Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	d := f.latency
	f.mu.Unlock()
	if d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	c := f.classify(r)
	if kind, ok := f.faultFor(c); ok {
		f.injectFault(w, r, c, kind)
		return
	}
	f.serve(w, r)
}

// serve answers the operations moto lacks and forwards the rest.
func (f *Front) serve(w http.ResponseWriter, r *http.Request) {
	region, service := "", ""
	if m := credScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		region, service = m[1], m[2]
	}
	p := r.URL.Path
	f.mu.Lock()
	denied := f.denied[service+" "+region]
	f.mu.Unlock()
	switch {
	case f.serveExtra(w, r):
	case denied:
		// The EC2 protocol's error document.
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>motofront-denied</RequestID></Response>`)
	case service == "backup" && r.Method == http.MethodGet && recoveryPoints.MatchString(p):
		f.listRecoveryPoints(w, r, region, unescape(recoveryPoints.FindStringSubmatch(p)[1]))
	case service == "backup" && r.Method == http.MethodGet && selections.MatchString(p):
		f.listSelections(w, r, region, unescape(selections.FindStringSubmatch(p)[1]))
	case service == "backup" && r.Method == http.MethodGet && oneSelection.MatchString(p):
		m := oneSelection.FindStringSubmatch(p)
		f.getSelection(w, region, unescape(m[1]), unescape(m[2]))
	case service == "backup" && r.Method == http.MethodGet && strings.TrimSuffix(p, "/") == "/restore-jobs":
		f.listRestoreJobs(w, r, region)
	case service == "backup" && r.Method == http.MethodGet && strings.TrimSuffix(p, "/") == "/resources":
		f.listProtected(w, r, region)
	case service == "backup" && r.Method == http.MethodGet && strings.TrimSuffix(p, "/") == "/backup-jobs":
		f.listBackupJobs(w, r, region)
	case service == "guardduty" && r.Method == http.MethodPost && listFindings.MatchString(p):
		f.listFindings(w, r, region, listFindings.FindStringSubmatch(p)[1])
	case service == "guardduty" && r.Method == http.MethodPost && getFindings.MatchString(p):
		f.getFindings(w, r, region, getFindings.FindStringSubmatch(p)[1])
	case service == "cloudtrail" && f.cloudtrail(w, r):
	case service == "iam" && r.Method == http.MethodPost && f.isAction(r, "GetAccountSummary"):
		f.accountSummary(w, r)
	case service == "iam" && r.Method == http.MethodPost && f.isAction(r, "ListServerCertificates"):
		f.listServerCertificatesWithExpiry(w, r) // iam.go
	case service == "elasticloadbalancing" && r.Method == http.MethodPost && f.isAction(r, "DescribeListeners"):
		f.describeListenersDefaultCertificateOnly(w, r) // elbv2.go
	case isACMListCertificates(r, service):
		f.listCertificatesWithAWSDefaults(w, r) // acm.go
	default:
		f.proxy.ServeHTTP(w, r)
	}
}

// isAction reads the Query-protocol Action of a form POST, leaving the body readable.
func (f *Front) isAction(r *http.Request, action string) bool {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	v, err := url.ParseQuery(string(b))
	return err == nil && v.Get("Action") == action
}

var mfaEntry = regexp.MustCompile(`(<key>AccountMFAEnabled</key>\s*<value>)0(</value>)`)

// accountSummary forwards to moto and, when root MFA is set, rewrites that one entry.
func (f *Front) accountSummary(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	on := f.rootMFA
	f.mu.Unlock()
	rec := httptest.NewRecorder()
	f.proxy.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	if on {
		body = mfaEntry.ReplaceAll(body, []byte("${1}1${2}"))
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// epoch is how REST-JSON (backup) encodes a timestamp: seconds since 1970 as a number.
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// page cuts a list at the request's token (an index) and returns the next token.
func (f *Front) page(n int, token string, max int) (start, end int, next string) {
	size := f.PageSize
	if max > 0 && max < size {
		size = max
	}
	start, _ = strconv.Atoi(token)
	start = min(max0(start), n)
	end = min(start+size, n)
	if end < n {
		next = strconv.Itoa(end)
	}
	return start, end, next
}

func max0(i int) int {
	if i < 0 {
		return 0
	}
	return i
}

func queryInt(r *http.Request, key string) int {
	v, _ := strconv.Atoi(r.URL.Query().Get(key))
	return v
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", "motofront")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// notFound answers as AWS does for a missing resource (REST-JSON error shape).
func notFound(w http.ResponseWriter, msg string) {
	w.Header().Set("x-amzn-ErrorType", "ResourceNotFoundException")
	writeJSON(w, http.StatusNotFound, map[string]string{"__type": "ResourceNotFoundException", "Message": msg})
}

// withToken adds NextToken to a list answer when there is a next page.
func withToken(body map[string]any, key, next string) map[string]any {
	if next != "" {
		body[key] = next
	}
	return body
}

func (f *Front) listRecoveryPoints(w http.ResponseWriter, r *http.Request, region, vault string) {
	f.mu.Lock()
	var pts []RecoveryPoint
	for _, rp := range f.points[region] {
		if rp.Vault == vault {
			pts = append(pts, rp)
		}
	}
	f.mu.Unlock()
	sort.Slice(pts, func(i, j int) bool { return pts[i].RecoveryPointArn < pts[j].RecoveryPointArn })
	start, end, next := f.page(len(pts), r.URL.Query().Get("nextToken"), queryInt(r, "maxResults"))
	out := []map[string]any{}
	for _, rp := range pts[start:end] {
		out = append(out, map[string]any{
			"RecoveryPointArn": rp.RecoveryPointArn,
			"BackupVaultName":  rp.Vault,
			"BackupVaultArn":   fmt.Sprintf("arn:aws:backup:%s:123456789012:backup-vault:%s", region, rp.Vault),
			"ResourceArn":      rp.ResourceArn,
			"ResourceType":     rp.ResourceType,
			"Status":           rp.Status,
			"CreationDate":     epoch(rp.Created),
			"CompletionDate":   epoch(rp.Created.Add(10 * time.Minute)),
			"Lifecycle":        map[string]any{"DeleteAfterDays": rp.DeleteAfterDays},
		})
	}
	writeJSON(w, http.StatusOK, withToken(map[string]any{"RecoveryPoints": out}, "NextToken", next))
}

func (f *Front) listSelections(w http.ResponseWriter, r *http.Request, region, plan string) {
	f.mu.Lock()
	var sels []Selection
	for _, s := range f.selection[region] {
		if s.PlanID == plan {
			sels = append(sels, s)
		}
	}
	f.mu.Unlock()
	sort.Slice(sels, func(i, j int) bool { return sels[i].SelectionID < sels[j].SelectionID })
	start, end, next := f.page(len(sels), r.URL.Query().Get("nextToken"), queryInt(r, "maxResults"))
	out := []map[string]any{}
	for _, s := range sels[start:end] {
		out = append(out, map[string]any{"SelectionId": s.SelectionID, "SelectionName": s.Name,
			"BackupPlanId": s.PlanID, "CreationDate": epoch(s.Created), "IamRoleArn": s.IamRoleArn})
	}
	writeJSON(w, http.StatusOK, withToken(map[string]any{"BackupSelectionsList": out}, "NextToken", next))
}

func (f *Front) getSelection(w http.ResponseWriter, region, plan, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.selection[region] {
		if s.PlanID != plan || s.SelectionID != id {
			continue
		}
		keys := make([]string, 0, len(s.Tags))
		for k := range s.Tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		tags := []map[string]string{}
		for _, k := range keys {
			tags = append(tags, map[string]string{"ConditionType": "STRINGEQUALS", "ConditionKey": k, "ConditionValue": s.Tags[k]})
		}
		res := s.Resources
		if res == nil {
			res = []string{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"BackupPlanId": plan, "SelectionId": id, "CreationDate": epoch(s.Created),
			"BackupSelection": map[string]any{"SelectionName": s.Name, "IamRoleArn": s.IamRoleArn, "Resources": res, "ListOfTags": tags}})
		return
	}
	notFound(w, fmt.Sprintf("selection %s of plan %s not found", id, plan))
}

func (f *Front) listRestoreJobs(w http.ResponseWriter, r *http.Request, region string) {
	f.mu.Lock()
	jobs := append([]RestoreJob(nil), f.restores[region]...)
	f.mu.Unlock()
	sort.Slice(jobs, func(i, j int) bool { return jobs[i].ID < jobs[j].ID })
	start, end, next := f.page(len(jobs), r.URL.Query().Get("nextToken"), queryInt(r, "maxResults"))
	out := []map[string]any{}
	for _, j := range jobs[start:end] {
		out = append(out, map[string]any{"RestoreJobId": j.ID, "RecoveryPointArn": j.RecoveryPointArn,
			"CreatedResourceArn": j.CreatedResourceArn, "ResourceType": j.ResourceType, "Status": j.Status,
			"CreationDate": epoch(j.Created), "CompletionDate": epoch(j.Created.Add(30 * time.Minute))})
	}
	writeJSON(w, http.StatusOK, withToken(map[string]any{"RestoreJobs": out}, "NextToken", next))
}

func (f *Front) listProtected(w http.ResponseWriter, r *http.Request, region string) {
	f.mu.Lock()
	prs := append([]ProtectedResource(nil), f.protected[region]...)
	f.mu.Unlock()
	sort.Slice(prs, func(i, j int) bool { return prs[i].ResourceArn < prs[j].ResourceArn })
	start, end, next := f.page(len(prs), r.URL.Query().Get("nextToken"), queryInt(r, "maxResults"))
	out := []map[string]any{}
	for _, p := range prs[start:end] {
		out = append(out, map[string]any{"ResourceArn": p.ResourceArn, "ResourceType": p.ResourceType, "LastBackupTime": epoch(p.LastBackup)})
	}
	writeJSON(w, http.StatusOK, withToken(map[string]any{"Results": out}, "NextToken", next))
}

// listBackupJobs answers with the recovery points seen as completed jobs (moto has no jobs).
func (f *Front) listBackupJobs(w http.ResponseWriter, r *http.Request, region string) {
	f.mu.Lock()
	pts := append([]RecoveryPoint(nil), f.points[region]...)
	f.mu.Unlock()
	sort.Slice(pts, func(i, j int) bool { return pts[i].RecoveryPointArn < pts[j].RecoveryPointArn })
	start, end, next := f.page(len(pts), r.URL.Query().Get("nextToken"), queryInt(r, "maxResults"))
	out := []map[string]any{}
	for i, rp := range pts[start:end] {
		out = append(out, map[string]any{"BackupJobId": fmt.Sprintf("job-%d", start+i), "BackupVaultName": rp.Vault,
			"RecoveryPointArn": rp.RecoveryPointArn, "ResourceArn": rp.ResourceArn, "ResourceType": rp.ResourceType,
			"State": strings.ToUpper(rp.Status), "CreationDate": epoch(rp.Created)})
	}
	writeJSON(w, http.StatusOK, withToken(map[string]any{"BackupJobs": out}, "NextToken", next))
}

// listFindings honours the one criterion the collector sends (service.archived).
func (f *Front) listFindings(w http.ResponseWriter, r *http.Request, region, detector string) {
	var req struct {
		MaxResults      int    `json:"maxResults"`
		NextToken       string `json:"nextToken"`
		FindingCriteria struct {
			Criterion map[string]struct {
				Equals []string `json:"equals"`
			} `json:"criterion"`
		} `json:"findingCriteria"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		w.Header().Set("x-amzn-ErrorType", "BadRequestException")
		writeJSON(w, http.StatusBadRequest, map[string]string{"__type": "BadRequestException", "message": err.Error()})
		return
	}
	archived, filter := "", false
	if c, ok := req.FindingCriteria.Criterion["service.archived"]; ok && len(c.Equals) == 1 {
		archived, filter = c.Equals[0], true
	}
	f.mu.Lock()
	var ids []string
	for _, fd := range f.findings[region] {
		if fd.DetectorID == detector && (!filter || strconv.FormatBool(fd.Archived) == archived) {
			ids = append(ids, fd.ID)
		}
	}
	f.mu.Unlock()
	sort.Strings(ids)
	start, end, next := f.page(len(ids), req.NextToken, req.MaxResults)
	body := map[string]any{"findingIds": append([]string{}, ids[start:end]...)}
	writeJSON(w, http.StatusOK, withToken(body, "nextToken", next))
}

func (f *Front) getFindings(w http.ResponseWriter, r *http.Request, region, detector string) {
	var req struct {
		FindingIDs []string `json:"findingIds"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		w.Header().Set("x-amzn-ErrorType", "BadRequestException")
		writeJSON(w, http.StatusBadRequest, map[string]string{"__type": "BadRequestException", "message": err.Error()})
		return
	}
	want := map[string]bool{}
	for _, id := range req.FindingIDs {
		want[id] = true
	}
	f.mu.Lock()
	out := []map[string]any{}
	for _, fd := range f.findings[region] {
		if fd.DetectorID != detector || !want[fd.ID] {
			continue
		}
		out = append(out, map[string]any{
			"id": fd.ID, "accountId": "123456789012", "region": region, "schemaVersion": "2.0",
			"arn":  fmt.Sprintf("arn:aws:guardduty:%s:123456789012:detector/%s/finding/%s", region, detector, fd.ID),
			"type": fd.Type, "title": fd.Title, "severity": fd.Severity,
			"createdAt": fd.Created.UTC().Format(time.RFC3339Nano), "updatedAt": fd.Updated.UTC().Format(time.RFC3339Nano),
			"resource": map[string]any{"resourceType": fd.ResourceType},
			"service":  map[string]any{"archived": fd.Archived, "serviceName": "guardduty"},
		})
	}
	f.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i]["id"].(string) < out[j]["id"].(string) })
	writeJSON(w, http.StatusOK, map[string]any{"findings": out})
}
