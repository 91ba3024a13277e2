package aws

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	nfw "github.com/aws/aws-sdk-go-v2/service/networkfirewall"
	nfwtypes "github.com/aws/aws-sdk-go-v2/service/networkfirewall/types"
)

// networkFirewallTask: the firewalls (each names the VPC it protects).
func networkFirewallTask() task {
	return task{service: "network-firewall", kinds: []string{KindFirewalls},
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := nfw.NewFromConfig(cfg)
			p := nfw.NewListFirewallsPaginator(c, &nfw.ListFirewallsInput{})
			fws, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *nfw.ListFirewallsOutput) []nfwtypes.FirewallMetadata { return o.Firewalls })
			emit(e, KindFirewalls, "ListFirewalls", pages, err, sortBy(fws, func(v nfwtypes.FirewallMetadata) string { return aws.ToString(v.FirewallArn) }))
		}}
}
