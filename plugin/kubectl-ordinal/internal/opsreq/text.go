package opsreq

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Condition types of an OpsRequest (docs/troubleshooting.md); an ended ops also has one named after its phase.
const (
	CondValidated          = "Validated"
	CondWaitForProgressing = "WaitForProgressing"
	CondProgressing        = "Progressing"
)

// PhaseOf is status.phase, or Pending for an ops the operator has not looked at yet.
func PhaseOf(ops *OpsRequest) string {
	if ops.Status == nil || ops.Status.Phase == "" {
		return PhasePending
	}
	return ops.Status.Phase
}

// ConditionOf returns the condition of the given type, or nil.
func ConditionOf(ops *OpsRequest, conditionType string) *Condition {
	if ops.Status == nil {
		return nil
	}
	for i := range ops.Status.Conditions {
		if ops.Status.Conditions[i].Type == conditionType {
			return &ops.Status.Conditions[i]
		}
	}
	return nil
}

// Why is the reason and message (the message alone when the reason only repeats the condition's type or the phase) that explain the ops' phase: the condition named after an end phase, the
// WaitForProgressing condition while it waits in Pending, Progressing while it changes the Cluster.
// Empty when the operator has not said anything yet.
func Why(ops *OpsRequest) string {
	phase := PhaseOf(ops)
	var c *Condition
	switch {
	case IsEnded(phase):
		c = ConditionOf(ops, phase)
	case phase == PhasePending:
		if c = ConditionOf(ops, CondWaitForProgressing); c == nil || c.Status != "True" {
			c = ConditionOf(ops, CondValidated)
		}
	default:
		c = ConditionOf(ops, CondProgressing)
	}
	if c == nil || (c.Reason == "" && c.Message == "") {
		return ""
	}
	if c.Message == "" {
		return c.Reason
	}
	if c.Reason == "" || c.Reason == c.Type || c.Reason == phase { // "Succeed 1/1 (all 1 pod changes done)"
		return c.Message
	}
	return c.Reason + ": " + c.Message
}

// ProgressOf is status.progress ("done/total"), or "-/-" before the operator computed it.
func ProgressOf(ops *OpsRequest) string {
	if ops.Status == nil || ops.Status.Progress == "" {
		return "-/-"
	}
	return ops.Status.Progress
}

// Line is one line about an ops, as --wait and ops watch print each change: "<name> <phase> <progress>[ <why>]".
func Line(ops *OpsRequest) string {
	line := fmt.Sprintf("%s %s %s", ops.Metadata.Name, PhaseOf(ops), ProgressOf(ops))
	if why := Why(ops); why != "" {
		line += " (" + why + ")"
	}
	return line
}

// Table prints ops the way `kubectl get ops` does (NAME TYPE CLUSTER STATUS PROGRESS AGE), with a NAMESPACE
// column first when withNamespace; ages are counted from now.
func Table(list []OpsRequest, now time.Time, withNamespace bool) string {
	var buf bytes.Buffer
	w := tabwriter.NewWriter(&buf, 0, 8, 3, ' ', 0)
	if withNamespace {
		fmt.Fprint(w, "NAMESPACE\t")
	}
	fmt.Fprintln(w, "NAME\tTYPE\tCLUSTER\tSTATUS\tPROGRESS\tAGE")
	for i := range list {
		o := &list[i]
		if withNamespace {
			fmt.Fprintf(w, "%s\t", o.Metadata.Namespace)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", o.Metadata.Name, o.Spec.Type, o.Spec.ClusterName, PhaseOf(o),
			ProgressOf(o), Age(o.Metadata.CreationTimestamp, now))
	}
	w.Flush()
	return buf.String()
}

// Age is the time since an RFC 3339 timestamp, as kubectl shows it (5s, 3m, 2h, 4d); "<unknown>" when unreadable.
func Age(timestamp string, now time.Time) string {
	t, err := time.Parse(time.RFC3339, timestamp)
	if err != nil {
		return "<unknown>"
	}
	d := now.Sub(t)
	switch {
	case d < 0:
		return "0s"
	case d < 2*time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < 2*time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
}

// Describe is what `ops describe` prints: the request, the phase and why, the plan, the progress of each pod and
// the conditions.
func Describe(ops *OpsRequest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Name:       %s\n", ops.Metadata.Name)
	fmt.Fprintf(&b, "Namespace:  %s\n", ops.Metadata.Namespace)
	fmt.Fprintf(&b, "Cluster:    %s\n", ops.Spec.ClusterName)
	fmt.Fprintf(&b, "Type:       %s\n", ops.Spec.Type)
	fmt.Fprintf(&b, "Request:    %s\n", RequestSummary(ops))
	var flags []string
	if isTrue(ops.Spec.DryRun) {
		flags = append(flags, "dryRun")
	}
	if isTrue(ops.Spec.Force) {
		flags = append(flags, "force")
	}
	if isTrue(ops.Spec.Cancel) {
		flags = append(flags, "cancel")
	}
	if ops.Spec.TimeoutSeconds != nil {
		flags = append(flags, fmt.Sprintf("timeoutSeconds=%d", *ops.Spec.TimeoutSeconds))
	}
	if ops.Spec.PreConditionDeadlineSeconds != nil {
		flags = append(flags, fmt.Sprintf("preConditionDeadlineSeconds=%d", *ops.Spec.PreConditionDeadlineSeconds))
	}
	if len(flags) > 0 {
		fmt.Fprintf(&b, "Options:    %s\n", strings.Join(flags, ", "))
	}
	fmt.Fprintf(&b, "Phase:      %s\n", PhaseOf(ops))
	fmt.Fprintf(&b, "Progress:   %s\n", ProgressOf(ops))
	if why := Why(ops); why != "" {
		fmt.Fprintf(&b, "Why:        %s\n", why)
	}
	if ops.Status == nil {
		return b.String()
	}
	if ops.Status.StartTimestamp != "" {
		fmt.Fprintf(&b, "Started:    %s\n", ops.Status.StartTimestamp)
	}
	if ops.Status.CompletionTimestamp != "" {
		fmt.Fprintf(&b, "Completed:  %s\n", ops.Status.CompletionTimestamp)
	}
	if len(ops.Status.Plan) > 0 {
		b.WriteString("Plan:\n")
		var before map[string]ComponentShape
		if ops.Status.LastConfiguration != nil {
			before = ops.Status.LastConfiguration.Components
		}
		for _, name := range sortedKeys(ops.Status.Plan) {
			var from *ComponentShape
			if s, ok := before[name]; ok {
				from = &s
			}
			b.WriteString(indent(ComponentPlanText(name, ops.Status.Plan[name], from), "  "))
		}
	}
	if len(ops.Status.Components) > 0 {
		b.WriteString("Pods:\n")
		names := make([]string, 0, len(ops.Status.Components))
		for n := range ops.Status.Components {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			c := ops.Status.Components[n]
			fmt.Fprintf(&b, "  %s (%s)\n", n, c.Phase)
			for _, d := range c.ProgressDetails {
				line := fmt.Sprintf("    %s %s %s", d.Group, d.ObjectKey, d.Status)
				if d.Message != "" {
					line += ": " + d.Message
				}
				b.WriteString(line + "\n")
			}
		}
	}
	if len(ops.Status.Conditions) > 0 {
		b.WriteString("Conditions:\n")
		for _, c := range ops.Status.Conditions {
			fmt.Fprintf(&b, "  %s=%s %s %s: %s\n", c.Type, c.Status, c.LastTransitionTime, c.Reason, c.Message)
		}
	}
	return b.String()
}

// RequestSummary says in one line what the ops asks for, e.g. "broker: offline kafka-broker-2" or
// "broker: replicas 5".
func RequestSummary(ops *OpsRequest) string {
	var parts []string
	for _, h := range ops.Spec.HorizontalScaling {
		var what []string
		if h.Replicas != nil {
			what = append(what, fmt.Sprintf("replicas %d", *h.Replicas))
		}
		if h.ScaleOut != nil {
			if h.ScaleOut.ReplicaChanges != nil {
				what = append(what, fmt.Sprintf("+%d replicas", *h.ScaleOut.ReplicaChanges))
			}
			if len(h.ScaleOut.OfflineInstancesToOnline) > 0 {
				what = append(what, "online "+strings.Join(h.ScaleOut.OfflineInstancesToOnline, ", "))
			}
		}
		if h.ScaleIn != nil {
			if h.ScaleIn.ReplicaChanges != nil {
				what = append(what, fmt.Sprintf("-%d replicas", *h.ScaleIn.ReplicaChanges))
			}
			if len(h.ScaleIn.OnlineInstancesToOffline) > 0 {
				what = append(what, "offline "+strings.Join(h.ScaleIn.OnlineInstancesToOffline, ", "))
			}
		}
		if len(what) == 0 {
			what = append(what, "(other changes; see -o yaml)")
		}
		parts = append(parts, h.ComponentName+": "+strings.Join(what, ", "))
	}
	return strings.Join(parts, "; ")
}

// PlanText is what `plan` prints for a dry run that ended: for each component of status.plan, what would change
// compared with the component now (current, by name; a component missing there is shown without its "before").
func PlanText(ops *OpsRequest, current map[string]Component) string {
	var b strings.Builder
	if ops.Status == nil || len(ops.Status.Plan) == 0 {
		return "no plan: " + orDash(Why(ops)) + "\n"
	}
	for _, name := range sortedKeys(ops.Status.Plan) {
		var from *ComponentShape
		if c, ok := current[name]; ok {
			from = &ComponentShape{Replicas: c.Replicas, OfflineInstances: c.OfflineInstances}
		}
		b.WriteString(ComponentPlanText(name, ops.Status.Plan[name], from))
	}
	return b.String()
}

// ComponentPlanText describes one component's plan: replicas and offline instances (before -> after when the
// before is known), the pods that would be created and deleted, and the scale-in guard's verdict.
func ComponentPlanText(name string, p ComponentPlan, before *ComponentShape) string {
	var b strings.Builder
	fmt.Fprintf(&b, "component %s:\n", name)
	after := "-"
	if p.Replicas != nil {
		after = fmt.Sprint(*p.Replicas)
	}
	if before != nil && before.Replicas != nil {
		change := ""
		if p.Replicas != nil && *p.Replicas == *before.Replicas {
			change = " (unchanged)"
		}
		fmt.Fprintf(&b, "  replicas:          %d -> %s%s\n", *before.Replicas, after, change)
		fmt.Fprintf(&b, "  offlineInstances:  [%s] -> [%s]\n", strings.Join(before.OfflineInstances, ", "),
			strings.Join(p.OfflineInstances, ", "))
	} else {
		fmt.Fprintf(&b, "  replicas:          %s\n", after)
		fmt.Fprintf(&b, "  offlineInstances:  [%s]\n", strings.Join(p.OfflineInstances, ", "))
	}
	for _, t := range sortedKeys(p.Instances) {
		fmt.Fprintf(&b, "  template %s:  replicas %d\n", t, p.Instances[t])
	}
	fmt.Fprintf(&b, "  pods to create:    %s\n", orDash(strings.Join(p.PodsToCreate, ", ")))
	fmt.Fprintf(&b, "  pods to delete:    %s\n", orDash(strings.Join(p.PodsToDelete, ", ")))
	if p.ScaleInGuard != nil {
		fmt.Fprintf(&b, "  scale-in guard:    %s", p.ScaleInGuard.Result)
		if p.ScaleInGuard.Message != "" {
			fmt.Fprintf(&b, " (%s)", p.ScaleInGuard.Message)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func indent(s, prefix string) string {
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString(prefix + l)
		}
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func isTrue(b *bool) bool { return b != nil && *b }
