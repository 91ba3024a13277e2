package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/engine"
)

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the shoko version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opa := "unknown"
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, d := range bi.Deps {
					if d.Path == "github.com/open-policy-agent/opa" {
						opa = d.Version
					}
				}
			}
			fmt.Fprintf(a.stdout, "shoko %s (OPA %s)\n", engine.ToolVersion, opa)
			return nil
		},
	}
}
