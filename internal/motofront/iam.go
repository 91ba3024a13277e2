package motofront

import (
	"crypto/x509"
	"encoding/pem"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	xmlMember       = regexp.MustCompile(`(?s)<member>.*?</member>`)
	xmlCertName     = regexp.MustCompile(`<ServerCertificateName>([^<]*)</ServerCertificateName>`)
	xmlExpiration   = regexp.MustCompile(`<Expiration>[^<]*</Expiration>`)
	xmlCertBody     = regexp.MustCompile(`(?s)<CertificateBody>(.*?)</CertificateBody>`)
	iamTimestampFmt = "2006-01-02T15:04:05Z"
)

// listServerCertificatesWithExpiry forwards iam:ListServerCertificates to moto and puts each
// certificate's real expiry in its Expiration. AWS answers "the date on which the certificate
// is set to expire" (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ServerCertificateMetadata.html);
// moto 5.2.1 answers a fixed 2012-05-08 for every certificate. The expiry is read from the
// certificate itself, which moto returns from GetServerCertificate, so the front keeps no state.
func (f *Front) listServerCertificatesWithExpiry(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	rec := httptest.NewRecorder()
	f.proxy.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	if rec.Code == http.StatusOK {
		body = xmlMember.ReplaceAllFunc(body, func(m []byte) []byte {
			name := xmlCertName.FindSubmatch(m)
			if name == nil {
				return m
			}
			notAfter, ok := f.serverCertificateExpiry(r, auth, html.UnescapeString(string(name[1])))
			if !ok {
				return m
			}
			return xmlExpiration.ReplaceAll(m, []byte("<Expiration>"+notAfter.UTC().Format(iamTimestampFmt)+"</Expiration>"))
		})
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

// serverCertificateExpiry asks moto for one certificate (same credentials, so same account) and
// returns its NotAfter.
func (f *Front) serverCertificateExpiry(orig *http.Request, auth, name string) (time.Time, bool) {
	form := url.Values{"Action": {"GetServerCertificate"}, "Version": {"2010-05-08"}, "ServerCertificateName": {name}}.Encode()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form)).WithContext(orig.Context())
	req.Host = orig.Host
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", auth)
	rec := httptest.NewRecorder()
	f.proxy.ServeHTTP(rec, req)
	m := xmlCertBody.FindSubmatch(rec.Body.Bytes())
	if rec.Code != http.StatusOK || m == nil {
		return time.Time{}, false
	}
	block, _ := pem.Decode([]byte(html.UnescapeString(string(m[1]))))
	if block == nil {
		return time.Time{}, false
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return time.Time{}, false
	}
	return cert.NotAfter, true
}
