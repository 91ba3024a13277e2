package config

import (
	"strings"
	"testing"
)

// The aws section is read strictly: every bad value is an error naming file, line and field.
func TestAWSSectionErrorsNameFileLineAndField(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"valid", "aws:\n  home_region: ap-northeast-1\n  accounts:\n    - id: \"123456789012\"\n      role_arn: arn:aws:iam::123456789012:role/audit\n  call_timeout: 30s\n", ""},
		{"unknown key", "aws:\n  regoins: [ap-northeast-1]\n", "shoko.yaml:2: field regoins not found"},
		{"bad region", "aws:\n  regions:\n    - tokyo\n", "shoko.yaml:2: aws.regions[0]: \"tokyo\" is not a region name"},
		{"bad home region", "aws:\n  home_region: Tokyo\n", "aws.home_region: \"Tokyo\" is not a region name"},
		{"short account id", "aws:\n  accounts:\n    - id: \"12345\"\n", "shoko.yaml:2: aws.accounts[0].id: \"12345\" is not a 12-digit account id"},
		{"not a role", "aws:\n  accounts:\n    - role_arn: arn:aws:iam::123456789012:user/bob\n", "aws.accounts[0].role_arn: \"arn:aws:iam::123456789012:user/bob\" is not an IAM role ARN"},
		{"empty account", "aws:\n  accounts:\n    - external_id: x\n", "aws.accounts[0]: needs id or role_arn"},
		{"duplicate account", "aws:\n  accounts:\n    - id: \"123456789012\"\n    - id: \"123456789012\"\n", "shoko.yaml:2: aws.accounts[1]: 123456789012 is already aws.accounts[0]"},
		{"bad timeout", "aws:\n  call_timeout: soon\n", "shoko.yaml:2: aws.call_timeout: \"soon\" is not a positive duration"},
		{"wrong type", "aws:\n  temp_buckets: cardsvc-tmp\n", "shoko.yaml:2: cannot unmarshal"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("shoko.yaml", []byte(tc.yaml))
			if tc.want == "" {
				if err != nil || c.AWS == nil {
					t.Fatalf("want a valid aws section, got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
