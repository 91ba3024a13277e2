package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// S3Option configures an S3 store.
type S3Option func(*s3Config)

type s3Config struct {
	region, endpoint string
	lockMode         types.ObjectLockMode
	retentionDays    int
	now              func() time.Time
}

// WithRegion sets the bucket's region (default: the AWS SDK's, from the environment).
func WithRegion(r string) S3Option { return func(c *s3Config) { c.region = r } }

// WithEndpoint sets an S3-compatible endpoint (moto, MinIO), addressed path-style.
func WithEndpoint(u string) S3Option { return func(c *s3Config) { c.endpoint = u } }

// WithObjectLock locks every run file written: mode GOVERNANCE or COMPLIANCE, retained for days.
// The bucket must have Object Lock enabled; OpenS3Store checks.
func WithObjectLock(mode string, days int) S3Option {
	return func(c *s3Config) { c.lockMode, c.retentionDays = types.ObjectLockMode(mode), days }
}

// S3Store keeps runs in an S3 bucket below a prefix. Run files are written with
// If-None-Match: * (a second write of a name is refused, not a silent overwrite) and, when
// configured, an Object Lock retention, so that neither shoko's operators nor an attacker with
// their credentials can rewrite or delete them within the retention period. S3 objects are
// written whole: a reader never sees half a file.
type S3Store struct {
	client *s3.Client
	bucket string
	prefix string
	cfg    s3Config
}

// OpenS3Store opens s3://bucket/prefix with the AWS SDK's default credentials. When Object Lock
// is asked for, a bucket without Object Lock enabled is refused: a store that is supposed to be
// tamper-resistant and is not must not look as if it were.
func OpenS3Store(ctx context.Context, location string, opts ...S3Option) (*S3Store, error) {
	u, err := url.Parse(location)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return nil, fmt.Errorf("store %q: expected s3://bucket/prefix", location)
	}
	var cfg s3Config
	for _, o := range opts {
		o(&cfg)
	}
	var loadOpts []func(*awsconfig.LoadOptions) error
	if cfg.region != "" {
		loadOpts = append(loadOpts, awsconfig.WithRegion(cfg.region))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("store %s: AWS configuration: %w", location, err)
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		// S3-compatible services often return no response checksum; the SDK would log each one.
		o.DisableLogOutputChecksumValidationSkipped = true
		if cfg.endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.endpoint)
			o.UsePathStyle = true
		}
	})
	st := NewS3Store(client, u.Host, strings.Trim(u.Path, "/"), opts...)
	if st.cfg.lockMode != "" {
		if err := st.checkObjectLock(ctx); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// NewS3Store returns a store on a bucket through an existing client.
func NewS3Store(client *s3.Client, bucket, prefix string, opts ...S3Option) *S3Store {
	cfg := s3Config{now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	return &S3Store{client: client, bucket: bucket, prefix: strings.Trim(prefix, "/"), cfg: cfg}
}

func (s *S3Store) String() string {
	if s.prefix == "" {
		return "s3://" + s.bucket
	}
	return "s3://" + s.bucket + "/" + s.prefix
}

func (s *S3Store) key(name string) string {
	if s.prefix == "" {
		return name
	}
	return s.prefix + "/" + name
}

func (s *S3Store) checkObjectLock(ctx context.Context) error {
	switch s.cfg.lockMode {
	case types.ObjectLockModeGovernance, types.ObjectLockModeCompliance:
	default:
		return fmt.Errorf("store %s: object lock mode %q: want GOVERNANCE or COMPLIANCE", s, s.cfg.lockMode)
	}
	if s.cfg.retentionDays <= 0 {
		return fmt.Errorf("store %s: object lock retention of %d days: want at least 1", s, s.cfg.retentionDays)
	}
	out, err := s.client.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(s.bucket)})
	if err != nil {
		return fmt.Errorf("store %s: Object Lock is configured but the bucket's lock configuration cannot be read (is Object Lock enabled on the bucket?): %w", s, err)
	}
	if out.ObjectLockConfiguration == nil || out.ObjectLockConfiguration.ObjectLockEnabled != types.ObjectLockEnabledEnabled {
		return fmt.Errorf("store %s: Object Lock is configured but not enabled on bucket %s", s, s.bucket)
	}
	return nil
}

// Put writes a run file once: If-None-Match: * makes S3 refuse a name that exists, and the
// Object Lock retention (when configured) keeps this version from deletion until it expires.
func (s *S3Store) Put(ctx context.Context, name string, b []byte) error {
	if err := checkName(name); err != nil {
		return err
	}
	// The SHA-256 checksum makes S3 check the bytes it stores are the bytes sent (and Object
	// Lock requires a checksum or Content-MD5 on every locked upload).
	sum := sha256.Sum256(b)
	in := &s3.PutObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.key(name)), Body: bytes.NewReader(b),
		ContentLength: aws.Int64(int64(len(b))), IfNoneMatch: aws.String("*"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256, ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(sum[:]))}
	if s.cfg.lockMode != "" {
		in.ObjectLockMode = s.cfg.lockMode
		in.ObjectLockRetainUntilDate = aws.Time(s.cfg.now().UTC().AddDate(0, 0, s.cfg.retentionDays))
	}
	if _, err := s.client.PutObject(ctx, in); err != nil {
		if code := apiCode(err); code == "PreconditionFailed" || code == "ConditionalRequestConflict" {
			return fmt.Errorf("store %s: %s already exists; run files are written once", s, name)
		}
		return fmt.Errorf("store %s: put %s: %w", s, name, err)
	}
	return nil
}

// Get reads a file; a missing one wraps fs.ErrNotExist.
func (s *S3Store) Get(ctx context.Context, name string) ([]byte, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.key(name))})
	if err != nil {
		var nsk *types.NoSuchKey
		if errors.As(err, &nsk) || apiCode(err) == "NotFound" {
			return nil, fmt.Errorf("store %s: read %s: %w", s, name, fs.ErrNotExist)
		}
		return nil, fmt.Errorf("store %s: read %s: %w", s, name, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, fmt.Errorf("store %s: read %s: %w", s, name, err)
	}
	return b, nil
}

// List returns the names below prefix, sorted.
func (s *S3Store) List(ctx context.Context, prefix string) ([]string, error) {
	if err := checkName(prefix); err != nil {
		return nil, err
	}
	keyPrefix := s.key(prefix) + "/"
	var names []string
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket), Prefix: aws.String(keyPrefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("store %s: list %s: %w", s, prefix, err)
		}
		for _, o := range page.Contents {
			names = append(names, path.Join(prefix, strings.TrimPrefix(aws.ToString(o.Key), keyPrefix)))
		}
	}
	sort.Strings(names)
	return names, nil
}

// PutMarker writes a marker without a lock, so that DeleteMarker can remove it.
func (s *S3Store) PutMarker(ctx context.Context, name string, b []byte) error {
	if err := checkName(name); err != nil {
		return err
	}
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.key(name)),
		Body: bytes.NewReader(b), ContentLength: aws.Int64(int64(len(b)))})
	if err != nil {
		return fmt.Errorf("store %s: put marker %s: %w", s, name, err)
	}
	return nil
}

// DeleteMarker removes a marker (in a versioned bucket: adds a delete marker).
func (s *S3Store) DeleteMarker(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if _, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.key(name))}); err != nil {
		return fmt.Errorf("store %s: delete marker %s: %w", s, name, err)
	}
	return nil
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
