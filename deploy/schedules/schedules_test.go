package schedules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/shoko-audit/shoko/config"
)

// sharedConfig is the config every recipe runs with; hostConfig is where docs/schedules.md
// installs it on a host (systemd, cron) and where the CronJob mounts it.
const (
	sharedConfig = "shoko.yaml"
	hostConfig   = "/etc/shoko/shoko.yaml"
	repoConfig   = "deploy/schedules/shoko.yaml" // the GitHub workflow's path, from the repository root
)

// invocation is a `shoko audit` command line as a recipe runs it.
type invocation struct {
	config, key string
	// keyFromSecret says how the key file comes from a secret store (for the failure message).
	keyFromSecret string
}

// A recipe is checked by reading its file; each checker returns the audit it runs.
type recipe struct {
	file  string
	check func(text string) (invocation, error)
}

var recipes = []recipe{
	{"systemd/shoko-audit.service", checkSystemd},
	{"cron/shoko", checkCron},
	{"github-actions/shoko-daily.yml", checkGitHub},
	{"kubernetes/cronjob.yaml", checkKubernetes},
}

// Every recipe runs `shoko audit --config` with the shared config, once a day, with the key
// from a secret, and all of them write into the same store: the chain continues whichever
// scheduler started a day's run.
func TestEveryRecipeAuditsDailyIntoTheSameStoreWithAKeyFromASecret(t *testing.T) {
	shared, err := config.Load(sharedConfig)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(shared.Store.Location, "s3://") || shared.Signing.Key != "" {
		t.Fatalf("%s: want an s3:// store (shared by every scheduler) and no signing.key (each recipe gives the key from its secret store): %q %q",
			sharedConfig, shared.Store.Location, shared.Signing.Key)
	}
	if shared.Alerts == nil || shared.Alerts.Webhook == nil {
		t.Fatalf("%s: the daily audit should alert on regressions", sharedConfig)
	}
	stores := map[string]string{}
	for _, r := range recipes {
		t.Run(r.file, func(t *testing.T) {
			b, err := os.ReadFile(r.file)
			if err != nil {
				t.Fatal(err)
			}
			if err := noInlineSecret(string(b)); err != nil {
				t.Fatalf("%s: %v", r.file, err)
			}
			inv, err := r.check(string(b))
			if err != nil {
				t.Fatalf("%s: %v", r.file, err)
			}
			var cfg *config.Config
			switch inv.config {
			case hostConfig, repoConfig:
				cfg = shared
			default:
				// The CronJob's ConfigMap: its checker returned the text it mounts.
				if cfg, err = config.Parse(r.file+" (ConfigMap shoko-config)", []byte(inv.config)); err != nil {
					t.Fatal(err)
				}
			}
			stores[r.file] = cfg.Store.Location
			t.Logf("%s: config %s, key %s (%s), store %s", r.file, cfg.File, inv.key, inv.keyFromSecret, cfg.Store.Location)
		})
	}
	for file, store := range stores {
		if store != shared.Store.Location {
			t.Errorf("%s writes to %s, the others to %s: the chain would split", file, store, shared.Store.Location)
		}
	}
}

// The timer starts the service daily.
func TestSystemdTimerIsDaily(t *testing.T) {
	b, err := os.ReadFile("systemd/shoko-audit.timer")
	if err != nil {
		t.Fatal(err)
	}
	if err := checkTimer(string(b)); err != nil {
		t.Fatal(err)
	}
}

// Each checker refuses what it must: a weekly schedule, a key inline or not from a secret, a
// different store, a missing --config. Each case edits the real recipe.
func TestCheckersRefuseBrokenRecipes(t *testing.T) {
	cases := []struct {
		file, old, new, wantErr string
		check                   func(string) (invocation, error)
	}{
		{"systemd/shoko-audit.service", "--key ${CREDENTIALS_DIRECTORY}/shoko.key", "--key /etc/shoko/secrets/shoko.key", "not a systemd credential", checkSystemd},
		{"systemd/shoko-audit.service", "--config /etc/shoko/shoko.yaml", "", "no --config", checkSystemd},
		{"systemd/shoko-audit.timer", "OnCalendar=*-*-* 17:00:00 UTC", "OnCalendar=Mon *-*-* 17:00:00 UTC", "not daily", nil},
		{"systemd/shoko-audit.timer", "OnCalendar=*-*-* 17:00:00 UTC", "OnCalendar=*-*-* 05,17:00:00 UTC", "not daily", nil},
		{"cron/shoko", "0 17 * * *", "0 17 * * 1", "not daily", checkCron},
		{"cron/shoko", "0 17 * * *", "*/5 17 * * *", "not daily", checkCron},
		{"cron/shoko", "--key /etc/shoko/secrets/shoko.key", "--key /tmp/shoko.key", "not under /etc/shoko/secrets/", checkCron},
		{"cron/shoko", "PATH=/usr/local/bin:/usr/bin:/bin", "PATH=/usr/local/bin:/usr/bin:/bin\nSHOKO_WEBHOOK_URL=https://hooks.slack.com/services/T/B/x", "inline", checkCron},
		{"cron/shoko", "exec shoko audit --config /etc/shoko/shoko.yaml", "exec shoko audit --store /var/lib/shoko/out --config /etc/shoko/shoko.yaml", "--store", checkCron},
		{"github-actions/shoko-daily.yml", `cron: "0 17 * * *"`, `cron: "0 17 1 * *"`, "not daily", checkGitHub},
		{"github-actions/shoko-daily.yml", "SHOKO_SIGNING_KEY: ${{ secrets.SHOKO_SIGNING_KEY }}", "SHOKO_SIGNING_KEY: ${{ vars.SHOKO_SIGNING_KEY }}", "not written from a secret", checkGitHub},
		{"github-actions/shoko-daily.yml", "SHOKO_WEBHOOK_URL: ${{ secrets.SHOKO_WEBHOOK_URL }}", "SHOKO_WEBHOOK_URL: ${{ vars.SHOKO_WEBHOOK_URL }}", "not from a secret", checkGitHub},
		{"github-actions/shoko-daily.yml", "SHOKO_WEBHOOK_URL: ${{ secrets.SHOKO_WEBHOOK_URL }}", "SHOKO_WEBHOOK_URL: https://hooks.example.com/x", "inline", checkGitHub},
		{"kubernetes/cronjob.yaml", `schedule: "0 2 * * *"`, `schedule: "0 */12 * * *"`, "not daily", checkKubernetes},
		{"kubernetes/cronjob.yaml", "valueFrom:\n                    secretKeyRef: {name: shoko-alerts, key: webhook-url}", "value: set-in-the-manifest", "env SHOKO_WEBHOOK_URL is not from a secret", checkKubernetes},
		{"kubernetes/cronjob.yaml", "valueFrom:\n                    secretKeyRef: {name: shoko-alerts, key: webhook-url}", "value: https://hooks.slack.com/services/T/B/x", "inline", checkKubernetes},
		{"kubernetes/cronjob.yaml", "secret: {secretName: shoko-signing-key, defaultMode: 0400}", "emptyDir: {}", "not from a secret", checkKubernetes},
		{"kubernetes/cronjob.yaml", "location: s3://example-audit-evidence/shoko", "location: /data/shoko", "differs from " + sharedConfig, checkKubernetes},
	}
	for _, tc := range cases {
		t.Run(tc.file+": "+tc.new, func(t *testing.T) {
			b, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(b, []byte(tc.old)) {
				t.Fatalf("%s no longer contains %q: update the test", tc.file, tc.old)
			}
			broken := strings.Replace(string(b), tc.old, tc.new, 1)
			err = noInlineSecret(broken)
			if err == nil {
				if tc.check == nil {
					err = checkTimer(broken)
				} else {
					_, err = tc.check(broken)
				}
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got %v, want an error saying %q", err, tc.wantErr)
			}
			// The unbroken recipe passes the same checks.
			if err := noInlineSecret(string(b)); err != nil {
				t.Fatal(err)
			}
			if tc.check == nil {
				err = checkTimer(string(b))
			} else {
				_, err = tc.check(string(b))
			}
			if err != nil {
				t.Fatalf("the recipe itself: %v", err)
			}
		})
	}
}

// secretAssignment is an inline value for a variable that holds a secret.
var secretAssignment = regexp.MustCompile(`(?m)^\s*(?:-\s*)?(?:value:\s*)?[A-Z_]*(?:URL|TOKEN|PASSWORD|SECRET|DSN|KEY)[A-Z_]*\s*[:=]\s*['"]?(?:https?://|postgres://|[A-Za-z0-9+/]{20,})`)

// inlineEnvURL is a URL given as a Kubernetes env value (name and value on separate lines).
var inlineEnvURL = regexp.MustCompile(`(?m)^\s*value:\s*['"]?(?:https?|postgres(?:ql)?)://\S+`)

// noInlineSecret refuses a private key, or a URL/token/password written as a variable's value.
func noInlineSecret(text string) error {
	if strings.Contains(text, "PRIVATE KEY") {
		return errors.New("a private key is inline")
	}
	if m := inlineEnvURL.FindString(text); m != "" {
		return fmt.Errorf("a secret is inline: %q", strings.TrimSpace(m))
	}
	if m := secretAssignment.FindString(text); m != "" {
		return fmt.Errorf("a secret is inline: %q", strings.TrimSpace(m))
	}
	return nil
}

// --- systemd -------------------------------------------------------------------------------

// unitFile is a parsed systemd unit: section → key → values (a key may repeat).
type unitFile map[string]map[string][]string

// parseUnit reads the unit file syntax the recipes use: [Section] headers, Key=Value lines,
// comments starting with # or ;, and lines continued with a trailing backslash.
func parseUnit(text string) (unitFile, error) {
	u := unitFile{}
	section := ""
	var pending string
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if pending != "" {
			line = pending + " " + line
			pending = ""
		}
		if strings.HasSuffix(line, `\`) {
			pending = strings.TrimSuffix(line, `\`)
			continue
		}
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[' && line[len(line)-1] == ']':
			section = line[1 : len(line)-1]
			if u[section] == nil {
				u[section] = map[string][]string{}
			}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				return nil, fmt.Errorf("line %d: %q is not Key=Value in a section", n+1, line)
			}
			k = strings.TrimSpace(k)
			u[section][k] = append(u[section][k], strings.TrimSpace(v))
		}
	}
	if pending != "" {
		return nil, errors.New("the file ends in a continued line")
	}
	return u, nil
}

func (u unitFile) one(section, key string) (string, error) {
	v := u[section][key]
	if len(v) != 1 {
		return "", fmt.Errorf("[%s] %s: want one, found %d", section, key, len(v))
	}
	return v[0], nil
}

func checkSystemd(text string) (invocation, error) {
	u, err := parseUnit(text)
	if err != nil {
		return invocation{}, err
	}
	if t, _ := u.one("Service", "Type"); t != "oneshot" {
		return invocation{}, fmt.Errorf("[Service] Type=%s: want oneshot (the timer starts it once a day)", t)
	}
	exec, err := u.one("Service", "ExecStart")
	if err != nil {
		return invocation{}, err
	}
	inv, err := auditIn(shellWords(strings.TrimLeft(exec, "-@:+!")))
	if err != nil {
		return invocation{}, err
	}
	// The key is a credential: LoadCredential=NAME:PATH, given as $CREDENTIALS_DIRECTORY/NAME.
	name, ok := strings.CutPrefix(inv.key, "${CREDENTIALS_DIRECTORY}/")
	if !ok {
		return invocation{}, fmt.Errorf("--key %s: not a systemd credential (${CREDENTIALS_DIRECTORY}/NAME with LoadCredential=NAME:PATH)", inv.key)
	}
	for _, c := range u["Service"]["LoadCredential"] {
		if n, src, _ := strings.Cut(c, ":"); n == name && strings.HasPrefix(src, "/etc/shoko/secrets/") {
			inv.keyFromSecret = "LoadCredential " + c
			return inv, nil
		}
	}
	return invocation{}, fmt.Errorf("--key %s: no LoadCredential=%s:/etc/shoko/secrets/…", inv.key, name)
}

func checkTimer(text string) error {
	u, err := parseUnit(text)
	if err != nil {
		return err
	}
	if unit, _ := u.one("Timer", "Unit"); unit != "shoko-audit.service" {
		return fmt.Errorf("[Timer] Unit=%s: want shoko-audit.service", unit)
	}
	cal, err := u.one("Timer", "OnCalendar")
	if err != nil {
		return err
	}
	if !dailyCalendar(cal) {
		return fmt.Errorf("OnCalendar=%s: not daily (want daily or *-*-* HH:MM:SS [TZ])", cal)
	}
	return nil
}

var calendarDaily = regexp.MustCompile(`^(\*-\*-\* )?([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?( [A-Za-z_/+-]+)?$`)

// dailyCalendar: once a day at a fixed time (no weekday, no list or repetition of hours).
func dailyCalendar(s string) bool {
	return s == "daily" || calendarDaily.MatchString(s)
}

// --- cron ----------------------------------------------------------------------------------

func checkCron(text string) (invocation, error) {
	envLine := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)
	var jobs []invocation
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if envLine.MatchString(line) {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 7 {
			return invocation{}, fmt.Errorf("line %d: want MIN HOUR DOM MON DOW USER COMMAND (/etc/cron.d format)", n+1)
		}
		if !dailyCron(f[:5]) {
			return invocation{}, fmt.Errorf("line %d: %s: not daily (want M H * * *)", n+1, strings.Join(f[:5], " "))
		}
		cmd := strings.SplitN(line, " ", 7)[6]
		inv, err := auditIn(shellWords(cmd))
		if err != nil {
			return invocation{}, fmt.Errorf("line %d: %w", n+1, err)
		}
		if !strings.HasPrefix(inv.key, "/etc/shoko/secrets/") {
			return invocation{}, fmt.Errorf("line %d: --key %s: not under /etc/shoko/secrets/ (the key file documented as mode 0600)", n+1, inv.key)
		}
		inv.keyFromSecret = "file /etc/shoko/secrets/, mode 0600"
		jobs = append(jobs, inv)
	}
	if len(jobs) != 1 {
		return invocation{}, fmt.Errorf("%d jobs: want one daily audit", len(jobs))
	}
	return jobs[0], nil
}

// dailyCron: minute and hour are single numbers, the other fields `*`.
func dailyCron(f []string) bool {
	num := func(s string, max int) bool {
		n, err := strconv.Atoi(s)
		return err == nil && n >= 0 && n <= max
	}
	return len(f) == 5 && num(f[0], 59) && num(f[1], 23) && f[2] == "*" && f[3] == "*" && f[4] == "*"
}

// --- GitHub Actions ------------------------------------------------------------------------

type workflow struct {
	On struct {
		Schedule []struct {
			Cron string `yaml:"cron"`
		} `yaml:"schedule"`
	} `yaml:"on"`
	Concurrency any `yaml:"concurrency"`
	Jobs        map[string]struct {
		Steps []struct {
			Name string            `yaml:"name"`
			Run  string            `yaml:"run"`
			Env  map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

var githubSecret = regexp.MustCompile(`^\$\{\{\s*secrets\.[A-Z0-9_]+\s*\}\}$`)

func checkGitHub(text string) (invocation, error) {
	var w workflow
	if err := yaml.Unmarshal([]byte(text), &w); err != nil {
		return invocation{}, err
	}
	if len(w.On.Schedule) != 1 || !dailyCron(strings.Fields(w.On.Schedule[0].Cron)) {
		return invocation{}, fmt.Errorf("on.schedule %+v: not daily (want one cron M H * * *)", w.On.Schedule)
	}
	if w.Concurrency == nil {
		return invocation{}, errors.New("no concurrency group: two audits could overlap")
	}
	var found []invocation
	for _, job := range w.Jobs {
		keyFiles := map[string]string{} // file written from a secret → the secret
		for _, s := range job.Steps {
			// A step writing a file from an env variable that is a secret.
			for name, v := range s.Env {
				if m := regexp.MustCompile(`"\$` + name + `"\s*>\s*"?([^"\s]+)`).FindStringSubmatch(s.Run); m != nil {
					if !githubSecret.MatchString(v) {
						return invocation{}, fmt.Errorf("step %q: %s is not written from a secret (%s)", s.Name, m[1], v)
					}
					keyFiles[m[1]] = v
				}
			}
			if !strings.Contains(s.Run, "shoko audit") {
				continue
			}
			inv, err := auditIn(shellWords(s.Run))
			if err != nil {
				return invocation{}, fmt.Errorf("step %q: %w", s.Name, err)
			}
			for name, v := range s.Env {
				if !githubSecret.MatchString(v) {
					return invocation{}, fmt.Errorf("step %q: env %s is not from a secret (%s)", s.Name, name, v)
				}
			}
			secret, ok := keyFiles[inv.key]
			if !ok {
				return invocation{}, fmt.Errorf("step %q: --key %s is not written from a secret by an earlier step", s.Name, inv.key)
			}
			inv.keyFromSecret = "written from " + secret
			found = append(found, inv)
		}
	}
	if len(found) != 1 {
		return invocation{}, fmt.Errorf("%d steps run shoko audit: want one", len(found))
	}
	return found[0], nil
}

// --- Kubernetes ----------------------------------------------------------------------------

type container struct {
	Name    string   `yaml:"name"`
	Command []string `yaml:"command"`
	Args    []string `yaml:"args"`
	Env     []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			SecretKeyRef *struct {
				Name string `yaml:"name"`
				Key  string `yaml:"key"`
			} `yaml:"secretKeyRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
}

type k8sObject struct {
	Kind     string                `yaml:"kind"`
	Metadata struct{ Name string } `yaml:"metadata"`
	Data     map[string]string     `yaml:"data"`
	Spec     struct {
		Schedule          string `yaml:"schedule"`
		TimeZone          string `yaml:"timeZone"`
		ConcurrencyPolicy string `yaml:"concurrencyPolicy"`
		JobTemplate       struct {
			Spec struct {
				BackoffLimit *int `yaml:"backoffLimit"`
				Template     struct {
					Spec struct {
						InitContainers []container `yaml:"initContainers"`
						Containers     []container `yaml:"containers"`
						Volumes        []struct {
							Name      string         `yaml:"name"`
							Secret    map[string]any `yaml:"secret"`
							ConfigMap map[string]any `yaml:"configMap"`
							EmptyDir  map[string]any `yaml:"emptyDir"`
						} `yaml:"volumes"`
					} `yaml:"spec"`
				} `yaml:"template"`
			} `yaml:"spec"`
		} `yaml:"jobTemplate"`
	} `yaml:"spec"`
}

func checkKubernetes(text string) (invocation, error) {
	dec := yaml.NewDecoder(strings.NewReader(text))
	configMaps := map[string]map[string]string{}
	var cron *k8sObject
	for {
		var o k8sObject
		if err := dec.Decode(&o); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return invocation{}, err
		}
		switch o.Kind {
		case "ConfigMap":
			configMaps[o.Metadata.Name] = o.Data
		case "CronJob":
			cron = &o
		}
	}
	if cron == nil {
		return invocation{}, errors.New("no CronJob")
	}
	s := cron.Spec
	if !dailyCron(strings.Fields(s.Schedule)) {
		return invocation{}, fmt.Errorf("schedule %q: not daily (want M H * * *)", s.Schedule)
	}
	if s.ConcurrencyPolicy != "Forbid" {
		return invocation{}, fmt.Errorf("concurrencyPolicy %q: want Forbid (two audits must not overlap)", s.ConcurrencyPolicy)
	}
	if b := s.JobTemplate.Spec.BackoffLimit; b == nil || *b != 0 {
		return invocation{}, errors.New("backoffLimit: want 0 (a retried audit adds a second run to the chain)")
	}
	pod := s.JobTemplate.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		return invocation{}, fmt.Errorf("%d containers: want one", len(pod.Containers))
	}
	c := pod.Containers[0]
	inv, err := auditIn(append([]string{"shoko"}, c.Args...))
	if err != nil {
		return invocation{}, err
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil || e.Value != "" {
			return invocation{}, fmt.Errorf("env %s is not from a secret (secretKeyRef)", e.Name)
		}
	}
	volumeOf := func(ct container, file string) string {
		for _, m := range ct.VolumeMounts {
			if path.Dir(file) == path.Clean(m.MountPath) {
				return m.Name
			}
		}
		return ""
	}
	// The config: a ConfigMap volume at the config's directory, equal to the shared config.
	cfgVol := volumeOf(c, inv.config)
	var cfgText string
	for _, v := range pod.Volumes {
		if v.Name == cfgVol && v.ConfigMap != nil {
			cfgText = configMaps[fmt.Sprint(v.ConfigMap["name"])][path.Base(inv.config)]
		}
	}
	if cfgText == "" {
		return invocation{}, fmt.Errorf("--config %s: not mounted from a ConfigMap in this file", inv.config)
	}
	want, err := os.ReadFile(sharedConfig)
	if err != nil {
		return invocation{}, err
	}
	if cfgText != string(want) {
		return invocation{}, fmt.Errorf("the ConfigMap's shoko.yaml differs from %s: keep them equal", sharedConfig)
	}
	// The key: a secret volume, or an emptyDir an init container fills from a secret volume.
	keyVol := volumeOf(c, inv.key)
	isSecret := func(name string) bool {
		for _, v := range pod.Volumes {
			if v.Name == name && v.Secret != nil {
				return true
			}
		}
		return false
	}
	switch {
	case isSecret(keyVol):
		inv.keyFromSecret = "secret volume " + keyVol
	default:
		for _, ic := range pod.InitContainers {
			writes, reads := false, ""
			for _, m := range ic.VolumeMounts {
				if m.Name == keyVol {
					writes = true
				} else if isSecret(m.Name) {
					reads = m.Name
				}
			}
			if writes && reads != "" {
				inv.keyFromSecret = "copied by init container " + ic.Name + " from secret volume " + reads
			}
		}
	}
	if inv.keyFromSecret == "" {
		return invocation{}, fmt.Errorf("--key %s: volume %q is not from a secret", inv.key, keyVol)
	}
	inv.config = cfgText
	return inv, nil
}

// --- command lines -------------------------------------------------------------------------

// shellWords splits a command line as sh would for the recipes' commands: words separated by
// blanks, single and double quotes removed, and the string of `sh -c '…'` split in turn; a
// `;` ends a command and is its own word.
func shellWords(s string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	flush := func() {
		if inWord {
			w := cur.String()
			words = append(words, w)
			cur.Reset()
			inWord = false
		}
	}
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == '\n':
			flush()
		case r == ';':
			flush()
			words = append(words, ";")
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	flush()
	// sh -c 'script': the script's words.
	for i := 0; i+2 < len(words); i++ {
		if path.Base(words[i]) == "sh" && words[i+1] == "-c" {
			return append(append(words[:i:i], shellWords(words[i+2])...), words[i+3:]...)
		}
	}
	return words
}

// auditIn finds `shoko audit` in words and reads its --config and --key; an --out or --store
// would write elsewhere than the config's store, so it is refused.
func auditIn(words []string) (invocation, error) {
	for i := 0; i+1 < len(words); i++ {
		if path.Base(words[i]) != "shoko" || words[i+1] != "audit" {
			continue
		}
		var inv invocation
		for j := i + 2; j < len(words) && words[j] != ";" && !strings.HasPrefix(words[j], ">"); j++ {
			flag, value, hasValue := strings.Cut(words[j], "=")
			if !hasValue && j+1 < len(words) {
				value = words[j+1]
			}
			switch flag {
			case "--config":
				inv.config = value
			case "--key":
				inv.key = value
			case "--store", "--out":
				return invocation{}, fmt.Errorf("%s %s: the store must be the config's (store.location), the same for every recipe", flag, value)
			}
		}
		switch {
		case inv.config == "":
			return invocation{}, errors.New("shoko audit with no --config")
		case inv.key == "":
			return invocation{}, errors.New("shoko audit with no --key")
		}
		return inv, nil
	}
	return invocation{}, fmt.Errorf("no `shoko audit` in %q", strings.Join(words, " "))
}
