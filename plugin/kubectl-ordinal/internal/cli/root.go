// Package cli is the command line of kubectl-ordinal: the verbs, their flags and what they print. Every verb
// builds, writes or watches OpsRequests (package opsreq builds them); the Ordinal operator does the scaling.
package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Version is the plugin's version, set at build time (-ldflags "-X ordinal.dev/kubectl-ordinal/internal/cli.Version=…").
var Version = "dev"

// NewRoot builds the command tree; out and errOut are where results and progress go.
func NewRoot(ctx context.Context, out, errOut io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "kubectl-ordinal",
		Short: "Drive Ordinal clusters through OpsRequests",
		Long: `kubectl ordinal writes, follows and cancels Ordinal OpsRequests: take named instances offline and bring
them back, scale a component, see the plan of a change before making it. The Ordinal operator does the work;
the plugin only builds the OpsRequests (-o yaml prints one instead of creating it).

Exit codes: 0 done (with --wait: the ops ended Succeed); 1 the ops ended Failed, Cancelled or Aborted, was
deleted, --wait-timeout passed, or the API server refused the request; 2 bad verb, argument or flag; 3 the
cluster, component, instance or ops does not exist; 4 no permission or credentials refused.`,
		Version:       Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Annotations:   map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl ordinal"},
	}
	root.SetContext(ctx)
	root.SetOut(out)
	root.SetErr(errOut)
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usage("%v (see kubectl ordinal %s --help)", err, c.Name())
	})
	root.Flags().Bool("version", false, "print the plugin's version") // no -v: kubectl uses it for verbosity
	conn := newConnection(root.PersistentFlags())

	root.AddCommand(offlineCmd(conn, "offline"), offlineCmd(conn, "online"), scaleCmd(conn), planCmd(conn), opsCmd(conn))
	return root
}

// args checks the number of positional arguments and says what is expected (ExitUsage).
func args(min int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, a []string) error {
		if len(a) < min {
			return usage("kubectl ordinal %s needs %s (see --help)", c.Name(), what)
		}
		return nil
	}
}

func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, a []string) error {
		if len(a) != n {
			return usage("kubectl ordinal %s needs %s, got %d argument(s) (see --help)", c.Name(), what, len(a))
		}
		return nil
	}
}

func printf(c *cobra.Command, format string, a ...any) {
	fmt.Fprintf(c.OutOrStdout(), format, a...)
}
