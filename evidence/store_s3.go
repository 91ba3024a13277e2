package evidence

import (
	"context"
	"fmt"
)

// S3Option configures an S3 store.
type S3Option func(*s3Config)

type s3Config struct {
	region, endpoint string
	lockMode         string
	retentionDays    int
	pathStyle        bool
}

// WithRegion sets the bucket's region.
func WithRegion(r string) S3Option { return func(c *s3Config) { c.region = r } }

// WithEndpoint sets an S3-compatible endpoint (moto, MinIO) and path-style addressing.
func WithEndpoint(u string) S3Option {
	return func(c *s3Config) { c.endpoint, c.pathStyle = u, u != "" }
}

// WithObjectLock locks every run object written: mode GOVERNANCE or COMPLIANCE, for days.
func WithObjectLock(mode string, days int) S3Option {
	return func(c *s3Config) { c.lockMode, c.retentionDays = mode, days }
}

// OpenS3Store opens an S3 store (not yet built).
func OpenS3Store(ctx context.Context, location string, opts ...S3Option) (Store, error) {
	return nil, fmt.Errorf("store %s: the S3 store is not built yet", location)
}
