// Command shoko collects compliance evidence, evaluates it against the control catalog with
// embedded OPA, and writes results for the ISMS committee, customers and auditors.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/collectors"
	"github.com/shoko-audit/shoko/config"
	"github.com/shoko-audit/shoko/controls"
	"github.com/shoko-audit/shoko/engine"
	"github.com/shoko-audit/shoko/policies"
)

// Exit codes, for CI: 0 nothing failing, 1 a control fails, 2 a control errors, 3 usage or input error.
const (
	exitOK    = 0
	exitFail  = 1
	exitError = 2
	exitUsage = 3
)

// exitErr carries an exit code out of a command.
type exitErr struct {
	code int
	err  error
	// reported: the command's output already says why (a summary, a verify report), so the
	// error is not printed again. Every other error is printed, whatever its code.
	reported bool
}

func (e *exitErr) Error() string { return e.err.Error() }
func (e *exitErr) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitErr{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// app holds what every command shares: where the catalog comes from and where output goes.
type app struct {
	controlsDir string
	policiesDir string
	logLevel    string
	stdout      io.Writer
	stderr      io.Writer
	log         *slog.Logger
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitErr
	if errors.As(err, &ee) {
		if ee.err != nil && !ee.reported {
			fmt.Fprintln(stderr, "shoko:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "shoko:", err)
	return exitUsage
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "shoko",
		Short: "Compliance control evidence: collect, evaluate, report",
		Long: `shoko (証拠, "evidence") checks the claims of a security white paper against live evidence.

Each claim is a control (controls/*.yaml) with a Rego policy (policies/*.rego). shoko collects
evidence, evaluates every control on it, and fails closed: a control whose evidence is missing,
errored or stale is "error", never "pass".

Exit codes: 0 nothing failing, 1 a control fails, 2 a control errors, 3 usage or input error.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			var level slog.Level
			if err := level.UnmarshalText([]byte(a.logLevel)); err != nil {
				return usageErr("--log-level %q: want debug, info, warn or error", a.logLevel)
			}
			a.log = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}))
			return nil
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr("%v", err) })
	pf := root.PersistentFlags()
	pf.StringVar(&a.controlsDir, "controls", "", "read controls from this directory instead of the built-in catalog")
	pf.StringVar(&a.policiesDir, "policies", "", "read policies from this directory instead of the built-in ones")
	pf.StringVar(&a.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	root.AddCommand(a.versionCommand(), a.controlsCommand(), a.policyCommand(), a.collectCommand(), a.evaluateCommand(), a.auditCommand(),
		a.reportCommand(), a.keygenCommand(), a.runsCommand(), a.bundleCommand(), a.verifyCommand(), a.diffCommand(),
		a.doctorCommand(), a.initCommand(), a.historyCommand())
	return root
}

// catalogSource is the embedded catalog, or the directories given by --controls / --policies.
func (a *app) catalogSource() engine.CatalogSource {
	src := engine.CatalogSource{Controls: controls.FS, ControlsName: "controls", Policies: policies.FS,
		PoliciesName: "policies", KnownKinds: collectors.KnownKinds()}
	if a.controlsDir != "" {
		src.Controls, src.ControlsName = os.DirFS(a.controlsDir), a.controlsDir
	}
	if a.policiesDir != "" {
		src.Policies, src.PoliciesName = os.DirFS(a.policiesDir), a.policiesDir
	}
	return src
}

// catalogSourceFor is catalogSource with the config's own controls and policies (controls_dir,
// policies_dir) beside it; a nil cfg adds none.
func (a *app) catalogSourceFor(cfg *config.Config) engine.CatalogSource {
	src := a.catalogSource()
	if cfg != nil && cfg.ControlsDir != "" {
		src.ExtraControls, src.ExtraControlsName = os.DirFS(cfg.Path(cfg.ControlsDir)), cfg.Path(cfg.ControlsDir)
		src.ExtraPolicies, src.ExtraPoliciesName = os.DirFS(cfg.Path(cfg.PoliciesDir)), cfg.Path(cfg.PoliciesDir)
	}
	return src
}

func (a *app) loadCatalog() (*engine.Catalog, error) {
	cat, err := engine.LoadCatalog(a.catalogSource())
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: err}
	}
	return cat, nil
}

// loadCatalogFor is the catalog with what cfg overrides applied (service_name, parameters),
// each checked against its declared type; a nil cfg overrides nothing.
func (a *app) loadCatalogFor(cfg *config.Config) (*engine.Catalog, error) {
	cat, err := engine.LoadCatalog(a.catalogSourceFor(cfg))
	if err != nil {
		return nil, &exitErr{code: exitUsage, err: err}
	}
	if cfg == nil {
		return cat, nil
	}
	o := engine.Overrides{ServiceName: cfg.ServiceName, Parameters: cfg.Parameters}
	if err := cat.Override(o, cfg.File, cfg.Line); err != nil {
		return nil, &exitErr{code: exitUsage, err: err}
	}
	return cat, nil
}
