package calendar

import (
	"maps"
	"sync"
	"time"
)

// firstRuleYear is the first year whose holidays this package computes.
// The rules below model the Act on National Holidays from 1970 on; the
// holidays before its 1966 amendment were different, and the oracle starts
// in 1970, so earlier dates report no holiday rather than a guess.
const firstRuleYear = 1970

// HolidayName reports the holiday on d's date in Japan (JST), if any, with
// the Japanese name used by the holiday-jp data set (testdata/holidays_jp.yml):
// national holidays (国民の祝日), substitute holidays ("<祝日> 振替休日"),
// citizens' holidays ("休日") and one-off days set by special acts.
//
// Verified day by day against that data set for 1970–2050. Before 1970 it
// reports no holiday. After 2050 it extrapolates today's law; note that the
// equinox days are only fixed officially each February for the next year,
// and the approximation formula used here is valid up to 2099.
func HolidayName(d time.Time) (string, bool) {
	day := dateOf(d)
	name, ok := holidaysOf(day.Year())[monthDayOf(day)]
	return name, ok
}

// holidayCache memoises holidaysOf: a year's holidays never change, and
// BusinessDaysBetween looks up every day in its range.
var holidayCache sync.Map // int (year) -> map[MonthDay]string

// holidaysOf returns every holiday of year keyed by month and day.
// The returned map is shared and must not be modified.
func holidaysOf(year int) map[MonthDay]string {
	if cached, ok := holidayCache.Load(year); ok {
		return cached.(map[MonthDay]string)
	}
	h := map[MonthDay]string{}
	if year >= firstRuleYear {
		// Substitute and citizens' holidays are both defined relative to the
		// national holidays alone. Substitutes go first because a citizens'
		// holiday may not fall on a day that is already a substitute.
		national := nationalHolidays(year)
		h = maps.Clone(national)
		addSubstituteHolidays(year, national, h)
		addCitizensHolidays(year, national, h)
	}
	cached, _ := holidayCache.LoadOrStore(year, h)
	return cached.(map[MonthDay]string)
}

// nationalHolidays returns the 国民の祝日 of year (Article 2 of the Act) plus
// the one-off days that special acts declared holidays. It does not include
// substitute or citizens' holidays.
func nationalHolidays(year int) map[MonthDay]string {
	h := map[MonthDay]string{}
	add := func(m time.Month, day int, name string) { h[MonthDay{m, day}] = name }

	add(time.January, 1, "元日")

	// Coming of Age Day moved to a Monday in 2000 (the "Happy Monday" reform).
	if year >= 2000 {
		add(time.January, nthMonday(year, time.January, 2), "成人の日")
	} else {
		add(time.January, 15, "成人の日")
	}

	add(time.February, 11, "建国記念の日")

	// The Emperor's Birthday follows the reigning emperor: Shōwa (Apr 29,
	// below), Heisei (Dec 23, below), Reiwa (Feb 23). 2019 had none: Heisei
	// abdicated on Apr 30, before Dec 23, and Reiwa acceded on May 1, after
	// Feb 23.
	if year >= 2020 {
		add(time.February, 23, "天皇誕生日")
	}

	add(time.March, vernalEquinoxDay(year), "春分の日")

	// April 29 was Shōwa's birthday, became Greenery Day in 1989 after his
	// death, and Shōwa Day in 2007, when Greenery Day moved to May 4.
	switch {
	case year <= 1988:
		add(time.April, 29, "天皇誕生日")
	case year <= 2006:
		add(time.April, 29, "みどりの日")
	default:
		add(time.April, 29, "昭和の日")
	}

	add(time.May, 3, "憲法記念日")
	if year >= 2007 {
		add(time.May, 4, "みどりの日")
	}
	add(time.May, 5, "こどもの日")

	// Marine Day: new in 1996, a Monday from 2003. In 2020 and 2021 the
	// Olympic special measures acts moved it next to the opening ceremony.
	switch {
	case year == 2020:
		add(time.July, 23, "海の日")
	case year == 2021:
		add(time.July, 22, "海の日")
	case year >= 2003:
		add(time.July, nthMonday(year, time.July, 3), "海の日")
	case year >= 1996:
		add(time.July, 20, "海の日")
	}

	// Mountain Day: new in 2016, moved next to the closing ceremony in 2020
	// and 2021 (in 2021 onto a Sunday, hence a substitute holiday on Aug 9).
	switch {
	case year == 2020:
		add(time.August, 10, "山の日")
	case year == 2021:
		add(time.August, 8, "山の日")
	case year >= 2016:
		add(time.August, 11, "山の日")
	}

	// Respect for the Aged Day moved to a Monday in 2003.
	if year >= 2003 {
		add(time.September, nthMonday(year, time.September, 3), "敬老の日")
	} else {
		add(time.September, 15, "敬老の日")
	}

	add(time.September, autumnalEquinoxDay(year), "秋分の日")

	// Health and Sports Day: Oct 10 (the 1964 Olympic opening), a Monday
	// from 2000, renamed Sports Day from 2020, and moved to the Olympic
	// opening ceremony in 2020 and 2021.
	switch {
	case year == 2020:
		add(time.July, 24, "スポーツの日")
	case year == 2021:
		add(time.July, 23, "スポーツの日")
	case year >= 2020:
		add(time.October, nthMonday(year, time.October, 2), "スポーツの日")
	case year == 2019:
		// The act renaming the day (2018) took effect only in 2020, but the
		// oracle data set labels the 2019 day with both names.
		add(time.October, nthMonday(year, time.October, 2), "体育の日（スポーツの日）")
	case year >= 2000:
		add(time.October, nthMonday(year, time.October, 2), "体育の日")
	default:
		add(time.October, 10, "体育の日")
	}

	add(time.November, 3, "文化の日")
	add(time.November, 23, "勤労感謝の日")

	if year >= 1989 && year <= 2018 {
		add(time.December, 23, "天皇誕生日")
	}

	// One-off holidays declared by special acts. They count as national
	// holidays for the citizens' holiday rule (2019-04-30 and 05-02 are
	// holidays only because 05-01 is one).
	for _, s := range specialHolidays {
		if s.year == year {
			add(s.month, s.day, s.name)
		}
	}
	return h
}

// specialHolidays are the days made holidays by their own act of law.
var specialHolidays = []struct {
	year  int
	month time.Month
	day   int
	name  string
}{
	{1989, time.February, 24, "大喪の礼"},    // funeral of Emperor Shōwa
	{1990, time.November, 12, "即位礼正殿の儀"}, // enthronement of Emperor Heisei
	{1993, time.June, 9, "結婚の儀"},         // wedding of the Crown Prince
	{2019, time.May, 1, "休日（祝日扱い）"},      // accession of Emperor Reiwa
	{2019, time.October, 22, "休日（祝日扱い）"}, // enthronement of Emperor Reiwa
}

// The substitute holiday rule took effect on 1973-04-12 (the 1973
// amendment); a Sunday holiday before that had no substitute.
const substituteHolidaysYear = 1973

var substituteHolidaysFrom = MonthDay{time.April, 12} // in substituteHolidaysYear

// addSubstituteHolidays adds the 振替休日 that national holidays falling on
// a Sunday give. Until 2006 the substitute is the following Monday; from
// 2007 it is the first following day that is not itself a national holiday
// (so Sunday May 3 gives Wednesday May 6).
//
// The name is "<holiday> 振替休日", where <holiday> is the holiday on the
// day before the substitute, as the oracle names them (2008-05-06 is
// "こどもの日 振替休日" although the Sunday holiday was みどりの日).
func addSubstituteHolidays(year int, national, h map[MonthDay]string) {
	if year < substituteHolidaysYear {
		return
	}
	for day := time.Date(year, time.January, 1, 0, 0, 0, 0, JST); day.Year() == year; day = day.AddDate(0, 0, 1) {
		md := monthDayOf(day)
		if _, ok := national[md]; !ok || day.Weekday() != time.Sunday {
			continue
		}
		if year == substituteHolidaysYear && md.before(substituteHolidaysFrom) {
			continue
		}
		sub := day.AddDate(0, 0, 1)
		if year >= 2007 {
			for isNational(national, year, sub) {
				sub = sub.AddDate(0, 0, 1)
			}
		}
		if _, taken := h[monthDayOf(sub)]; taken || sub.Year() != year {
			continue // never happens under the current law; a guard only
		}
		h[monthDayOf(sub)] = national[monthDayOf(sub.AddDate(0, 0, -1))] + " 振替休日"
	}
	// The oracle names this one after the Sunday holiday instead of the day
	// before, unlike every other chained substitute (2009, 2014, 2015, ...).
	if year == 2020 {
		h[MonthDay{time.May, 6}] = "憲法記念日 振替休日"
	}
}

// citizensHolidaysFrom is when the citizens' holiday rule took effect
// (1985-12-27); the first day it produced was 1988-05-04.
const citizensHolidaysFrom = 1986

// addCitizensHolidays adds the 国民の休日: a day that is not a holiday yet
// lies between two national holidays. Until 2006 the rule excluded Sundays
// (and substitute holidays, which addSubstituteHolidays has already placed);
// since 2007 only national holidays are excluded. In practice this gives
// May 4 before 2007 and the Tuesday of some September "silver weeks".
func addCitizensHolidays(year int, national, h map[MonthDay]string) {
	if year < citizensHolidaysFrom {
		return
	}
	for day := time.Date(year, time.January, 1, 0, 0, 0, 0, JST); day.Year() == year; day = day.AddDate(0, 0, 1) {
		if _, taken := h[monthDayOf(day)]; taken {
			continue
		}
		if year < 2007 && day.Weekday() == time.Sunday {
			continue
		}
		if isNational(national, year, day.AddDate(0, 0, -1)) && isNational(national, year, day.AddDate(0, 0, 1)) {
			h[monthDayOf(day)] = "休日"
		}
	}
}

// isNational reports whether day is one of the national holidays of year.
// Days of another year never are. Looking only within the year hides
// nothing: Dec 30 and 31 are never holidays, so no substitute or citizens'
// holiday depends on a neighbour across the year end.
func isNational(national map[MonthDay]string, year int, day time.Time) bool {
	_, ok := national[monthDayOf(day)]
	return ok && day.Year() == year
}

// vernalEquinoxDay and autumnalEquinoxDay give the day in March and
// September of the equinox holidays using the approximation formula widely
// used in Japan (valid 1900–2099). The law fixes the holiday on the
// astronomical equinox, which the government announces each February for
// the next year; the formula agrees with the oracle for 1970–2050.
func vernalEquinoxDay(year int) int {
	if year < 1980 {
		return equinoxDay(year, 20.8357, 1983)
	}
	return equinoxDay(year, 20.8431, 1980)
}

func autumnalEquinoxDay(year int) int {
	if year < 1980 {
		return equinoxDay(year, 23.2588, 1983)
	}
	return equinoxDay(year, 23.2488, 1980)
}

// equinoxDay evaluates base + 0.242194*(year-1980) - (year-leapBase)/4.
// 0.242194 is how far (in days) the equinox drifts each year; the last term
// pulls it back by one day every leap year. That division truncates toward
// zero, as Go's integer division does: for the 1970s (leapBase 1983) it is
// negative, and flooring it instead puts most 1970s equinoxes a day late
// (the oracle test catches this).
func equinoxDay(year int, base float64, leapBase int) int {
	return int(base + 0.242194*float64(year-1980) - float64((year-leapBase)/4))
}

// nthMonday returns the day of the month of the n-th Monday of month.
func nthMonday(year int, month time.Month, n int) int {
	first := time.Date(year, month, 1, 0, 0, 0, 0, JST).Weekday()
	offset := (int(time.Monday) - int(first) + 7) % 7
	return 1 + offset + 7*(n-1)
}
