package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// elbv2Task: load balancers, their listeners, the SSL policies those name (resolved to their
// protocols: a policy's name says nothing reliable about what it allows), the rules of the
// HTTP/HTTPS listeners (a rule can serve a path differently from the default action), the
// certificates of the HTTPS/TLS listeners (DescribeListeners names only the default one; SNI
// certificates are listed by DescribeListenerCertificates), target groups and the health of
// their targets.
func elbv2Task() task {
	kinds := []string{KindLoadBalancers, KindListeners, KindSSLPolicies, KindListenerRules, KindListenerCerts, KindTargetGroups, KindTargetHealth}
	return task{service: "elbv2", kinds: kinds,
		run: func(ctx context.Context, cfg aws.Config, e *emitter) {
			c := elb.NewFromConfig(cfg)
			p := elb.NewDescribeLoadBalancersPaginator(c, &elb.DescribeLoadBalancersInput{})
			lbs, pages, err := pageAll(ctx, p.HasMorePages, p.NextPage, func(o *elb.DescribeLoadBalancersOutput) []elbtypes.LoadBalancer { return o.LoadBalancers })
			if err != nil {
				e.failAll(kinds, "DescribeLoadBalancers", err)
				return
			}
			lbs = sortBy(lbs, func(v elbtypes.LoadBalancer) string { return aws.ToString(v.LoadBalancerArn) })
			emit(e, KindLoadBalancers, "DescribeLoadBalancers", pages, nil, lbs)

			listeners := []elbtypes.Listener{}
			policyNames := map[string]bool{}
			lpages := 0
			for _, lb := range lbs {
				lp := elb.NewDescribeListenersPaginator(c, &elb.DescribeListenersInput{LoadBalancerArn: lb.LoadBalancerArn})
				ls, n, err := pageAll(ctx, lp.HasMorePages, lp.NextPage, func(o *elb.DescribeListenersOutput) []elbtypes.Listener { return o.Listeners })
				if err != nil {
					e.failAll([]string{KindListeners, KindSSLPolicies, KindListenerRules, KindListenerCerts}, "DescribeListeners", fmt.Errorf("load balancer %s: %w", aws.ToString(lb.LoadBalancerArn), err))
					listeners = nil
					break
				}
				lpages += n
				for _, l := range ls {
					if l.SslPolicy != nil {
						policyNames[*l.SslPolicy] = true
					}
				}
				listeners = append(listeners, ls...)
			}
			if listeners != nil {
				e.ok(KindListeners, "DescribeListeners", lpages, sortBy(listeners, func(v elbtypes.Listener) string { return aws.ToString(v.ListenerArn) }))
				describeSSLPolicies(ctx, c, e, policyNames)
				describeRules(ctx, c, e, listeners)
				describeListenerCertificates(ctx, c, e, listeners)
			}

			tp := elb.NewDescribeTargetGroupsPaginator(c, &elb.DescribeTargetGroupsInput{})
			tgs, pages, err := pageAll(ctx, tp.HasMorePages, tp.NextPage, func(o *elb.DescribeTargetGroupsOutput) []elbtypes.TargetGroup { return o.TargetGroups })
			if err != nil {
				e.failAll([]string{KindTargetGroups, KindTargetHealth}, "DescribeTargetGroups", err)
				return
			}
			tgs = sortBy(tgs, func(v elbtypes.TargetGroup) string { return aws.ToString(v.TargetGroupArn) })
			emit(e, KindTargetGroups, "DescribeTargetGroups", pages, nil, tgs)
			health := []map[string]any{}
			for _, tg := range tgs {
				h, err := c.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: tg.TargetGroupArn})
				if err != nil {
					e.fail(KindTargetHealth, "DescribeTargetHealth", fmt.Errorf("target group %s: %w", aws.ToString(tg.TargetGroupArn), err))
					return
				}
				health = append(health, perResource("TargetGroupArn", aws.ToString(tg.TargetGroupArn), h))
			}
			e.ok(KindTargetHealth, "DescribeTargetHealth", len(health), health)
		}}
}

// describeSSLPolicies resolves the policies the listeners name. The call takes at most 20
// names (an AWS limit), so it is made in batches.
func describeSSLPolicies(ctx context.Context, c *elb.Client, e *emitter, names map[string]bool) {
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sortBy(sorted, func(s string) string { return s })
	policies := []elbtypes.SslPolicy{}
	pages := 0
	for start := 0; start < len(sorted); start += 20 {
		batch := sorted[start:min(start+20, len(sorted))]
		var marker *string
		for {
			out, err := c.DescribeSSLPolicies(ctx, &elb.DescribeSSLPoliciesInput{Names: batch, Marker: marker})
			if err != nil {
				e.fail(KindSSLPolicies, "DescribeSSLPolicies", err)
				return
			}
			pages++
			policies = append(policies, out.SslPolicies...)
			if out.NextMarker == nil || *out.NextMarker == "" {
				break
			}
			marker = out.NextMarker
		}
	}
	e.ok(KindSSLPolicies, "DescribeSSLPolicies", pages, sortBy(policies, func(v elbtypes.SslPolicy) string { return aws.ToString(v.Name) }))
}

// describeRules reads the rules of every HTTP and HTTPS listener (only Application Load Balancer
// listeners have rules; AWS always includes the default rule, IsDefault true). Each rule is
// stored with the ListenerArn it belongs to, which the Rule shape itself does not carry.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeRules.html
func describeRules(ctx context.Context, c *elb.Client, e *emitter, listeners []elbtypes.Listener) {
	rules := []map[string]any{}
	pages := 0
	for _, l := range listeners {
		if l.Protocol != elbtypes.ProtocolEnumHttp && l.Protocol != elbtypes.ProtocolEnumHttps {
			continue
		}
		var marker *string
		for {
			out, err := c.DescribeRules(ctx, &elb.DescribeRulesInput{ListenerArn: l.ListenerArn, Marker: marker})
			if err != nil {
				e.fail(KindListenerRules, "DescribeRules", fmt.Errorf("listener %s: %w", aws.ToString(l.ListenerArn), err))
				return
			}
			pages++
			for _, r := range out.Rules {
				rules = append(rules, perResource("ListenerArn", aws.ToString(l.ListenerArn), r))
			}
			if out.NextMarker == nil || *out.NextMarker == "" {
				break
			}
			marker = out.NextMarker
		}
	}
	e.ok(KindListenerRules, "DescribeRules", pages, rules)
}

// describeListenerCertificates reads the certificate list of every HTTPS and TLS listener: the
// default certificate (IsDefault true) and the SNI certificates, which DescribeListeners does not
// show. Each row carries the ListenerArn it belongs to.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeListenerCertificates.html
func describeListenerCertificates(ctx context.Context, c *elb.Client, e *emitter, listeners []elbtypes.Listener) {
	certs := []map[string]any{}
	pages := 0
	for _, l := range listeners {
		if l.Protocol != elbtypes.ProtocolEnumHttps && l.Protocol != elbtypes.ProtocolEnumTls {
			continue
		}
		var marker *string
		for {
			out, err := c.DescribeListenerCertificates(ctx, &elb.DescribeListenerCertificatesInput{ListenerArn: l.ListenerArn, Marker: marker})
			if err != nil {
				e.fail(KindListenerCerts, "DescribeListenerCertificates", fmt.Errorf("listener %s: %w", aws.ToString(l.ListenerArn), err))
				return
			}
			pages++
			for _, cert := range out.Certificates {
				certs = append(certs, perResource("ListenerArn", aws.ToString(l.ListenerArn), cert))
			}
			if out.NextMarker == nil || *out.NextMarker == "" {
				break
			}
			marker = out.NextMarker
		}
	}
	e.ok(KindListenerCerts, "DescribeListenerCertificates", pages, certs)
}
