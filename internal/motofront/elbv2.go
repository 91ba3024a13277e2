package motofront

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
)

var (
	xmlListenerCertificates = regexp.MustCompile(`(?s)<Certificates>(.*?)</Certificates>`)
	xmlFirstMember          = regexp.MustCompile(`(?s)^\s*<member>.*?</member>`)
)

// describeListenersDefaultCertificateOnly forwards elasticloadbalancing:DescribeListeners to
// moto and keeps only each listener's default certificate in its Certificates, as AWS answers:
// "[HTTPS or TLS listener] The default certificate for the listener."
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Listener.html); the
// SNI certificates are listed only by DescribeListenerCertificates. moto 5.2.1 lists every
// certificate of the listener (the default one first), so an SNI certificate would be seen
// through DescribeListeners against moto and missed against AWS.
func (f *Front) describeListenersDefaultCertificateOnly(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	f.proxy.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	if rec.Code == http.StatusOK {
		body = xmlListenerCertificates.ReplaceAllFunc(body, func(m []byte) []byte {
			inner := xmlListenerCertificates.FindSubmatch(m)[1]
			first := xmlFirstMember.Find(inner)
			if first == nil {
				return m
			}
			return append(append([]byte("<Certificates>"), first...), []byte("</Certificates>")...)
		})
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}
