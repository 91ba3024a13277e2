package aws

import (
	"context"
	"sort"
	"strings"
	"sync"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// requestLog gathers the request ids AWS gave one task's calls, so each item can say which
// requests its answer came from (an auditor can match them with AWS's own records, e.g.
// CloudTrail). Ids identify requests; they carry no credential.
type requestLog struct {
	mu  sync.Mutex
	ids map[string][]string // operation → ids, in call order
}

type requestLogKey struct{}

func withRequestLog(ctx context.Context) (context.Context, *requestLog) {
	l := &requestLog{ids: map[string][]string{}}
	return context.WithValue(ctx, requestLogKey{}, l), l
}

// forOperations returns the ids of the named operations ("ListTables+DescribeTable"), sorted,
// so the order calls finished in does not show.
func (l *requestLog) forOperations(ops string) []string {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, op := range strings.Split(ops, "+") {
		out = append(out, l.ids[op]...)
	}
	sort.Strings(out)
	return out
}

// recordRequestIDs is an SDK middleware noting the request id of every answered call.
func recordRequestIDs(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("shoko-request-ids",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleInitialize(ctx, in)
			if l, ok := ctx.Value(requestLogKey{}).(*requestLog); ok {
				if id, found := awsmiddleware.GetRequestIDMetadata(md); found && id != "" {
					op := awsmiddleware.GetOperationName(ctx)
					l.mu.Lock()
					l.ids[op] = append(l.ids[op], id)
					l.mu.Unlock()
				}
			}
			return out, md, err
		}), middleware.After)
}
