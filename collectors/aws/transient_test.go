package aws

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// sdkError is err as the SDK returns an operation's failure: the operation error around the
// retryer's MaxAttemptsError (when retryable) around the HTTP response error.
func sdkError(status int, code string, retried bool) error {
	var err error = &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      &smithy.GenericAPIError{Code: code, Message: "answer of the test"},
	}, RequestID: "req-1"}
	if retried {
		err = &retry.MaxAttemptsError{Attempt: 5, Err: err}
	}
	return &smithy.OperationError{ServiceID: "KMS", OperationName: "ListKeys", Err: err}
}

// sent is a failure to send the request or read its answer, as the SDK wraps it.
func sent(err error) error {
	return &smithy.OperationError{ServiceID: "EC2", OperationName: "DescribeSnapshotAttribute",
		Err: &retry.MaxAttemptsError{Attempt: 5, Err: &smithyhttp.RequestSendError{Err: err}}}
}

func TestIsTransient(t *testing.T) {
	throttled := sdkError(400, "ThrottlingException", true)
	tests := []struct {
		name string
		err  error
		want bool
	}{
		// Transient: asking again later may be answered.
		{"throttling (JSON services)", throttled, true},
		{"throttling (Query services), 429", sdkError(429, "Throttling", true), true},
		{"EC2 RequestLimitExceeded", sdkError(503, "RequestLimitExceeded", true), true},
		{"S3 SlowDown 503", sdkError(503, "SlowDown", true), true},
		{"500 InternalError", sdkError(500, "InternalError", true), true},
		{"503 ServiceUnavailable", sdkError(503, "ServiceUnavailable", true), true},
		{"InternalFailure sent with a 400", sdkError(400, "InternalFailure", false), true},
		{"an unmodeled 429", sdkError(429, "", true), true},
		{"connection reset", sent(&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}), true},
		{"connection closed before an answer (EOF)", sent(io.EOF), true},
		{"answer cut short while read", &smithy.OperationError{Err: &smithy.DeserializationError{Err: io.ErrUnexpectedEOF}}, true},
		{"an attempt that timed out", sent(&attemptTimeoutError{after: time.Second}), true},
		{"a call past its CallTimeout", &smithy.OperationError{Err: &smithy.CanceledError{Err: context.DeadlineExceeded}}, true},
		{"retry quota exhausted after throttling", errors.Join(throttled, ratelimit.QuotaExceededError{Available: 0, Requested: 5}), true},
		{"wrapped by the emitter", fmt.Errorf("ListKeys in account 1, region r: %w", throttled), true},
		{"wrapped per resource", fmt.Errorf("bucket b: %w", sdkError(503, "SlowDown", true)), true},
		// Permanent: asking again gets the same answer.
		{"nil", nil, false},
		{"AccessDeniedException", sdkError(400, "AccessDeniedException", false), false},
		{"AccessDenied 403", sdkError(403, "AccessDenied", false), false},
		{"EC2 UnauthorizedOperation", sdkError(403, "UnauthorizedOperation", false), false},
		{"denied by a service control policy", markSCP(sdkError(403, "AccessDenied", false)), false},
		{"ValidationException", sdkError(400, "ValidationException", false), false},
		{"NoSuchEntity", sdkError(404, "NoSuchEntity", false), false},
		{"an unparsable answer", &smithy.OperationError{Err: &smithy.DeserializationError{Err: errors.New("invalid character 'x' looking for beginning of value")}}, false},
		{"the collection cancelled", &smithy.OperationError{Err: &smithy.CanceledError{Err: context.Canceled}}, false},
		{"context.Canceled", context.Canceled, false},
		{"a kind the collector forgot", errors.New("the collector produced no answer for this kind"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isTransient(tt.err); got != tt.want {
				t.Errorf("isTransient(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// The wait before a second pass lies in [max/2, max), is the same for a unit in every run, and
// differs between units, so units that failed together do not all ask again at once.
func TestSecondPassBackoff(t *testing.T) {
	const limit = 2 * time.Second
	units := []string{"123456789012 ap-northeast-1 ec2", "123456789012 ap-northeast-1 rds", "123456789012 global s3", "123456789012 regions"}
	seen := map[time.Duration]bool{}
	for _, u := range units {
		d := secondPassBackoff(limit, u)
		if d < limit/2 || d >= limit {
			t.Errorf("%s: backoff %s, want in [%s, %s)", u, d, limit/2, limit)
		}
		if again := secondPassBackoff(limit, u); again != d {
			t.Errorf("%s: backoff %s, then %s: want the same in every run", u, d, again)
		}
		seen[d] = true
	}
	if len(seen) != len(units) {
		t.Errorf("%d units share %d backoffs: want each its own", len(units), len(seen))
	}
}

func TestAttemptsField(t *testing.T) {
	for _, tt := range []struct{ passes, want int }{{1, 0}, {2, 2}} {
		if got := attemptsField(tt.passes); got != tt.want {
			t.Errorf("attemptsField(%d) = %d, want %d", tt.passes, got, tt.want)
		}
	}
}
