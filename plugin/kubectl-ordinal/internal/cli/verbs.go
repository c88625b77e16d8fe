package cli

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/yaml"

	"ordinal.dev/kubectl-ordinal/internal/opsreq"
)

// requestFlags are the flags of every verb that creates an ops (offline, online, scale and the plan of each).
type requestFlags struct {
	name                 string
	force                bool
	timeoutSeconds       int32
	preConditionDeadline int32
	output               string
	wait                 bool
	waitTimeout          time.Duration
	component            string
}

func (r *requestFlags) bind(c *cobra.Command, plan bool) {
	f := c.Flags()
	f.StringVar(&r.name, "name", "", "name of the OpsRequest (default <cluster>-<verb>-<random>)")
	f.BoolVar(&r.force, "force", false, "skip the cluster's queue and precondition (spec.force; also past the Kafka scale-in guard)")
	f.Int32Var(&r.timeoutSeconds, "timeout-seconds", 0, "deadline of the ops in seconds (spec.timeoutSeconds; default: the operator's, 30 min)")
	f.Int32Var(&r.preConditionDeadline, "precondition-deadline-seconds", 0,
		"how long the ops may wait for its cluster to settle or the scale-in guard to agree (spec.preConditionDeadlineSeconds)")
	f.StringVarP(&r.output, "output", "o", "", "yaml or json: print the OpsRequest instead of creating it")
	if plan {
		f.DurationVar(&r.waitTimeout, "wait-timeout", 60*time.Second, "how long to wait for the operator's plan")
	} else {
		f.BoolVar(&r.wait, "wait", false, "follow the ops until it ends; exit 1 unless it ends Succeed")
		f.DurationVar(&r.waitTimeout, "wait-timeout", 0, "with --wait: stop following after this long, exit 1 (0: until the ops ends)")
	}
}

func (r *requestFlags) options(c *cobra.Command, namespace string, dryRun bool) opsreq.Options {
	o := opsreq.Options{Namespace: namespace, Name: r.name, Suffix: rand.String(5), Force: r.force, DryRun: dryRun}
	if c.Flags().Changed("timeout-seconds") {
		v := r.timeoutSeconds
		o.TimeoutSeconds = &v
	}
	if c.Flags().Changed("precondition-deadline-seconds") {
		v := r.preConditionDeadline
		o.PreConditionDeadlineSeconds = &v
	}
	return o
}

func (r *requestFlags) check() error {
	switch r.output {
	case "", "yaml", "json":
	default:
		return usage("-o %s: choose yaml or json", r.output)
	}
	if r.timeoutSeconds < 0 || r.preConditionDeadline < 0 {
		return usage("--timeout-seconds and --precondition-deadline-seconds cannot be negative")
	}
	return nil
}

// builder makes the ops of a verb from its arguments; current is what the Cluster holds now (for a plan's diff).
type builder func(c *cobra.Command, k *kube, a []string, o opsreq.Options) (ops *opsreq.OpsRequest, current []opsreq.Component, err error)

const offlineLong = `Take named instances offline: their pods go, their ordinals and volumes stay, and replicas drops by
one each (spec.horizontalScaling[].scaleIn.onlineInstancesToOffline). The component of each instance is found
from the Cluster's instance sets; --component names it instead.`

const onlineLong = `Bring named offline instances back on their old ordinals and volumes; replicas grows by one each
(spec.horizontalScaling[].scaleOut.offlineInstancesToOnline).`

func offlineCmd(conn *connection, verb string) *cobra.Command {
	r := &requestFlags{}
	c := &cobra.Command{
		Use:     verb + " CLUSTER INSTANCE...",
		Short:   map[string]string{"offline": "Take named instances offline (keeps their ordinals and volumes)", "online": "Bring named offline instances back"}[verb],
		Long:    map[string]string{"offline": offlineLong, "online": onlineLong}[verb],
		Example: fmt.Sprintf("  kubectl ordinal %s kafka kafka-broker-2 --wait\n  kubectl ordinal %s kafka kafka-broker-2 -o yaml > ops.yaml", verb, verb),
		Args:    args(2, "a cluster and at least one instance"),
		RunE: func(c *cobra.Command, a []string) error {
			return create(c, conn, r, false, instancesBuilder(verb, r))
		},
	}
	r.bind(c, false)
	c.Flags().StringVar(&r.component, "component", "", "the component of the instances (default: found from the Cluster)")
	return c
}

func instancesBuilder(verb string, r *requestFlags) builder {
	return func(c *cobra.Command, k *kube, a []string, o opsreq.Options) (*opsreq.OpsRequest, []opsreq.Component, error) {
		components, err := k.components(c.Context(), a[0], r.component == "")
		if err != nil {
			return nil, nil, err
		}
		groups, err := opsreq.GroupByComponent(a[0], components, a[1:], r.component)
		if err != nil {
			return nil, nil, err
		}
		var ops *opsreq.OpsRequest
		if verb == "offline" {
			ops, err = opsreq.Offline(a[0], groups, o)
		} else {
			ops, err = opsreq.Online(a[0], groups, o)
		}
		return ops, components, err
	}
}

type scaleFlags struct {
	replicas int
	by       int
}

const scaleLong = `Scale a component to --replicas N, or by --by +N / --by -N replicas
(spec.horizontalScaling[].replicas, scaleOut.replicaChanges or scaleIn.replicaChanges). Which ordinals come and
go is the operator's choice (docs/scaling-rules.md); use offline/online to choose them.`

func scaleCmd(conn *connection) *cobra.Command {
	r := &requestFlags{}
	s := &scaleFlags{}
	c := &cobra.Command{
		Use:     "scale CLUSTER COMPONENT (--replicas N | --by ±N)",
		Short:   "Scale a component to N replicas, or by ±N",
		Long:    scaleLong,
		Example: "  kubectl ordinal scale kafka broker --replicas 5 --wait\n  kubectl ordinal scale kafka broker --by -1\n  kubectl ordinal scale kafka broker --by=+2 -o yaml",
		Args:    exactArgs(2, "a cluster and a component"),
		RunE: func(c *cobra.Command, a []string) error {
			if err := s.check(c); err != nil {
				return err
			}
			return create(c, conn, r, false, scaleBuilder(s))
		},
	}
	r.bind(c, false)
	s.bind(c)
	return c
}

func (s *scaleFlags) bind(c *cobra.Command) {
	c.Flags().IntVar(&s.replicas, "replicas", 0, "the component's replicas after the ops")
	c.Flags().IntVar(&s.by, "by", 0, "replicas to add (+N) or remove (-N)")
}

// check refuses both or neither of --replicas and --by before anything is sent.
func (s *scaleFlags) check(c *cobra.Command) error {
	if c.Flags().Changed("replicas") == c.Flags().Changed("by") {
		return usage("kubectl ordinal scale needs exactly one of --replicas N and --by ±N")
	}
	return nil
}

func scaleBuilder(s *scaleFlags) builder {
	return func(c *cobra.Command, k *kube, a []string, o opsreq.Options) (*opsreq.OpsRequest, []opsreq.Component, error) {
		replicas := c.Flags().Changed("replicas")
		components, err := k.components(c.Context(), a[0], false)
		if err != nil {
			return nil, nil, err
		}
		if _, err := opsreq.FindComponent(a[0], components, a[1]); err != nil {
			return nil, nil, err
		}
		var ops *opsreq.OpsRequest
		if replicas {
			ops, err = opsreq.ScaleTo(a[0], a[1], s.replicas, o)
		} else {
			ops, err = opsreq.ScaleBy(a[0], a[1], s.by, o)
		}
		return ops, components, err
	}
}

// create runs a verb: builds the ops, prints it (-o) or creates it, and with --wait follows it to its end.
func create(c *cobra.Command, conn *connection, r *requestFlags, dryRun bool, build builder) error {
	if err := r.check(); err != nil {
		return err
	}
	k, err := conn.connect()
	if err != nil {
		return err
	}
	ops, current, err := build(c, k, c.Flags().Args(), r.options(c, k.namespace, dryRun))
	if err != nil {
		return err
	}
	if r.output != "" {
		return printObject(c, ops, r.output)
	}
	created, err := k.createOps(c.Context(), ops)
	if err != nil {
		return err
	}
	if dryRun {
		return showPlan(c, k, created, current, r)
	}
	printf(c, "opsrequest.%s/%s created: %s\n", opsreq.OpsGroup, created.Metadata.Name, opsreq.RequestSummary(created))
	if !r.wait {
		printf(c, "follow it: kubectl ordinal ops watch %s -n %s\n", created.Metadata.Name, k.namespace)
		return nil
	}
	ended, err := k.follow(c.Context(), created.Metadata.Name, c.OutOrStdout(), r.waitTimeout)
	if err != nil {
		return err
	}
	return outcome(ended, opsreq.PhaseSucceed)
}

func printObject(c *cobra.Command, v any, format string) error {
	var data []byte
	var err error
	if format == "json" {
		data, err = json.MarshalIndent(v, "", "  ")
		data = append(data, '\n')
	} else {
		data, err = yaml.Marshal(v)
	}
	if err != nil {
		return notSucceeded("cannot print: %v", err)
	}
	_, err = c.OutOrStdout().Write(data)
	return err
}

const planLong = `Ask the operator what a change would do, without doing it: creates the OpsRequest with
spec.dryRun: true, waits for the operator to validate it and write status.plan (the replicas, offline instances
and the pods it would create and delete, and the Kafka scale-in guard's verdict), prints that next to what the
Cluster holds now, and deletes the dry-run ops again (--keep leaves it). The Cluster is not touched.
Exit 1 when the operator refuses the request (the reason is printed).`

func planCmd(conn *connection) *cobra.Command {
	c := &cobra.Command{
		Use:   "plan (offline|online|scale) ARGS...",
		Short: "Show what an offline, online or scale would change (a dry-run ops), changing nothing",
		Long:  planLong,
		Example: "  kubectl ordinal plan offline kafka kafka-broker-2\n  kubectl ordinal plan scale kafka broker --replicas 5\n" +
			"  kubectl ordinal plan online kafka kafka-broker-2 -o yaml",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, a []string) error {
			return usage("kubectl ordinal plan needs a verb: offline, online or scale (see --help)")
		},
	}
	for _, verb := range []string{"offline", "online"} {
		verb := verb
		r := &requestFlags{}
		keep := false
		sub := &cobra.Command{
			Use:   verb + " CLUSTER INSTANCE...",
			Short: "The plan of " + verb + " (a dry run)",
			Long:  planLong,
			Args:  args(2, "a cluster and at least one instance"),
			RunE: func(c *cobra.Command, a []string) error {
				r.wait = keep
				return create(c, conn, r, true, instancesBuilder(verb, r))
			},
		}
		r.bind(sub, true)
		sub.Flags().StringVar(&r.component, "component", "", "the component of the instances (default: found from the Cluster)")
		sub.Flags().BoolVar(&keep, "keep", false, "keep the dry-run OpsRequest (default: delete it once the plan is printed)")
		c.AddCommand(sub)
	}
	r := &requestFlags{}
	s := &scaleFlags{}
	keep := false
	sub := &cobra.Command{
		Use:   "scale CLUSTER COMPONENT (--replicas N | --by ±N)",
		Short: "The plan of scale (a dry run)",
		Long:  planLong,
		Args:  exactArgs(2, "a cluster and a component"),
		RunE: func(c *cobra.Command, a []string) error {
			if err := s.check(c); err != nil {
				return err
			}
			r.wait = keep
			return create(c, conn, r, true, scaleBuilder(s))
		},
	}
	r.bind(sub, true)
	s.bind(sub)
	sub.Flags().BoolVar(&keep, "keep", false, "keep the dry-run OpsRequest (default: delete it once the plan is printed)")
	c.AddCommand(sub)
	return c
}

// showPlan waits for the dry run to end, prints its plan against the Cluster now, and deletes it unless --keep
// (carried in r.wait for the plan verbs).
func showPlan(c *cobra.Command, k *kube, created *opsreq.OpsRequest, current []opsreq.Component, r *requestFlags) error {
	name := created.Metadata.Name
	ended, err := k.follow(c.Context(), name, nil, r.waitTimeout)
	if err != nil {
		return fmt.Errorf("%w (is the Ordinal operator running?)", err)
	}
	keep := r.wait
	if !keep {
		if err := k.deleteOps(c.Context(), name); err != nil {
			fmt.Fprintf(c.ErrOrStderr(), "warning: %v\n", err)
		}
	}
	printf(c, "plan of %s (dry run %s, %s)\n", opsreq.RequestSummary(ended), name,
		map[bool]string{true: "kept", false: "deleted"}[keep])
	byName := map[string]opsreq.Component{}
	for _, comp := range current {
		byName[comp.Name] = comp
	}
	if opsreq.PhaseOf(ended) != opsreq.PhaseSucceed {
		return outcome(ended, opsreq.PhaseSucceed)
	}
	printf(c, "%s", opsreq.PlanText(ended, byName))
	printf(c, "nothing was changed; to do it, run the same command without \"plan\"\n")
	return nil
}
