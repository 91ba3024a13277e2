package config

import (
	"testing"
)

// shoko.example.yaml is the config the README points real users at: it must always load, and
// keep showing every section.
func TestExampleConfigLoads(t *testing.T) {
	c, err := Load("../shoko.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case c.Organization == "":
		t.Error("no organization")
	case len(c.Records.Training) == 0 || len(c.Records.Certificates) == 0 || c.Attestations == "" || c.Exceptions == "":
		t.Error("records, attestations or exceptions missing")
	case c.AWS == nil || len(c.AWS.Accounts) < 2 || c.AWS.Accounts[0].RoleARN == "":
		t.Error("want several AWS accounts through roles")
	case c.Service == nil || len(c.Service.CrossTenant) == 0 || len(c.Service.HTTPProbes) == 0:
		t.Error("service section incomplete")
	case c.Database == nil || c.Database.DSNEnv == "":
		t.Error("database section incomplete")
	case c.Store.Location == "" || c.Store.ObjectLock.Mode == "" || c.Signing.Key == "":
		t.Error("store or signing missing")
	}
}
