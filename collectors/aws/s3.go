package aws

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// bucketCall is one per-bucket read: the operation, its kind, and the error codes AWS uses
// to say "this bucket has no such setting" (recorded as a fact, not an error).
type bucketCall struct {
	kind, op      string
	notConfigured []string
	call          func(ctx context.Context, c *s3.Client, bucket string) (any, error)
}

var bucketCalls = []bucketCall{
	{KindBucketLocation, "HeadBucket", nil, bucketRegion},
	{KindBucketEncryption, "GetBucketEncryption", []string{"ServerSideEncryptionConfigurationNotFoundError"}, func(ctx context.Context, c *s3.Client, b string) (any, error) {
		return c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(b)})
	}},
	{KindBucketLifecycle, "GetBucketLifecycleConfiguration", []string{"NoSuchLifecycleConfiguration"}, func(ctx context.Context, c *s3.Client, b string) (any, error) {
		return c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(b)})
	}},
	{KindBucketPolicy, "GetBucketPolicy", []string{"NoSuchBucketPolicy"}, func(ctx context.Context, c *s3.Client, b string) (any, error) {
		return c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(b)})
	}},
	{KindBucketACL, "GetBucketAcl", nil, func(ctx context.Context, c *s3.Client, b string) (any, error) {
		return c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String(b)})
	}},
	{KindBucketVersioning, "GetBucketVersioning", nil, func(ctx context.Context, c *s3.Client, b string) (any, error) {
		return c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(b)})
	}},
	{KindBucketObjectLock, "GetObjectLockConfiguration", []string{"ObjectLockConfigurationNotFoundError"}, func(ctx context.Context, c *s3.Client, b string) (any, error) {
		return c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(b)})
	}},
	{KindBucketTagging, "GetBucketTagging", []string{"NoSuchTagSet", "NoSuchTagSetError"}, func(ctx context.Context, c *s3.Client, b string) (any, error) {
		return c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(b)})
	}},
}

// s3Task: the account's buckets (a global list) and each bucket's settings; the objects of
// the configured temporary buckets. S3 answers bucket calls from any region once the client
// follows the bucket's region, so they are made from the home region.
func s3Task() task {
	kinds := []string{KindBuckets, KindTempObjects}
	for _, bc := range bucketCalls {
		kinds = append(kinds, bc.kind)
	}
	return task{service: "s3", kinds: kinds,
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := s3Client(cfg)
			p := s3.NewListBucketsPaginator(c, &s3.ListBucketsInput{})
			buckets, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *s3.ListBucketsOutput) []s3types.Bucket { return o.Buckets })
			if err != nil {
				e.failAll(kinds, "ListBuckets", err)
				return
			}
			buckets = sortBy(buckets, func(b s3types.Bucket) string { return aws.ToString(b.Name) })
			emit(e, KindBuckets, "ListBuckets", pages, nil, buckets)
			// Bucket calls must go to the bucket's own region (the SDK does not follow S3's
			// redirects): the bucket's region (HeadBucket, answered from any region) comes first
			// and decides the client of every later call.
			clients := &bucketClients{cfg: cfg, home: c, byRegion: map[string]*s3.Client{}, regionOf: map[string]string{}}
			names := make([]string, len(buckets))
			for i, b := range buckets {
				names[i] = aws.ToString(b.Name)
			}
			// The region of every bucket first; then the clients of the regions found,
			// made before the other calls run concurrently (which only read them).
			answers := make([][]any, len(bucketCalls))
			errs := make([][]error, len(bucketCalls))
			for k := range bucketCalls {
				answers[k], errs[k] = make([]any, len(names)), make([]error, len(names))
			}
			// HeadBucket is asked in the home region: the audit is allowed there, where a
			// region-deny service control policy may close us-east-1 to it.
			locationClient := c
			call := func(k, i int) {
				bc, name := bucketCalls[k], names[i]
				client := locationClient
				if bc.kind != KindBucketLocation {
					client = clients.forBucket(name) // only reads: every region's client exists by now
				}
				answers[k][i], errs[k][i] = bc.call(ctx, client, name)
			}
			loc := slices.IndexFunc(bucketCalls, func(bc bucketCall) bool { return bc.kind == KindBucketLocation })
			e.each(len(names), func(i int) { call(loc, i) })
			for i, name := range names {
				if m, ok := answers[loc][i].(map[string]any); ok {
					clients.regionOf[name], _ = m["Region"].(string)
				}
			}
			for _, name := range names {
				clients.forBucket(name)
			}
			others := len(bucketCalls) - 1
			e.each(others*len(names), func(j int) {
				k := j / len(names)
				if k >= loc {
					k++
				}
				call(k, j%len(names))
			})
			for k, bc := range bucketCalls {
				els := []any{}
				var failed error
				for i, name := range names {
					out, err := answers[k][i], errs[k][i]
					if code, ok := isNotConfigured(err, bc.notConfigured...); ok {
						els = append(els, notConfigured("Bucket", name, code))
						continue
					}
					if err != nil {
						failed = fmt.Errorf("bucket %s: %w", name, err)
						break
					}
					if m, ok := out.(map[string]any); ok {
						els = append(els, m)
					} else {
						els = append(els, perResource("Bucket", name, out))
					}
				}
				if failed != nil {
					e.fail(bc.kind, bc.op, failed)
				} else {
					e.ok(bc.kind, bc.op, len(buckets), els)
				}
			}
			listTempObjects(ctx, clients, e)
		}}
}

// bucketClients hands out an S3 client for the region a bucket lives in.
type bucketClients struct {
	cfg      aws.Config
	home     *s3.Client
	byRegion map[string]*s3.Client
	regionOf map[string]string
}

func (b *bucketClients) forBucket(bucket string) *s3.Client { return b.forRegion(b.regionOf[bucket]) }

func (b *bucketClients) forRegion(r string) *s3.Client {
	if r == "" || r == b.cfg.Region {
		return b.home
	}
	if c, ok := b.byRegion[r]; ok {
		return c
	}
	cfg := b.cfg.Copy()
	cfg.Region = r
	c := s3Client(cfg)
	b.byRegion[r] = c
	return c
}

// listTempObjects lists every object under the configured temporary buckets/prefixes.
func listTempObjects(ctx context.Context, clients *bucketClients, e *emitter) {
	els := []map[string]any{}
	pages := 0
	temp := append([]string(nil), e.opts.TempBuckets...)
	sort.Strings(temp)
	for _, bp := range temp {
		bucket, prefix, _ := strings.Cut(bp, "/")
		p := s3.NewListObjectsV2Paginator(clients.forBucket(bucket), &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
		objs, n, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *s3.ListObjectsV2Output) []s3types.Object { return o.Contents })
		if err != nil {
			e.fail(KindTempObjects, "ListObjectsV2", fmt.Errorf("temporary bucket %s: %w", bp, err))
			return
		}
		pages += n
		if objs == nil {
			objs = []s3types.Object{}
		}
		// ListObjectsV2 lists current versions only: in a versioned bucket a deleted or
		// overwritten file stays as a noncurrent version, still stored. ListObjectVersions
		// (IAM action s3:ListBucketVersions) finds them; delete markers hold no data.
		// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html
		old, n, err := noncurrentVersions(ctx, clients.forBucket(bucket), bucket, prefix)
		if err != nil {
			e.fail(KindTempObjects, "ListObjectVersions", fmt.Errorf("temporary bucket %s: %w", bp, err))
			return
		}
		pages += n
		els = append(els, map[string]any{"Bucket": bucket, "Prefix": prefix, "Contents": objs, "NoncurrentVersions": old})
	}
	e.ok(KindTempObjects, "ListObjectsV2+ListObjectVersions", pages, els)
}

// noncurrentVersions lists the noncurrent versions under a prefix (none in a bucket that was
// never versioned), every page.
func noncurrentVersions(ctx context.Context, c *s3.Client, bucket, prefix string) ([]s3types.ObjectVersion, int, error) {
	old := []s3types.ObjectVersion{}
	pages := 0
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String(prefix)}
	for {
		out, err := c.ListObjectVersions(ctx, in)
		if err != nil {
			return nil, pages, err
		}
		pages++
		for _, v := range out.Versions {
			if !aws.ToBool(v.IsLatest) {
				old = append(old, v)
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			return old, pages, nil
		}
		if out.NextKeyMarker == nil && out.NextVersionIdMarker == nil {
			return nil, pages, fmt.Errorf("ListObjectVersions answered IsTruncated without a next marker")
		}
		in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
}

// bucketRegion reads a bucket's region from HeadBucket's x-amz-bucket-region header. AWS
// recommends it over GetBucketLocation: HeadBucket returns the header whether or not access to
// the bucket is authorized, also with the 301 a request to another region gets, and it is
// authorized by s3:ListBucket, where AWS's example region-deny SCP blocks GetBucketLocation
// through a us-east-1 client.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html
func bucketRegion(ctx context.Context, c *s3.Client, b string) (any, error) {
	out, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(b)})
	region := ""
	if err == nil {
		region = aws.ToString(out.BucketRegion)
	} else {
		var re *awshttp.ResponseError
		if !errors.As(err, &re) || re.HTTPResponse() == nil {
			return nil, err
		}
		if region = re.HTTPResponse().Header.Get("x-amz-bucket-region"); region == "" {
			return nil, err
		}
	}
	if region == "" {
		return nil, fmt.Errorf("HeadBucket answered without x-amz-bucket-region")
	}
	return map[string]any{"Bucket": b, "Region": region, "Source": "HeadBucket x-amz-bucket-region"}, nil
}
