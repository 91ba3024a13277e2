# Summary statistics of durations, reported by the incident controls beside their verdicts.
package shoko.lib.stats

# summary of a list of numbers: count, min, median, p95 (nearest rank) and max, each rounded to
# one decimal; null values when the list is empty, so a report can still print the finding.
summary(xs) := {
	"count": n,
	"min": round1(s[0]),
	"median": round1(median(s)),
	"p95": round1(s[ceil((95 * n) / 100) - 1]),
	"max": round1(s[n - 1]),
} if {
	s := sort(xs)
	n := count(s)
	n > 0
}

summary(xs) := {"count": 0, "min": null, "median": null, "p95": null, "max": null} if count(xs) == 0

median(s) := s[(count(s) - 1) / 2] if count(s) % 2 == 1

median(s) := (s[(count(s) / 2) - 1] + s[count(s) / 2]) / 2 if count(s) % 2 == 0

round1(x) := round(x * 10) / 10
