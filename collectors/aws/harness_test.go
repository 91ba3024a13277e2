package aws_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	shokoaws "github.com/shoko-audit/shoko/collectors/aws"
	"github.com/shoko-audit/shoko/demo/awsestate"
	"github.com/shoko-audit/shoko/evidence"
	"github.com/shoko-audit/shoko/internal/motofront"
	"github.com/shoko-audit/shoko/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopSharedMoto()
	os.Exit(code)
}

const (
	testAccessKey = "AKIASHOKOTESTKEY0001"
	testSecretKey = "shoko-test-secret-that-must-never-leak"
)

// testNow is the estate's present; evidence is stamped with it.
var testNow = time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)

// env is a reset moto with a motofront before it, and SDK settings pointing at the front.
type env struct {
	front *motofront.Front
	cfg   aws.Config
}

func newEnv(t *testing.T) *env {
	t.Helper()
	m := testenv.NeedMoto(t)
	f, err := motofront.Start(m.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	// Static test credentials: nothing from the developer's machine may reach moto or evidence.
	// They are distinctive so a test can prove they never appear in evidence.
	t.Setenv("AWS_ACCESS_KEY_ID", testAccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", testSecretKey)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_ENDPOINT_URL", "")
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion(awsestate.Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, "")))
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseEndpoint = aws.String(f.URL)
	return &env{front: f, cfg: cfg}
}

func (e *env) seed(t *testing.T, o awsestate.Options) {
	t.Helper()
	if o.Now.IsZero() {
		o.Now = testNow
	}
	if err := awsestate.Seed(context.Background(), e.cfg, e.front, o); err != nil {
		t.Fatal(err)
	}
}

// collect runs the collector against the front with o (endpoint filled in).
func (e *env) collect(t *testing.T, o shokoaws.Options) []evidence.Item {
	t.Helper()
	o.EndpointURL = e.front.URL
	if o.TempBuckets == nil {
		o.TempBuckets = []string{awsestate.TempBucket}
	}
	items, err := shokoaws.New(o).Collect(context.Background(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
