package aws

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// dynamodbTask: every table's description (SSEDescription, ARN) with its tags, which
// DescribeTable does not return and the data-class scoping needs.
func dynamodbTask() task {
	return task{service: "dynamodb", kinds: []string{KindTables},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := dynamodb.NewFromConfig(cfg)
			p := dynamodb.NewListTablesPaginator(c, &dynamodb.ListTablesInput{})
			names, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *dynamodb.ListTablesOutput) []string { return o.TableNames })
			if err != nil {
				e.fail(KindTables, "ListTables", err)
				return
			}
			sort.Strings(names)
			tables := make([]map[string]any, len(names))
			failed := make([]error, len(names))
			op := make([]string, len(names))
			e.each(len(names), func(i int) {
				n := names[i]
				d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(n)})
				if code, ok := isGone(err, "ResourceNotFoundException"); ok {
					// Deleted since ListTables: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html
					tables[i] = gone("TableName", n, code)
					return
				}
				if err != nil {
					op[i], failed[i] = "DescribeTable", fmt.Errorf("table %s: %w", n, err)
					return
				}
				tags, err := tableTags(ctx, c, d.Table.TableArn)
				if code, ok := isGone(err, "ResourceNotFoundException"); ok {
					tables[i] = gone("TableName", n, code)
					return
				}
				if err != nil {
					op[i], failed[i] = "ListTagsOfResource", fmt.Errorf("table %s: %w", n, err)
					return
				}
				if tags == nil {
					tags = []ddbtypes.Tag{}
				}
				el := perResource("TableName", n, d)
				el["Tags"] = tags
				tables[i] = el
			})
			for i, err := range failed {
				if err != nil {
					e.fail(KindTables, op[i], err)
					return
				}
			}
			e.ok(KindTables, "ListTables+DescribeTable+ListTagsOfResource", pages, tables)
		}}
}

// tableTags reads every page of ListTagsOfResource (the SDK has no paginator for it).
func tableTags(ctx context.Context, c *dynamodb.Client, arn *string) ([]ddbtypes.Tag, error) {
	var tags []ddbtypes.Tag
	var token *string
	for {
		out, err := c.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: arn, NextToken: token})
		if err != nil {
			return nil, err
		}
		tags = append(tags, out.Tags...)
		if out.NextToken == nil || *out.NextToken == "" {
			return tags, nil
		}
		token = out.NextToken
	}
}
