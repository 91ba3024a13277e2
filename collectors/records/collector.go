package records

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/shoko-audit/shoko/collectors"
	"github.com/shoko-audit/shoko/evidence"
)

// Collector collects the records files, the attestation directory, the exceptions file and the
// remediations file that the configuration names. Paths are relative to BaseDir (the configuration's directory) unless
// absolute; evidence and errors name them as configured, so that the same configuration gives
// the same evidence on any machine.
type Collector struct {
	Records         []File
	AttestationsDir string // empty: no attestations are collected
	ExceptionsFile  string // empty: no exceptions are collected
	// RemediationsFile is the vendor's plans for unmet claims; empty: none are collected.
	RemediationsFile string
	BaseDir          string
}

var _ collectors.Collector = Collector{}

// Name is the collector's name in every item it produces.
func (c Collector) Name() string { return "records" }

// Kinds are the kinds this configuration produces, sorted: those of the configured records
// files, plus attestations and exceptions when configured. A kind nothing is configured for is
// left out, so that a plan needing it can say which file is missing from the configuration.
func (c Collector) Kinds() []string {
	var out []string
	for _, f := range c.Records {
		if _, ok := schemas[f.Kind]; ok {
			out = append(out, f.Kind)
		}
	}
	if c.AttestationsDir != "" {
		out = append(out, KindAttestations)
	}
	if c.ExceptionsFile != "" {
		out = append(out, KindExceptions)
	}
	if c.RemediationsFile != "" {
		out = append(out, KindRemediations)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Collect reads every configured source into one item each: the records files in configured
// order, then the attestations, the exceptions and the remediations. A source that cannot be read or parsed
// becomes an error item carrying the FILE:LINE message, and the others are still collected.
// Collect returns an error only for a configuration it cannot start from (an unknown kind, a
// file configured twice) or when ctx is cancelled.
func (c Collector) Collect(ctx context.Context, now time.Time) ([]evidence.Item, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	var items []evidence.Item
	for _, f := range c.Records {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name := displayName(f.Path)
		rows, err := ReadRecords(f.Kind, c.resolve(f.Path), name)
		items = append(items, newItem(f.Kind, map[string]string{"source": "records", "file": name},
			now, name, rows, err))
	}
	if c.AttestationsDir != "" {
		name := displayName(c.AttestationsDir)
		list, err := readAttestations(ctx, c.resolve(c.AttestationsDir), name)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		items = append(items, newItem(KindAttestations, map[string]string{"source": "attestations", "dir": name},
			now, name, list, err))
	}
	if c.ExceptionsFile != "" {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name := displayName(c.ExceptionsFile)
		list, err := ReadExceptions(c.resolve(c.ExceptionsFile), name)
		items = append(items, newItem(KindExceptions, map[string]string{"source": "exceptions", "file": name},
			now, name, list, err))
	}
	if c.RemediationsFile != "" {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name := displayName(c.RemediationsFile)
		list, err := ReadRemediations(c.resolve(c.RemediationsFile), name)
		items = append(items, newItem(KindRemediations, map[string]string{"source": "remediations", "file": name},
			now, name, list, err))
	}
	return items, nil
}

// validate refuses a configuration that cannot give sound evidence: an unknown kind would never
// be collected, and the same file configured twice for a kind would give two items with the
// same kind and scope (one would overwrite the other in the store).
func (c Collector) validate() error {
	var errs []error
	seen := map[[2]string]bool{}
	for i, f := range c.Records {
		switch {
		case f.Path == "":
			errs = append(errs, fmt.Errorf("records file %d (%s): no path", i+1, f.Kind))
		case schemas[f.Kind] == nil:
			errs = append(errs, fmt.Errorf("records file %s: unknown kind %q (known: %v)", f.Path, f.Kind, Kinds()))
		case seen[[2]string{f.Kind, displayName(f.Path)}]:
			errs = append(errs, fmt.Errorf("records file %s is configured twice as %s", f.Path, f.Kind))
		}
		seen[[2]string{f.Kind, displayName(f.Path)}] = true
	}
	return errors.Join(errs...)
}

func (c Collector) resolve(p string) string {
	if filepath.IsAbs(p) || c.BaseDir == "" {
		return p
	}
	return filepath.Join(c.BaseDir, p)
}

// displayName is a configured path as evidence shows it: as configured, with forward slashes
// whatever the operating system.
func displayName(p string) string { return filepath.ToSlash(p) }

// newItem wraps what a source gave: data when err is nil, else an error item.
func newItem(kind string, scope map[string]string, now time.Time, file string, data any, err error) evidence.Item {
	info := evidence.CollectorInfo{Name: "records", Version: collectors.Version}
	req := &evidence.Request{File: file}
	if err == nil {
		var it evidence.Item
		if it, err = evidence.NewOK(kind, scope, now, info, req, data); err == nil {
			return it
		}
	}
	return evidence.NewError(kind, scope, now, info, req, err)
}
