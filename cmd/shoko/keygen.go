package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/shoko-audit/shoko/evidence"
)

func (a *app) keygenCommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "keygen",
		Short: "Write an ed25519 key pair for signing runs",
		Long: `Write a new ed25519 key pair into --out: shoko.key (PEM PKCS#8, mode 0600: keep it secret,
give it to shoko audit --key) and shoko.pub (PEM PKIX: give it to auditors for shoko verify and
openssl). Existing key files are never overwritten.`,
		Example: `  shoko keygen --out keys/`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usageErr("keygen needs --out DIR")
			}
			priv, pub, err := evidence.GenerateKeyFiles(out, nil)
			if err != nil {
				return &exitErr{code: exitUsage, err: err}
			}
			pk, err := evidence.LoadPublicKey(pub)
			if err != nil {
				return &exitErr{code: exitError, err: err}
			}
			fmt.Fprintf(a.stdout, "private key: %s (0600, keep secret)\npublic key:  %s\nkey id:      %s\n", priv, pub, evidence.KeyID(pk))
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory to write shoko.key and shoko.pub to")
	return cmd
}
