package aws

import (
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
