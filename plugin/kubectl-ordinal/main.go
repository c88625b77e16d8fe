// Command kubectl-ordinal is the kubectl plugin of the Ordinal operator: `kubectl ordinal offline|online|scale|plan|ops`.
// It builds, writes and watches OpsRequests; docs/kubectl-plugin.md says how to use it.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"ordinal.dev/kubectl-ordinal/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cli.NewRoot(ctx, os.Stdout, os.Stderr).Execute()
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "error: "+err.Error())
	}
	os.Exit(cli.CodeOf(err))
}
