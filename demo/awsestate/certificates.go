package awsestate

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// Certificates customers really use besides RSA-2048: AWS's ListCertificates hides them unless
// asked for by key type (https://docs.aws.amazon.com/acm/latest/APIReference/API_Filters.html).
// Both are imported into ACM and served by a listener of the ALB, on TLS 1.2+ policies.
const (
	ECDSACertDomain   = "ecdsa.cardsvc.example.jp"   // EC_prime256v1
	RSA4096CertDomain = "rsa4096.cardsvc.example.jp" // RSA_4096
)

// rsa4096Key is generated once per process: a 4096-bit key takes seconds, and every test seeds.
var rsa4096Key = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 4096) })

// certificates imports an ECDSA P-256 and an RSA-4096 certificate, valid for a year, and serves
// each on its own HTTPS listener of cardsvc-alb.
func (s *seeder) certificates(ctx context.Context) error {
	c := elb.NewFromConfig(s.cfg)
	lbs, err := c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Names: []string{"cardsvc-alb"}})
	if err != nil {
		return err
	}
	tgs, err := c.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{Names: []string{"cardsvc-app"}})
	if err != nil {
		return err
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	rk, err := rsa4096Key()
	if err != nil {
		return err
	}
	ac := acm.NewFromConfig(s.cfg)
	for i, cert := range []struct {
		domain string
		key    crypto.Signer
	}{{ECDSACertDomain, ec}, {RSA4096CertDomain, rk}} {
		pair, err := certificateFor(cert.domain, cert.key, s.o.Now.AddDate(1, 0, 0))
		if err != nil {
			return fmt.Errorf("certificate %s: %w", cert.domain, err)
		}
		imp, err := ac.ImportCertificate(ctx, &acm.ImportCertificateInput{Certificate: pair.cert, PrivateKey: pair.key})
		if err != nil {
			return fmt.Errorf("import %s: %w", cert.domain, err)
		}
		if _, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn, Protocol: elbtypes.ProtocolEnumHttps,
			Port: aws.Int32(int32(9443 + i)), SslPolicy: aws.String("ELBSecurityPolicy-TLS13-1-2-2021-06"),
			Certificates:   []elbtypes.Certificate{{CertificateArn: imp.CertificateArn}},
			DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: tgs.TargetGroups[0].TargetGroupArn}}}); err != nil {
			return fmt.Errorf("listener for %s: %w", cert.domain, err)
		}
	}
	return nil
}

// certificateFor makes a self-signed certificate for host with key, valid until notAfter, as
// PEM for ACM import (the key as PKCS#8, which carries RSA and EC keys alike).
func certificateFor(host string, key crypto.Signer, notAfter time.Time) (pemPair, error) {
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: notAfter.AddDate(-1, 0, 0), NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return pemPair{}, err
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return pemPair{}, err
	}
	return pemPair{cert: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), key: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb})}, nil
}
