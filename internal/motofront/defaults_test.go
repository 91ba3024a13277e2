package motofront_test

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
	"path"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func selfSigned(t *testing.T, host string, key crypto.Signer, notAfter time.Time) (certPEM, keyPEM []byte) {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: notAfter.AddDate(-1, 0, 0), NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb})
}

// ListCertificates without Includes.keyTypes returns only RSA_1024 and RSA_2048 certificates, as
// AWS documents (moto returns every one); naming the key types returns the others.
func TestListCertificatesAppliesAWSDefaultKeyTypes(t *testing.T) {
	_, cfg := start(t)
	ctx := context.Background()
	c := acm.NewFromConfig(cfg)
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	domains := map[string]string{}
	for host, key := range map[string]crypto.Signer{"rsa.example.jp": rk, "ecdsa.example.jp": ek} {
		cert, k := selfSigned(t, host, key, time.Now().AddDate(1, 0, 0))
		out, err := c.ImportCertificate(ctx, &acm.ImportCertificateInput{Certificate: cert, PrivateKey: k})
		if err != nil {
			t.Fatal(err)
		}
		domains[aws.ToString(out.CertificateArn)] = host
	}
	listed := func(in *acm.ListCertificatesInput) []string {
		out, err := c.ListCertificates(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		var hosts []string
		for _, s := range out.CertificateSummaryList {
			hosts = append(hosts, domains[aws.ToString(s.CertificateArn)])
		}
		slices.Sort(hosts)
		return hosts
	}
	cases := []struct {
		name string
		in   *acm.ListCertificatesInput
		want []string
	}{
		{"no key types: RSA-2048 only, ECDSA hidden", &acm.ListCertificatesInput{}, []string{"rsa.example.jp"}},
		{"every key type: both", &acm.ListCertificatesInput{Includes: &acmtypes.Filters{KeyTypes: acmtypes.KeyAlgorithm("").Values()}}, []string{"ecdsa.example.jp", "rsa.example.jp"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := listed(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("listed %v, want %v", got, tc.want)
			}
		})
	}
}

// ListServerCertificates' Expiration is the certificate's own expiry, as on AWS (moto answers a
// fixed 2012 date).
func TestListServerCertificatesReportsTheCertificatesExpiry(t *testing.T) {
	_, cfg := start(t)
	ctx := context.Background()
	c := iam.NewFromConfig(cfg)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{
		"soon":  time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC),
		"later": time.Date(2027, 11, 27, 3, 0, 0, 0, time.UTC),
	}
	for name, notAfter := range want {
		cert, k := selfSigned(t, name+".example.jp", key, notAfter)
		if _, err := c.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String(name),
			CertificateBody: aws.String(string(cert)), PrivateKey: aws.String(string(k))}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := c.ListServerCertificates(ctx, &iam.ListServerCertificatesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ServerCertificateMetadataList) != len(want) {
		t.Fatalf("%d certificates listed, want %d", len(out.ServerCertificateMetadataList), len(want))
	}
	for _, m := range out.ServerCertificateMetadataList {
		name := aws.ToString(m.ServerCertificateName)
		if m.Expiration == nil || !m.Expiration.Equal(want[name]) {
			t.Errorf("%s: Expiration %v, want %v", name, m.Expiration, want[name])
		}
	}
}

// DescribeListeners names only a listener's default certificate, as on AWS (moto lists the SNI
// certificates too); DescribeListenerCertificates lists them all.
func TestDescribeListenersShowsOnlyTheDefaultCertificate(t *testing.T) {
	_, cfg := start(t)
	ctx := context.Background()
	ec := ec2.NewFromConfig(cfg)
	vpc, err := ec.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	var subnets []string
	for i, az := range []string{"ap-northeast-1a", "ap-northeast-1c"} {
		s, err := ec.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String(fmt.Sprintf("10.9.%d.0/24", i)), AvailabilityZone: aws.String(az)})
		if err != nil {
			t.Fatal(err)
		}
		subnets = append(subnets, aws.ToString(s.Subnet.SubnetId))
	}
	c := elb.NewFromConfig(cfg)
	lb, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("front-test"), Subnets: subnets})
	if err != nil {
		t.Fatal(err)
	}
	l, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn, Protocol: elbtypes.ProtocolEnumHttps, Port: aws.Int32(443),
		Certificates:   []elbtypes.Certificate{{CertificateArn: aws.String("arn:aws:iam::123456789012:server-certificate/default")}},
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumFixedResponse, FixedResponseConfig: &elbtypes.FixedResponseActionConfig{StatusCode: aws.String("404")}}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := l.Listeners[0].ListenerArn
	if _, err := c.AddListenerCertificates(ctx, &elb.AddListenerCertificatesInput{ListenerArn: arn,
		Certificates: []elbtypes.Certificate{{CertificateArn: aws.String("arn:aws:iam::123456789012:server-certificate/sni")}}}); err != nil {
		t.Fatal(err)
	}
	ls, err := c.DescribeListeners(ctx, &elb.DescribeListenersInput{ListenerArns: []string{aws.ToString(arn)}})
	if err != nil {
		t.Fatal(err)
	}
	var named []string
	for _, cert := range ls.Listeners[0].Certificates {
		named = append(named, path.Base(aws.ToString(cert.CertificateArn)))
	}
	if !slices.Equal(named, []string{"default"}) {
		t.Errorf("DescribeListeners names %v, want only the default certificate", named)
	}
	all, err := c.DescribeListenerCertificates(ctx, &elb.DescribeListenerCertificatesInput{ListenerArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Certificates) != 2 {
		t.Errorf("DescribeListenerCertificates lists %d certificates, want 2 (default and SNI)", len(all.Certificates))
	}
}
