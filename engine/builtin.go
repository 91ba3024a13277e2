package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"

	"github.com/shoko-audit/shoko/calendar"
)

// BusinessDaysBuiltin declares shoko.business_days_between(a, b): the number of Japanese
// business days d with date(a) < d <= date(b), dates read in JST; negative when b is before a.
// a and b are RFC 3339 times or YYYY-MM-DD dates.
var BusinessDaysBuiltin = &ast.Builtin{
	Name: "shoko.business_days_between",
	Decl: types.NewFunction(types.Args(
		types.Named("a", types.S).Description("start: RFC 3339 time or YYYY-MM-DD date"),
		types.Named("b", types.S).Description("end: RFC 3339 time or YYYY-MM-DD date"),
	), types.Named("days", types.N).Description("business days after a's date up to and including b's date")),
}

// businessDaysFunction binds the builtin to a calendar (its closures come from configuration).
func businessDaysFunction(cal *calendar.Calendar) func(*rego.Rego) {
	return rego.Function2(&rego.Function{Name: BusinessDaysBuiltin.Name, Decl: BusinessDaysBuiltin.Decl, Memoize: true},
		func(_ rego.BuiltinContext, a, b *ast.Term) (*ast.Term, error) {
			ta, err := parseTimeArg(a)
			if err != nil {
				return nil, fmt.Errorf("%s: argument a: %w", BusinessDaysBuiltin.Name, err)
			}
			tb, err := parseTimeArg(b)
			if err != nil {
				return nil, fmt.Errorf("%s: argument b: %w", BusinessDaysBuiltin.Name, err)
			}
			return ast.IntNumberTerm(cal.BusinessDaysBetween(ta, tb)), nil
		})
}

func parseTimeArg(t *ast.Term) (time.Time, error) {
	s, ok := t.Value.(ast.String)
	if !ok {
		return time.Time{}, fmt.Errorf("want a string, got %s", ast.ValueName(t.Value))
	}
	v := string(s)
	if !strings.Contains(v, "T") {
		d, err := time.ParseInLocation("2006-01-02", v, calendar.JST)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is not a YYYY-MM-DD date", v)
		}
		return d, nil
	}
	ts, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time", v)
	}
	return ts, nil
}
