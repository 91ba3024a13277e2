package motofront

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// FaultKind is how an AWS call fails. The error answers use each protocol's own error shape
// (JSON, CBOR, Query XML, EC2 XML, S3 XML, REST-JSON), so the SDK reads the error code it would
// read from AWS and its retryer decides as it would against AWS.
type FaultKind string

const (
	// Throttle400 is HTTP 400 with the protocol's throttling code (ThrottlingException,
	// Throttling, RequestLimitExceeded for EC2, SlowDown for S3).
	Throttle400 FaultKind = "throttling-400"
	// Throttle429 is HTTP 429 with the throttling code.
	Throttle429 FaultKind = "throttling-429"
	// SlowDown503 is HTTP 503 SlowDown (S3) or ServiceUnavailable.
	SlowDown503 FaultKind = "slowdown-503"
	// Internal500 is HTTP 500 InternalError.
	Internal500 FaultKind = "internal-500"
	// ConnReset aborts the connection with a TCP RST before any answer.
	ConnReset FaultKind = "connection-reset"
	// Stalled holds the connection without answering until the client gives up.
	Stalled FaultKind = "stalled"
	// Truncated sends moto's real status and headers but only half the body, then closes.
	Truncated FaultKind = "truncated-body"
	// Garbled sends moto's real status and headers with the body replaced by noise.
	Garbled FaultKind = "garbled-body"
	// AccessDenied is HTTP 403 with the protocol's access-denied code.
	AccessDenied FaultKind = "access-denied"
	// SCPDenied is the same 403 with AWS's message for a call a service control policy denies
	// ("… with an explicit deny in a service control policy"), as a region-deny SCP answers
	// every call in a region the organization closes.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_denied-error-messages.html
	SCPDenied FaultKind = "scp-denied"
)

// FaultKinds is every kind, for tables of tests.
var FaultKinds = []FaultKind{Throttle400, Throttle429, SlowDown503, Internal500, ConnReset, Stalled, Truncated, Garbled, AccessDenied, SCPDenied}

// Fault breaks a share of the calls of an operation.
type Fault struct {
	// Operation is "service:Operation" with the SigV4 service name ("kms:ListKeys",
	// "ec2:DescribeInstances"), "service:*" for every operation of a service, or "*". The
	// operation is the X-Amz-Target, Query Action or RPCv2 operation; REST operations (S3,
	// Backup, GuardDuty…) are matched by "service:*" only.
	Operation string
	// Region, when set, limits the fault to calls signed for that region.
	Region string
	Kind   FaultKind
	// Rate is the share of distinct calls hit, in (0, 1]; which ones is a hash of the call and
	// the seed, so the same calls are hit in every run whatever the concurrency.
	Rate float64
	// Transient faults hit only the first attempt of a call: its retry goes through, as after
	// a real throttle or blip. Otherwise every attempt fails (a permanent fault).
	Transient bool
	// Attempts, with Transient, is how many first attempts of a call fail (0 means 1): as many as
	// the SDK's MaxAttempts make an outage that outlasts one call's retries.
	Attempts int
	// PerAttempt faults are drawn anew for every attempt of a call (a hash of the seed, the call
	// and the attempt's number): Rate is the share of attempts hit, a retry as likely to be hit
	// as the first try, as on a flaky network or a service under load. The per-attempt faults
	// matching a call share one draw, each taking the next Rate of [0, 1), so four kinds at 0.05
	// hit 20 % of attempts, each attempt with at most one kind. Transient is ignored.
	PerAttempt bool
}

// InjectFaults replaces the faults injected (none: answer faithfully) and forgets the calls seen.
func (f *Front) InjectFaults(seed uint64, faults ...Fault) error {
	for _, ft := range faults {
		if ft.Rate <= 0 || ft.Rate > 1 {
			return fmt.Errorf("motofront: fault %s on %s: rate %v is not in (0, 1]", ft.Kind, ft.Operation, ft.Rate)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults, f.seed, f.attempts = faults, seed, map[string]int{}
	return nil
}

// CallStats counts the HTTP requests the front answered since the last InjectFaults or Reset.
type CallStats struct {
	// Made is every request; Distinct counts requests that differ in account, region,
	// operation or parameters. Made > Distinct means a call was repeated (a retry, or a
	// collector asking twice).
	Made, Distinct int
	// Repeated lists the calls made more than once, "service:operation region" → times.
	Repeated map[string]int
}

// Calls returns the call counts.
func (f *Front) Calls() CallStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := CallStats{Repeated: map[string]int{}}
	for key, n := range f.attempts {
		st.Made += n
		st.Distinct++
		if n > 1 {
			st.Repeated[key[:strings.IndexByte(key, '\n')]] += n - 1
		}
	}
	return st
}

// Needed is the calls made ÷ calls needed count: the calls made, less the repeats of calls
// that are asked again on purpose (polled, "service:operation region" → true, such as a report
// polled until it is ready), and the calls repeated that are not polled (each a call made more
// often than needed).
func (s CallStats) Needed(polled map[string]bool) (made, needed int, unexpected map[string]int) {
	made, unexpected = s.Made, map[string]int{}
	for op, n := range s.Repeated {
		if polled[op] {
			made -= n
		} else {
			unexpected[op] = n
		}
	}
	return made, s.Distinct, unexpected
}

// call is what the front knows of a request.
type call struct {
	service, region, operation, protocol string
	// key identifies the call across attempts: first line "service:operation region", then
	// the account's key id, method, path, query and body.
	key string
}

var rpcv2Path = regexp.MustCompile(`^/service/[^/]+/operation/([^/]+)$`)

// classify reads the request's service, region, operation and protocol; the body stays readable.
func (f *Front) classify(r *http.Request) call {
	var c call
	auth := r.Header.Get("Authorization")
	if m := credScope.FindStringSubmatch(auth); m != nil {
		c.region, c.service = m[1], m[2]
	}
	akid := ""
	if i := strings.Index(auth, "Credential="); i >= 0 {
		akid, _, _ = strings.Cut(auth[i+len("Credential="):], "/")
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	switch {
	case r.Header.Get("X-Amz-Target") != "":
		t := r.Header.Get("X-Amz-Target")
		c.operation, c.protocol = t[strings.LastIndexByte(t, '.')+1:], "json"
	case r.Header.Get("Smithy-Protocol") == "rpc-v2-cbor":
		if m := rpcv2Path.FindStringSubmatch(r.URL.Path); m != nil {
			c.operation = m[1]
		}
		c.protocol = "cbor"
	case strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
		v, _ := url.ParseQuery(string(body))
		c.operation, c.protocol = v.Get("Action"), "query"
		if c.service == "ec2" {
			c.protocol = "ec2"
		}
	case c.service == "s3" || c.service == "cloudfront":
		c.operation, c.protocol = r.Method+" "+r.URL.Path, "restxml"
	default:
		c.operation, c.protocol = r.Method+" "+r.URL.Path, "restjson"
	}
	c.key = fmt.Sprintf("%s:%s %s\n%s %s %s?%s\n%s", c.service, c.operation, c.region, akid, r.Method, r.URL.Path, r.URL.RawQuery, body)
	return c
}

// faultFor counts the attempt and says which fault, if any, this attempt gets.
func (f *Front) faultFor(c call) (FaultKind, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attempts[c.key]++
	attempt := f.attempts[c.key]
	// The attempt's number leads the hashed text: FNV-1a spreads a change early in its input
	// over every bit, a change in the last byte hardly moves the high bits the share is read from.
	draw, taken := hashShare(f.seed, fmt.Sprintf("attempt %d\n%s", attempt, c.key)), 0.0
	for _, ft := range f.faults {
		if !matches(ft.Operation, c) || (ft.Region != "" && ft.Region != c.region) {
			continue
		}
		if ft.PerAttempt {
			hit := draw >= taken && draw < taken+ft.Rate
			taken += ft.Rate
			if hit {
				return ft.Kind, true
			}
			continue
		}
		if hashShare(f.seed, c.key) >= ft.Rate {
			continue
		}
		if ft.Transient && attempt > max(ft.Attempts, 1) {
			continue
		}
		return ft.Kind, true
	}
	return "", false
}

func matches(pattern string, c call) bool {
	if pattern == "*" {
		return true
	}
	svc, op, _ := strings.Cut(pattern, ":")
	return svc == c.service && (op == "*" || op == c.operation)
}

// hashShare maps a call to [0, 1), the same for every attempt of the call and every run.
func hashShare(seed uint64, key string) float64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d\n%s", seed, key)
	return float64(h.Sum64()>>11) / (1 << 53)
}

// injectFault answers r with the fault.
func (f *Front) injectFault(w http.ResponseWriter, r *http.Request, c call, kind FaultKind) {
	switch kind {
	case Throttle400, Throttle429:
		code := map[string]string{"json": "ThrottlingException", "cbor": "ThrottlingException", "query": "Throttling",
			"ec2": "RequestLimitExceeded", "restxml": "SlowDown", "restjson": "ThrottlingException"}[c.protocol]
		status := http.StatusBadRequest
		if kind == Throttle429 {
			status = http.StatusTooManyRequests
		}
		// A HEAD answer (S3 HeadBucket) has no body to carry a throttling code, and S3 throttles
		// with 503 SlowDown, never 400: a HEAD gets S3's own status.
		// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
		if r.Method == http.MethodHead && status == http.StatusBadRequest {
			status = http.StatusServiceUnavailable
		}
		writeError(w, c, status, code, "Rate exceeded")
	case SlowDown503:
		code := "ServiceUnavailable"
		if c.service == "s3" {
			code = "SlowDown"
		}
		writeError(w, c, http.StatusServiceUnavailable, code, "Please reduce your request rate.")
	case Internal500:
		writeError(w, c, http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
	case AccessDenied:
		code := map[string]string{"json": "AccessDeniedException", "cbor": "AccessDeniedException", "query": "AccessDenied",
			"ec2": "UnauthorizedOperation", "restxml": "AccessDenied", "restjson": "AccessDeniedException"}[c.protocol]
		writeError(w, c, http.StatusForbidden, code, "User is not authorized to perform "+c.service+":"+c.operation)
	case SCPDenied:
		code := map[string]string{"json": "AccessDeniedException", "cbor": "AccessDeniedException", "query": "AccessDenied",
			"ec2": "UnauthorizedOperation", "restxml": "AccessDenied", "restjson": "AccessDeniedException"}[c.protocol]
		writeError(w, c, http.StatusForbidden, code, "User: arn:aws:sts::123456789012:assumed-role/shoko-audit/shoko is not authorized to perform: "+
			c.service+":"+c.operation+" with an explicit deny in a service control policy")
	case ConnReset, Stalled, Truncated:
		var rec *httptest.ResponseRecorder
		if kind == Truncated {
			rec = httptest.NewRecorder()
			f.serve(rec, r)
		}
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			http.Error(w, "motofront: cannot hijack: "+err.Error(), http.StatusInternalServerError)
			return
		}
		defer conn.Close()
		switch kind {
		case ConnReset:
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // Close sends RST
			}
		case Stalled:
			_, _ = io.Copy(io.Discard, buf) // until the client gives up and closes
		case Truncated:
			body := rec.Body.Bytes()
			fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", rec.Code, http.StatusText(rec.Code))
			for _, k := range sortedKeys(rec.Header()) {
				if k != "Content-Length" {
					for _, v := range rec.Header()[k] {
						fmt.Fprintf(buf, "%s: %s\r\n", k, v)
					}
				}
			}
			fmt.Fprintf(buf, "Content-Length: %d\r\n\r\n", len(body))
			_, _ = buf.Write(body[:len(body)/2])
			_ = buf.Flush()
		}
	case Garbled:
		rec := httptest.NewRecorder()
		f.serve(rec, r)
		body := rec.Body.Bytes()
		h := fnv.New64a()
		for i := range body {
			h.Write([]byte{byte(i)})
			body[i] = byte(h.Sum64())
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	default:
		http.Error(w, "motofront: unknown fault "+string(kind), http.StatusInternalServerError)
	}
}

func sortedKeys(h http.Header) []string {
	ks := make([]string, 0, len(h))
	for k := range h {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// writeError answers with an AWS error in the request's protocol.
func writeError(w http.ResponseWriter, c call, status int, code, msg string) {
	h := w.Header()
	h.Set("x-amzn-RequestId", "motofront-fault")
	var body []byte
	switch c.protocol {
	case "json":
		h.Set("Content-Type", "application/x-amz-json-1.1")
		h.Set("x-amzn-ErrorType", code)
		body = fmt.Appendf(nil, `{"__type":%q,"message":%q}`, code, msg)
	case "cbor":
		h.Set("Content-Type", "application/cbor")
		h.Set("Smithy-Protocol", "rpc-v2-cbor")
		body = cborMap("__type", code, "message", msg)
	case "query":
		h.Set("Content-Type", "text/xml")
		body = fmt.Appendf(nil, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>motofront-fault</RequestId></ErrorResponse>`, code, msg)
	case "ec2":
		h.Set("Content-Type", "text/xml")
		body = fmt.Appendf(nil, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>motofront-fault</RequestID></Response>`, code, msg)
	case "restxml":
		h.Set("Content-Type", "application/xml")
		if c.service == "cloudfront" {
			body = fmt.Appendf(nil, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>motofront-fault</RequestId></ErrorResponse>`, code, msg)
		} else {
			body = fmt.Appendf(nil, `<Error><Code>%s</Code><Message>%s</Message><RequestId>motofront-fault</RequestId></Error>`, code, msg)
		}
	default:
		h.Set("Content-Type", "application/json")
		h.Set("x-amzn-ErrorType", code)
		body = fmt.Appendf(nil, `{"message":%q}`, msg)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// cborMap encodes a map of text keys to text values (RFC 8949: major types 5 and 3).
func cborMap(kv ...string) []byte {
	out := cborHead(5, len(kv)/2)
	for _, s := range kv {
		out = append(append(out, cborHead(3, len(s))...), s...)
	}
	return out
}

func cborHead(major byte, n int) []byte {
	switch {
	case n < 24:
		return []byte{major<<5 | byte(n)}
	case n < 256:
		return []byte{major<<5 | 24, byte(n)}
	default:
		return []byte{major<<5 | 25, byte(n >> 8), byte(n)}
	}
}
