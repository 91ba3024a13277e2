package service

import (
	"strings"
	"testing"
)

// FuzzDecodePage feeds arbitrary answers to the evidence API decoder of every endpoint: it must
// never panic, and whatever it accepts must hold every field of the contract.
func FuzzDecodePage(f *testing.F) {
	f.Add(`{"items":[{"incident_id":"INC-1","title":"t","severity":"high","customer_impact":true,"detected_at":"2026-02-10T10:00:00+09:00","notified_at":null,"escalated_at":null,"recovered_at":null}],"next_cursor":null}`)
	f.Add(`{"items":[{"tenant_id":"t-1","status":"active","notification_contacts":2,"contract_ended_at":null,"data_purged_at":null}],"next_cursor":"t-1"}`)
	f.Add(`{"items":[{"features":["tags"],"version":"1"}],"next_cursor":null}`)
	f.Add(`{"items":[{"tenant_id":"t-1","status":"active","notification_contacts":-1}],"next_cursor":null}`)
	f.Add(`{"items":null,"next_cursor":null}`)
	f.Add(`{"items":[],"next_cursor":""}`)
	f.Add(`[]`)
	f.Add(`{"items":[1,"x",null,{}],"next_cursor":null,"extra":1}`)
	f.Fuzz(func(t *testing.T, body string) {
		for _, e := range endpoints {
			p, err := decodePage(e, []byte(body), 0)
			if err != nil {
				if strings.TrimSpace(err.Error()) == "" {
					t.Fatal("an error without a message")
				}
				continue
			}
			for i, it := range p.Items {
				if cerr := checkItem(e, it); cerr != nil {
					t.Fatalf("%s: accepted item %d fails the contract: %v", e.path, i, cerr)
				}
			}
		}
	})
}
