package cli

import (
	"time"

	"github.com/spf13/cobra"

	"ordinal.dev/kubectl-ordinal/internal/opsreq"
)

func opsCmd(conn *connection) *cobra.Command {
	c := &cobra.Command{
		Use:   "ops (list|describe|cancel|watch)",
		Short: "List, describe, cancel and watch OpsRequests",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, a []string) error {
			return usage("kubectl ordinal ops needs a verb: list, describe, cancel or watch (see --help)")
		},
	}
	c.AddCommand(opsListCmd(conn), opsDescribeCmd(conn), opsCancelCmd(conn), opsWatchCmd(conn))
	return c
}

func opsListCmd(conn *connection) *cobra.Command {
	var all bool
	var cluster, output string
	c := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List OpsRequests, oldest first (NAME TYPE CLUSTER STATUS PROGRESS AGE)",
		Example: "  kubectl ordinal ops list\n  kubectl ordinal ops list --cluster kafka\n  kubectl ordinal ops list -A",
		Args:    exactArgs(0, "no argument"),
		RunE: func(c *cobra.Command, a []string) error {
			k, err := conn.connectPrinting(output)
			if err != nil {
				return err
			}
			ns := k.namespace
			if all {
				ns = ""
			}
			list, err := k.listOps(c.Context(), ns)
			if err != nil {
				return err
			}
			var shown []opsreq.OpsRequest
			for _, o := range list {
				if cluster == "" || o.Spec.ClusterName == cluster {
					shown = append(shown, o)
				}
			}
			if output != "" {
				if shown == nil {
					shown = []opsreq.OpsRequest{}
				}
				return printObject(c, map[string]any{"apiVersion": "v1", "kind": "List", "items": shown}, output)
			}
			if len(shown) == 0 {
				where := "namespace " + k.namespace
				if all {
					where = "any namespace"
				}
				if cluster != "" {
					where += " for cluster " + cluster
				}
				c.PrintErrf("no opsrequests in %s\n", where)
				return nil
			}
			printf(c, "%s", opsreq.Table(shown, time.Now(), all))
			return nil
		},
	}
	c.Flags().BoolVarP(&all, "all-namespaces", "A", false, "list the OpsRequests of every namespace")
	c.Flags().StringVar(&cluster, "cluster", "", "only the OpsRequests of this cluster")
	c.Flags().StringVarP(&output, "output", "o", "", "yaml or json: print the OpsRequests as a List")
	return c
}

func opsDescribeCmd(conn *connection) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:     "describe NAME",
		Short:   "Show an OpsRequest: what it asks, its phase and why, its plan, each pod's progress, its Events",
		Example: "  kubectl ordinal ops describe kafka-offline-x7k2p\n  kubectl ordinal ops describe kafka-offline-x7k2p -o yaml",
		Args:    exactArgs(1, "the name of an opsrequest"),
		RunE: func(c *cobra.Command, a []string) error {
			k, err := conn.connectPrinting(output)
			if err != nil {
				return err
			}
			o, err := k.getOps(c.Context(), a[0])
			if err != nil {
				return err
			}
			if output != "" {
				return printObject(c, o, output)
			}
			printf(c, "%s", opsreq.Describe(o))
			if events := k.events(c.Context(), a[0]); len(events) > 0 {
				printf(c, "Events:\n")
				for _, e := range events {
					printf(c, "  %s\n", e)
				}
			}
			return nil
		},
	}
	c.Flags().StringVarP(&output, "output", "o", "", "yaml or json: print the OpsRequest as the API server holds it")
	return c
}

func opsCancelCmd(conn *connection) *cobra.Command {
	var wait bool
	var waitTimeout time.Duration
	c := &cobra.Command{
		Use:   "cancel NAME",
		Short: "Cancel an OpsRequest (spec.cancel: true): a Pending one ends at once, a running one is undone",
		Long: `Cancel an OpsRequest by setting spec.cancel: true. A Pending ops ends Cancelled without touching the
Cluster; a Running one is undone (the operator applies the snapshot it took, phase Cancelling) and ends Cancelled.
An ops that has already ended cannot be cancelled (exit 1). With --wait, exit 0 only when it ends Cancelled.`,
		Example: "  kubectl ordinal ops cancel kafka-scale-x7k2p --wait",
		Args:    exactArgs(1, "the name of an opsrequest"),
		RunE: func(c *cobra.Command, a []string) error {
			k, err := conn.connect()
			if err != nil {
				return err
			}
			o, err := k.getOps(c.Context(), a[0])
			if err != nil {
				return err
			}
			if phase := opsreq.PhaseOf(o); opsreq.IsEnded(phase) {
				return notSucceeded("opsrequest %s already ended %s; there is nothing left to cancel", a[0], phase)
			}
			if _, err := k.cancelOps(c.Context(), a[0]); err != nil {
				return err
			}
			printf(c, "opsrequest.%s/%s cancel requested\n", opsreq.OpsGroup, a[0])
			if !wait {
				return nil
			}
			ended, err := k.follow(c.Context(), a[0], c.OutOrStdout(), waitTimeout)
			if err != nil {
				return err
			}
			return outcome(ended, opsreq.PhaseCancelled)
		},
	}
	c.Flags().BoolVar(&wait, "wait", false, "follow the ops until it ends; exit 1 unless it ends Cancelled")
	c.Flags().DurationVar(&waitTimeout, "wait-timeout", 0, "with --wait: stop following after this long, exit 1 (0: until the ops ends)")
	return c
}

func opsWatchCmd(conn *connection) *cobra.Command {
	var waitTimeout time.Duration
	c := &cobra.Command{
		Use:   "watch NAME",
		Short: "Follow an OpsRequest until it ends, a line per change; exit 1 unless it ends Succeed",
		Long: `Follow an OpsRequest, printing "<name> <phase> <progress> (<reason>: <message>)" each time one of them
changes, until it ends. Exit 0 when it ends Succeed, 1 when it ends Failed, Cancelled or Aborted, is deleted first,
or --wait-timeout passes (the ops goes on).`,
		Example: "  kubectl ordinal ops watch kafka-offline-x7k2p",
		Args:    exactArgs(1, "the name of an opsrequest"),
		RunE: func(c *cobra.Command, a []string) error {
			k, err := conn.connect()
			if err != nil {
				return err
			}
			ended, err := k.follow(c.Context(), a[0], c.OutOrStdout(), waitTimeout)
			if err != nil {
				return err
			}
			return outcome(ended, opsreq.PhaseSucceed)
		},
	}
	c.Flags().DurationVar(&waitTimeout, "wait-timeout", 0, "stop following after this long, exit 1 (0: until the ops ends)")
	return c
}

// connectPrinting checks the -o value (empty, yaml or json: a usage error otherwise, before any connection), then
// connects to the API server.
func (conn *connection) connectPrinting(output string) (*kube, error) {
	if output != "" && output != "yaml" && output != "json" {
		return nil, usage("-o %s: choose yaml or json", output)
	}
	return conn.connect()
}
