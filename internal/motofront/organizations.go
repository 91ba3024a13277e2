package motofront

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
)

// This file serves two AWS behaviours moto does not have (and hooks rdsbackups.go in):
//
//   - organizations:ListAccounts from a member account. AWS allows the call only from the
//     organization's management account or a delegated administrator and answers any other
//     member with AccessDeniedException; moto answers every account, a member with an empty list
//     (https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html).
//   - a resource deleted between the list that named it and the describe of it: AWS answers the
//     describe with the operation's NotFound error (see Vanish).

// extraState is the state of the behaviours served in this file.
type extraState struct {
	// vanished maps "service:Operation" to the resource ids answered as not found, with the code.
	vanished map[string][]vanished
	// replicas are the automated backups replicated into each region (rdsbackups.go).
	replicas map[string][]ReplicatedBackup
}

type vanished struct {
	id, code string
	status   int
}

func (s *extraState) reset() {
	s.vanished = map[string][]vanished{}
	s.replicas = map[string][]ReplicatedBackup{}
}

// Vanish makes the per-resource call operation ("rds:DescribeDBSnapshotAttributes",
// "ec2:DescribeSnapshotAttribute", "kms:DescribeKey"…, SigV4 service name) answer, for the
// resource whose id appears in the request, with AWS's NotFound error code and HTTP status, as
// AWS does when the resource was deleted after the list call that named it.
func (f *Front) Vanish(operation, id, code string, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.extra.vanished[operation] = append(f.extra.vanished[operation], vanished{id: id, code: code, status: status})
}

// serveExtra answers a request with one of the behaviours of this file, or returns false.
func (f *Front) serveExtra(w http.ResponseWriter, r *http.Request) bool {
	c := f.classify(r)
	f.mu.Lock()
	vs := f.extra.vanished[c.service+":"+c.operation]
	f.mu.Unlock()
	for _, v := range vs {
		if strings.Contains(c.key, v.id) {
			writeError(w, c, v.status, v.code, "The resource "+v.id+" does not exist (deleted).")
			return true
		}
	}
	if c.service == "rds" && c.operation == "DescribeDBInstanceAutomatedBackups" {
		f.automatedBackups(w, r, c.region)
		return true
	}
	if c.service == "organizations" && c.operation == "ListAccounts" && f.memberCaller(r) {
		writeError(w, c, http.StatusBadRequest, "AccessDeniedException",
			"You don't have permissions to access this resource: only the management account or a delegated administrator may list the organization's accounts.")
		return true
	}
	return false
}

// memberCaller reports whether the caller of an Organizations request is a member account of an
// organization, not its management account. It asks moto (which does not check signatures) who
// the caller is and what its organization is, with the request's own credentials. Delegated
// administrators are not modelled: moto would answer them with an empty list too.
func (f *Front) memberCaller(r *http.Request) bool {
	var org struct {
		Organization struct{ MasterAccountId string }
	}
	if !f.askMoto(r, "organizations", "application/x-amz-json-1.1", "AWSOrganizationsV20161128.DescribeOrganization", "{}", &org) ||
		org.Organization.MasterAccountId == "" {
		return false // not in an organization: moto's own answer stands
	}
	account := f.callerAccountOf(r)
	return account != "" && account != org.Organization.MasterAccountId
}

// callerAccountOf asks moto which account r's credentials belong to ("" when it cannot tell).
func (f *Front) callerAccountOf(r *http.Request) string {
	rec := httptest.NewRecorder()
	f.proxy.ServeHTTP(rec, f.motoRequest(r, "sts", "application/x-www-form-urlencoded", "", "Action=GetCallerIdentity&Version=2011-06-15"))
	m := callerAccount.FindSubmatch(rec.Body.Bytes())
	if rec.Code != http.StatusOK || m == nil {
		return ""
	}
	return string(m[1])
}

var callerAccount = regexp.MustCompile(`<Account>([0-9]{12})</Account>`)

// askMoto sends moto a JSON-protocol request with r's credentials and decodes the answer.
func (f *Front) askMoto(r *http.Request, service, contentType, target, body string, out any) bool {
	rec := httptest.NewRecorder()
	f.proxy.ServeHTTP(rec, f.motoRequest(r, service, contentType, target, body))
	return rec.Code == http.StatusOK && json.Unmarshal(rec.Body.Bytes(), out) == nil
}

// motoRequest is a request to moto signed (in name only: moto reads the credential scope and the
// key id) as r was, for another service and operation.
func (f *Front) motoRequest(r *http.Request, service, contentType, target, body string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader([]byte(body))).WithContext(r.Context())
	auth := credScope.ReplaceAllStringFunc(r.Header.Get("Authorization"), func(m string) string {
		parts := strings.Split(m, "/")
		parts[3] = service
		return strings.Join(parts, "/")
	})
	req.Header.Set("Authorization", auth)
	for _, h := range []string{"X-Amz-Date", "X-Amz-Security-Token"} {
		if v := r.Header.Get(h); v != "" {
			req.Header.Set(h, v)
		}
	}
	req.Header.Set("Content-Type", contentType)
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	req.Host = r.Host
	return req
}
