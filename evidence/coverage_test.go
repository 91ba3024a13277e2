package evidence

import (
	"reflect"
	"testing"
)

// CoverageOf names what the evidence came from, each once and sorted, with the configured detail
// a name lacks; a scope it does not know adds nothing.
func TestCoverageOfNamesWhatWasCollected(t *testing.T) {
	item := func(scope map[string]string) Stored { return Stored{Item: Item{Scope: scope}} }
	configured := Scope{Services: map[string]string{"cardsvc": "https://svc.example"},
		Databases: map[string]string{"cards": "postgres db.example:5432/cards"}}
	cases := []struct {
		name  string
		items []Stored
		want  Coverage
	}{
		{"every source", []Stored{
			item(map[string]string{"source": "aws", "account": "222222222222", "region": "us-east-1"}),
			item(map[string]string{"source": "aws", "account": "111111111111", "region": "ap-northeast-1"}),
			item(map[string]string{"source": "aws", "account": "111111111111", "region": "ap-northeast-1"}),
			item(map[string]string{"source": "aws", "account": "111111111111", "region": "global"}),
			item(map[string]string{"source": "service", "service": "cardsvc"}),
			item(map[string]string{"source": "tls", "endpoint": "svc.example:443"}),
			item(map[string]string{"source": "http", "url": "https://svc.example/faq"}),
			item(map[string]string{"source": "sql", "database": "cards", "query": "q"}),
			item(map[string]string{"source": "records", "file": "records/training.csv"}),
			item(map[string]string{"source": "attestations", "dir": "attestations"}),
			item(map[string]string{"source": "exceptions", "file": "exceptions.yaml"}),
		}, Coverage{
			AWSAccounts: []string{"111111111111", "222222222222"},
			AWSRegions:  []string{"ap-northeast-1", "us-east-1"},
			Endpoints:   []string{"cardsvc (https://svc.example)", "https://svc.example/faq", "svc.example:443"},
			Databases:   []string{"cards (postgres db.example:5432/cards)"},
			RecordFiles: []string{"attestations", "exceptions.yaml", "records/training.csv"},
		}},
		{"an unknown source adds nothing", []Stored{item(map[string]string{"source": "other", "account": "333333333333"})},
			Coverage{AWSAccounts: []string{}, AWSRegions: []string{}, Endpoints: []string{}, Databases: []string{}, RecordFiles: []string{}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := CoverageOf(tc.items, configured); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
