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

// AddMonthsBuiltin declares shoko.add_months(d, n): the YYYY-MM-DD date n calendar months after
// the date d, with a day that does not exist in the target month clamped to that month's last
// day (2028-02-29 + 12 months is 2029-02-28; 2026-01-31 + 1 month is 2026-02-28). Controls
// whose claim is "at least once a year" judge a due date this way: a day count of 365 would
// fail a yearly audit that crosses February 29. A bad date or a non-integer n is an error.
//
// Memoised: per_record controls call it once per row, and rows share their dates.
var AddMonthsBuiltin = &ast.Builtin{
	Name: "shoko.add_months",
	Decl: types.NewFunction(types.Args(
		types.Named("d", types.S).Description("a YYYY-MM-DD date"),
		types.Named("n", types.N).Description("whole calendar months to add (negative: subtract)"),
	), types.Named("due", types.S).Description("the YYYY-MM-DD date n months after d, clamped to the month's last day")),
}

// builtins are shoko's own Rego builtins, declared for the compiler.
func builtins() map[string]*ast.Builtin {
	return map[string]*ast.Builtin{
		AddMonthsBuiltin.Name:    AddMonthsBuiltin,
		BusinessDaysBuiltin.Name: BusinessDaysBuiltin,
		DateDayBuiltin.Name:      DateDayBuiltin,
		IsDateBuiltin.Name:       IsDateBuiltin,
	}
}

// builtinFunctions binds every builtin of builtins() to its implementation.
func builtinFunctions(cal *calendar.Calendar) []func(*rego.Rego) {
	return []func(*rego.Rego){addMonthsFunction, businessDaysFunction(cal), dateDayFunction, isDateFunction}
}

// builtinsForTests is builtinFunctions in the form OPA's test runner takes.
func builtinsForTests(cal *calendar.Calendar) []*tester.Builtin {
	return []*tester.Builtin{
		{Decl: AddMonthsBuiltin, Func: addMonthsFunction},
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

var addMonthsFunction = rego.Function2(&rego.Function{Name: AddMonthsBuiltin.Name, Decl: AddMonthsBuiltin.Decl, Memoize: true},
	func(_ rego.BuiltinContext, d, n *ast.Term) (*ast.Term, error) {
		due, err := addMonths(d.Value, n.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", AddMonthsBuiltin.Name, err)
		}
		return ast.StringTerm(due), nil
	})

// addMonths is the YYYY-MM-DD date n calendar months after the date d, clamped to the last day
// of the target month. Go's AddDate would normalise instead (2028-02-29 plus a year is
// 2029-03-01), which would move a yearly due date a day late.
func addMonths(d, n ast.Value) (string, error) {
	s, ok := d.(ast.String)
	if !ok {
		return "", fmt.Errorf("want a YYYY-MM-DD string, got %s", ast.ValueName(d))
	}
	t, err := time.Parse("2006-01-02", string(s))
	if err != nil {
		return "", fmt.Errorf("%q is not a YYYY-MM-DD date", string(s))
	}
	num, ok := n.(ast.Number)
	if !ok {
		return "", fmt.Errorf("want a whole number of months, got %s", ast.ValueName(n))
	}
	months, ok := num.Int()
	if !ok {
		return "", fmt.Errorf("want a whole number of months, got %s", num)
	}
	// Month index counted from year 0, so the year and month of the target fall out of one
	// floor division whatever the sign of n.
	index := t.Year()*12 + int(t.Month()) - 1 + months
	year, month := floorDiv(index, 12), time.Month(index-floorDiv(index, 12)*12+1)
	day := min(t.Day(), daysIn(year, month))
	return time.Date(year, month, day, 0, 0, 0, 0, time.UTC).Format("2006-01-02"), nil
}

// daysIn is the number of days of a month (day 0 of the next month is this month's last day).
func daysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
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
