package aws

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/aws/smithy-go"
)

// perResource builds one element of a per-resource kind (GetBucketEncryption of a bucket,
// GetKeyRotationStatus of a key…): the resource's identity under idKey plus the answer's own
// fields as AWS names them. The SDK's ResultMetadata is dropped: it is transport, not evidence.
func perResource(idKey, id string, answer any) map[string]any {
	m := map[string]any{}
	if answer != nil {
		b, err := json.Marshal(answer)
		if err == nil {
			_ = json.Unmarshal(b, &m)
		}
	}
	delete(m, "ResultMetadata")
	m[idKey] = id
	return m
}

// notConfigured is the element recorded when AWS answers that a setting does not exist (no
// lifecycle, no bucket policy, no public-access block…): a fact about the resource, not a
// failure to look.
func notConfigured(idKey, id, code string) map[string]any {
	return map[string]any{idKey: id, "NotConfigured": true, "ErrorCode": code}
}

// errorCode returns the AWS error code of err ("" when it is not an API error).
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// isNotConfigured reports whether err is one of the given "does not exist" codes.
func isNotConfigured(err error, codes ...string) (string, bool) {
	code := errorCode(err)
	for _, c := range codes {
		if strings.EqualFold(code, c) {
			return code, true
		}
	}
	return "", false
}

// pageAll reads every page of an SDK paginator, given its HasMorePages and NextPage methods
// (a missed page is silently missing evidence).
func pageAll[O, T, P any](ctx context.Context, more func() bool, next func(context.Context, ...P) (O, error), get func(O) []T) ([]T, int, error) {
	var all []T
	pages := 0
	for more() {
		page, err := next(ctx)
		if err != nil {
			return nil, pages, err
		}
		pages++
		all = append(all, get(page)...)
	}
	return all, pages, nil
}

// emit records a list answer, or its error.
func emit[T any](e *emitter, kind, op string, pages int, err error, data []T) {
	if err != nil {
		e.fail(kind, op, err)
		return
	}
	if data == nil {
		data = []T{}
	}
	e.ok(kind, op, pages, data)
}

// gone is the element recorded for a resource that was listed but no longer existed when it was
// described a moment later (deleted in between: AWS answers NotFound). That one resource is
// recorded as gone, with the code AWS gave, instead of failing the whole kind: a deletion during
// the audit is a fact about the estate, not a failure to look.
func gone(idKey, id, code string) map[string]any {
	return map[string]any{idKey: id, "Gone": true, "ErrorCode": code}
}

// isGone reports whether err is one of the given NotFound codes of a per-resource call.
func isGone(err error, codes ...string) (string, bool) {
	if err == nil {
		return "", false
	}
	return isNotConfigured(err, codes...)
}
