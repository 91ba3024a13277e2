package motofront

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
)

// acmDefaultKeyTypes is the key-type filter AWS applies to acm:ListCertificates when the request
// gives no Includes.keyTypes: "Default filtering returns only RSA_1024 and RSA_2048 certificates
// that have at least one domain."
// https://docs.aws.amazon.com/acm/latest/APIReference/API_Filters.html
// https://docs.aws.amazon.com/acm/latest/APIReference/API_ListCertificates.html
// moto 5.2.1 returns every certificate instead, so an ECDSA or RSA-4096 certificate a collector
// never asked for would still be seen against moto, and missed against AWS.
var acmDefaultKeyTypes = []string{"RSA_1024", "RSA_2048"}

// isACMListCertificates: ACM speaks JSON 1.1, the operation in X-Amz-Target.
func isACMListCertificates(r *http.Request, service string) bool {
	return service == "acm" && r.Method == http.MethodPost && r.Header.Get("X-Amz-Target") == "CertificateManager.ListCertificates"
}

// listCertificatesWithAWSDefaults forwards acm:ListCertificates to moto with AWS's default
// key-type filter added when the request names none.
func (f *Front) listCertificatesWithAWSDefaults(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.Header().Set("x-amzn-ErrorType", "ValidationException")
		writeJSON(w, http.StatusBadRequest, map[string]string{"__type": "ValidationException", "message": err.Error()})
		return
	}
	req := map[string]any{}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			w.Header().Set("x-amzn-ErrorType", "SerializationException")
			writeJSON(w, http.StatusBadRequest, map[string]string{"__type": "SerializationException", "message": err.Error()})
			return
		}
	}
	includes, _ := req["Includes"].(map[string]any)
	if includes == nil {
		includes = map[string]any{}
	}
	if kt, _ := includes["keyTypes"].([]any); len(kt) == 0 {
		includes["keyTypes"] = acmDefaultKeyTypes
		req["Includes"] = includes
		if body, err = json.Marshal(req); err != nil {
			w.Header().Set("x-amzn-ErrorType", "InternalFailure")
			writeJSON(w, http.StatusInternalServerError, map[string]string{"__type": "InternalFailure", "message": err.Error()})
			return
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	f.proxy.ServeHTTP(w, r)
}
