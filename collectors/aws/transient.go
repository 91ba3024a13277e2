package aws

import (
	"context"
	"errors"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// transientCodes are AWS error codes of a failure on AWS's side that goes away by itself, beyond
// the SDK's own lists (retry.DefaultRetryableErrorCodes, retry.DefaultThrottleErrorCodes): they
// usually come with a 5xx status, which the SDK's classifiers already know, but some services send
// them with a 400 or lose the status on the way. The common errors of every query/JSON service
// (InternalFailure 500, ServiceUnavailable 503), e.g.
// https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html; EC2's own (InternalError,
// Unavailable): https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
var transientCodes = map[string]bool{
	"InternalError":               true,
	"InternalFailure":             true,
	"InternalServerError":         true,
	"InternalServerException":     true,
	"ServiceUnavailable":          true,
	"ServiceUnavailableException": true,
	"Unavailable":                 true,
}

// sdkRetryables is the SDK's own classification of a failed attempt (throttling codes, 500,
// 502, 503, 504, an unmodeled 429, connection errors, timeouts), so the collector's second pass
// retries exactly what the retryer would have retried had it had more attempts.
var sdkRetryables = retry.IsErrorRetryables(retry.DefaultRetryables)

// isTransient reports whether err is a failure that asking again later may not meet: throttling,
// a 5xx, a reset or cut connection, a timeout, or the SDK's retry quota running out (which
// errors.Join's to the last attempt's error, classified here). Everything else is permanent: an
// access denial, a validation error, an answer that cannot be parsed, a missing resource, and
// the collection itself being cancelled.
func isTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	// A call that ran out of its own time (CallTimeout): the SDK reports the deadline as a
	// cancellation, which it never retries within a call, but the endpoint may answer later.
	// A unit that ran out of its whole TaskTimeout is not passed again (see retry.go).
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	if transientCodes[errorCode(err)] {
		return true
	}
	if sdkRetryables.IsErrorRetryable(err) == aws.TrueTernary {
		return true
	}
	// An answer cut short (the connection closed mid-body) fails while it is read, outside the
	// SDK's connection classifier.
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}
