package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/tester"
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

// DateDayBuiltin declares shoko.date_day(d): the day number (days since 1970-01-01) of the
// calendar date d, a YYYY-MM-DD string. A string that is not a real date is an error, so a policy
// doing date arithmetic on a bad date makes its control `error` rather than silently skipping a
// rule; policies check shoko.is_date first where a bad date is a finding of its own.
//
// Date arithmetic is a builtin because policies do it per evidence row: in Rego (sprintf, then
// time.parse_rfc3339_ns, then division) it was a large share of the per-row cost.
var DateDayBuiltin = &ast.Builtin{
	Name: "shoko.date_day",
	Decl: types.NewFunction(types.Args(
		types.Named("d", types.S).Description("a YYYY-MM-DD date"),
	), types.Named("day", types.N).Description("days from 1970-01-01 to d")),
}

// IsDateBuiltin declares shoko.is_date(x): true when x is a YYYY-MM-DD string naming a real
// calendar date (2026-02-30 is not), false otherwise. It never errors.
var IsDateBuiltin = &ast.Builtin{
	Name: "shoko.is_date",
	Decl: types.NewFunction(types.Args(
		types.Named("x", types.A).Description("any value"),
	), types.Named("ok", types.B).Description("x is a YYYY-MM-DD string naming a real date")),
}

// builtins are shoko's own Rego builtins, declared for the compiler.
func builtins() map[string]*ast.Builtin {
	return map[string]*ast.Builtin{
		BusinessDaysBuiltin.Name: BusinessDaysBuiltin,
		DateDayBuiltin.Name:      DateDayBuiltin,
		IsDateBuiltin.Name:       IsDateBuiltin,
	}
}

// builtinFunctions binds every builtin of builtins() to its implementation.
func builtinFunctions(cal *calendar.Calendar) []func(*rego.Rego) {
	return []func(*rego.Rego){businessDaysFunction(cal), dateDayFunction, isDateFunction}
}

// builtinsForTests is builtinFunctions in the form OPA's test runner takes.
func builtinsForTests(cal *calendar.Calendar) []*tester.Builtin {
	return []*tester.Builtin{
		{Decl: BusinessDaysBuiltin, Func: businessDaysFunction(cal)},
		{Decl: DateDayBuiltin, Func: dateDayFunction},
		{Decl: IsDateBuiltin, Func: isDateFunction},
	}
}

var dateDayFunction = rego.Function1(&rego.Function{Name: DateDayBuiltin.Name, Decl: DateDayBuiltin.Decl},
	func(_ rego.BuiltinContext, d *ast.Term) (*ast.Term, error) {
		day, err := dateDay(d.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", DateDayBuiltin.Name, err)
		}
		return ast.InternedTerm(day), nil
	})

var isDateFunction = rego.Function1(&rego.Function{Name: IsDateBuiltin.Name, Decl: IsDateBuiltin.Decl},
	func(_ rego.BuiltinContext, x *ast.Term) (*ast.Term, error) {
		_, err := dateDay(x.Value)
		return ast.InternedTerm(err == nil), nil
	})

// dateDay is the day number of a YYYY-MM-DD string.
func dateDay(v ast.Value) (int, error) {
	s, ok := v.(ast.String)
	if !ok {
		return 0, fmt.Errorf("want a YYYY-MM-DD string, got %s", ast.ValueName(v))
	}
	t, err := time.Parse("2006-01-02", string(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a YYYY-MM-DD date", string(s))
	}
	return int(t.Unix() / 86400), nil
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
