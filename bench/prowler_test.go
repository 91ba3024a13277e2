package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// The guard is what keeps Prowler's requests on the machine and lets its S3 Control calls
// (account id before the host) reach moto: real HTTP on loopback, a real proxy client.
func TestOutsideGuardPassesTheFrontAndRefusesTheRest(t *testing.T) {
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "front saw host "+r.Host+" path "+r.URL.Path)
	}))
	defer front.Close()
	frontHost := strings.TrimPrefix(front.URL, "http://")
	guard, err := startOutsideGuard(front.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer guard.Close()
	proxy, _ := url.Parse(guard.URL)
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}

	cases := []struct {
		name, url  string
		wantStatus int
		wantBody   string // for requests passed to the front
	}{
		{"the front", front.URL + "/v1/a", http.StatusOK, "front saw host " + frontHost + " path /v1/a"},
		{"the front with an account id before its host (S3 Control)", "http://123456789012." + frontHost + "/v20180820/configuration/publicAccessBlock",
			http.StatusOK, "front saw host " + frontHost + " path /v20180820/configuration/publicAccessBlock"},
		{"another host", "http://example.com/", http.StatusForbidden, ""},
		{"another port of the front's address", "http://" + strings.Split(frontHost, ":")[0] + ":1/", http.StatusForbidden, ""},
		{"a host that merely ends like the front's", "http://x" + frontHost + "/", http.StatusForbidden, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := client.Get(c.url)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.wantStatus {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, c.wantStatus, body)
			}
			if c.wantBody != "" && string(body) != c.wantBody {
				t.Fatalf("body %q, want %q", body, c.wantBody)
			}
		})
	}
	// HTTPS goes through CONNECT, which is never passed on.
	if _, err := client.Get("https://sts.amazonaws.com/"); err == nil {
		t.Fatal("an HTTPS request through the guard succeeded")
	}
	refused := guard.Refused()
	if refused["example.com"] != 1 || refused["sts.amazonaws.com:443"] != 1 || len(refused) != 4 {
		t.Fatalf("refused %v: want example.com, sts.amazonaws.com:443, the other port and the look-alike once each", refused)
	}
	if passed := guard.Passed(); passed["unsigned"] != 2 {
		t.Fatalf("passed %v, want the 2 unsigned requests for the front", passed)
	}
}

func TestChildEnvDropsInheritedAWSAndProxyVariables(t *testing.T) {
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_SESSION_TOKEN", "inherited")
	t.Setenv("no_proxy", "127.0.0.1")
	t.Setenv("SHOKO_BENCH_KEPT", "yes")
	env := strings.Join(childEnv(map[string]string{"AWS_ENDPOINT_URL": "http://front"}), "\n")
	for _, gone := range []string{"AWS_PROFILE=", "AWS_SESSION_TOKEN=", "no_proxy="} {
		if strings.Contains(env, "\n"+gone) || strings.HasPrefix(env, gone) {
			t.Errorf("%s inherited", gone)
		}
	}
	for _, kept := range []string{"SHOKO_BENCH_KEPT=yes", "AWS_ENDPOINT_URL=http://front"} {
		if !strings.Contains(env, kept) {
			t.Errorf("%s missing", kept)
		}
	}
}
