package aws_test

import (
	"testing"

	shokoaws "github.com/shoko-audit/shoko/collectors/aws"
	"github.com/shoko-audit/shoko/demo/awsestate"
)

// The recorder keeps every call the collector makes, once per call, with what it takes to make
// it again (bench/bare.go does): as many calls as the front answered, each with its region,
// service, operation and SDK input.
func TestRecorderKeepsEveryCall(t *testing.T) {
	e := newEnv(t)
	e.seed(t, awsestate.Options{})
	if err := e.front.InjectFaults(0); err != nil { // forget the seeding's calls
		t.Fatal(err)
	}
	rec := shokoaws.NewRecorder()
	e.collect(t, shokoaws.Options{Recorder: rec})
	calls, front := rec.Calls(), e.front.Calls()
	if len(calls) != front.Made {
		t.Fatalf("recorded %d calls, the front answered %d", len(calls), front.Made)
	}
	actions := map[string]bool{}
	for _, a := range rec.Actions() {
		actions[a] = true
	}
	for _, c := range calls {
		if c.Region == "" || c.ServiceID == "" || c.Operation == "" || c.Input == nil || c.RoleARN != "" {
			t.Fatalf("incomplete call record %+v", c)
		}
		if !actions[shokoaws.IAMAction(c.ServiceID, c.Operation)] {
			t.Fatalf("%s/%s recorded as a call but not as an action", c.ServiceID, c.Operation)
		}
	}
}
