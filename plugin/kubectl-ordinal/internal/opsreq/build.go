package opsreq

import (
	"fmt"
	"sort"
	"strings"
)

// Options are the settings every verb that creates an ops shares (its flags).
type Options struct {
	// Namespace of the ops and of its Cluster.
	Namespace string
	// Name of the ops; empty: "<cluster>-<verb>-<suffix>".
	Name string
	// Suffix makes a generated name unique (the caller draws it; tests pass a fixed one).
	Suffix string
	// Force skips the cluster's queue and the precondition (spec.force).
	Force bool
	// DryRun asks for the plan only (spec.dryRun); the plan verb sets it.
	DryRun bool
	// TimeoutSeconds is spec.timeoutSeconds (nil: the operator's default).
	TimeoutSeconds *int32
	// PreConditionDeadlineSeconds is spec.preConditionDeadlineSeconds (nil: 0, the precondition must hold now).
	PreConditionDeadlineSeconds *int32
}

// UsageError is a request the plugin refuses before it talks to the API server (a bad flag or argument).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// NotFoundError names something the user asked for that does not exist (a cluster, component, instance or ops).
type NotFoundError struct{ Msg string }

func (e *NotFoundError) Error() string { return e.Msg }

// Offline builds the ops that takes the named instances offline, keeping their ordinals and volumes:
// spec.horizontalScaling[].scaleIn.onlineInstancesToOffline, one entry per component, in the order of the groups.
// Errors: a UsageError when no instance is named.
func Offline(cluster string, groups []Group, o Options) (*OpsRequest, error) {
	if len(groups) == 0 {
		return nil, &UsageError{"name at least one instance to take offline"}
	}
	ops := newOps(cluster, "offline", o)
	for _, g := range groups {
		ops.Spec.HorizontalScaling = append(ops.Spec.HorizontalScaling, HorizontalScaling{
			ComponentName: g.Component,
			ScaleIn:       &ScaleIn{OnlineInstancesToOffline: append([]string(nil), g.Instances...)},
		})
	}
	return ops, nil
}

// Online builds the ops that brings the named offline instances back:
// spec.horizontalScaling[].scaleOut.offlineInstancesToOnline, one entry per component.
// Errors: a UsageError when no instance is named.
func Online(cluster string, groups []Group, o Options) (*OpsRequest, error) {
	if len(groups) == 0 {
		return nil, &UsageError{"name at least one instance to bring online"}
	}
	ops := newOps(cluster, "online", o)
	for _, g := range groups {
		ops.Spec.HorizontalScaling = append(ops.Spec.HorizontalScaling, HorizontalScaling{
			ComponentName: g.Component,
			ScaleOut:      &ScaleOut{OfflineInstancesToOnline: append([]string(nil), g.Instances...)},
		})
	}
	return ops, nil
}

// MaxReplicas is the CRD's bound on replicas and replicaChanges.
const MaxReplicas = 16384

// ScaleTo builds the ops that sets a component's replicas to n (spec.horizontalScaling[].replicas).
// Errors: a UsageError for n outside 0..16384 (the CRD's bounds).
func ScaleTo(cluster, component string, n int, o Options) (*OpsRequest, error) {
	if n < 0 || n > MaxReplicas {
		return nil, &UsageError{fmt.Sprintf("--replicas %d: must be between 0 and %d", n, MaxReplicas)}
	}
	ops := newOps(cluster, "scale", o)
	r := int32(n)
	ops.Spec.HorizontalScaling = []HorizontalScaling{{ComponentName: component, Replicas: &r}}
	return ops, nil
}

// ScaleBy builds the ops that adds (delta > 0, scaleOut.replicaChanges) or removes (delta < 0,
// scaleIn.replicaChanges) replicas of a component. Errors: a UsageError for 0 or |delta| > 16384.
func ScaleBy(cluster, component string, delta int, o Options) (*OpsRequest, error) {
	if delta == 0 {
		return nil, &UsageError{"--by 0 changes nothing: give +N to add replicas or -N to remove them"}
	}
	if delta > MaxReplicas || delta < -MaxReplicas {
		return nil, &UsageError{fmt.Sprintf("--by %d: at most %d replicas at once", delta, MaxReplicas)}
	}
	ops := newOps(cluster, "scale", o)
	h := HorizontalScaling{ComponentName: component}
	if delta > 0 {
		d := int32(delta)
		h.ScaleOut = &ScaleOut{ReplicaChanges: &d}
	} else {
		d := int32(-delta)
		h.ScaleIn = &ScaleIn{ReplicaChanges: &d}
	}
	ops.Spec.HorizontalScaling = []HorizontalScaling{h}
	return ops, nil
}

func newOps(cluster, verb string, o Options) *OpsRequest {
	name := o.Name
	if name == "" {
		if o.DryRun {
			verb = "plan-" + verb
		}
		name = cluster + "-" + verb
		if o.Suffix != "" {
			name += "-" + o.Suffix
		}
	}
	ops := &OpsRequest{
		APIVersion: OpsGroup + "/" + OpsVersion,
		Kind:       OpsKind,
		Metadata:   Meta{Name: name, Namespace: o.Namespace},
		Spec: Spec{
			ClusterName:                 cluster,
			Type:                        TypeHorizontalScaler,
			TimeoutSeconds:              o.TimeoutSeconds,
			PreConditionDeadlineSeconds: o.PreConditionDeadlineSeconds,
		},
	}
	if o.Force {
		t := true
		ops.Spec.Force = &t
	}
	if o.DryRun {
		t := true
		ops.Spec.DryRun = &t
	}
	return ops
}

// Group is the instances of one component that a verb names.
type Group struct {
	Component string
	Instances []string
}

// GroupByComponent finds the component of each named instance among the Cluster's components (an instance an
// InstanceSet reports, or one in a component's offlineInstances) and groups them, components in the order they
// first appear. With component set, every instance is sent for that component unchecked (the operator judges it),
// once the component exists. Errors: a NotFoundError naming the instance or component and what does exist.
func GroupByComponent(cluster string, components []Component, instances []string, component string) ([]Group, error) {
	if component != "" {
		for _, c := range components {
			if c.Name == component {
				return []Group{{Component: component, Instances: append([]string(nil), instances...)}}, nil
			}
		}
		return nil, &NotFoundError{fmt.Sprintf("cluster %s has no component %q (components: %s)", cluster, component,
			componentNames(components))}
	}
	var groups []Group
	index := map[string]int{}
	var unknown []string
	for _, instance := range instances {
		owner := ""
		for _, c := range components {
			if contains(c.Instances, instance) || contains(c.OfflineInstances, instance) {
				owner = c.Name
				break
			}
		}
		if owner == "" {
			unknown = append(unknown, instance)
			continue
		}
		i, ok := index[owner]
		if !ok {
			i = len(groups)
			index[owner] = i
			groups = append(groups, Group{Component: owner})
		}
		groups[i].Instances = append(groups[i].Instances, instance)
	}
	if len(unknown) > 0 {
		return nil, &NotFoundError{fmt.Sprintf("cluster %s has no instance %s (instances: %s)", cluster,
			strings.Join(quoted(unknown), ", "), knownInstances(components))}
	}
	return groups, nil
}

// FindComponent returns the named component, or a NotFoundError listing the Cluster's components.
func FindComponent(cluster string, components []Component, name string) (Component, error) {
	for _, c := range components {
		if c.Name == name {
			return c, nil
		}
	}
	return Component{}, &NotFoundError{fmt.Sprintf("cluster %s has no component %q (components: %s)", cluster, name,
		componentNames(components))}
}

func componentNames(components []Component) string {
	var names []string
	for _, c := range components {
		names = append(names, c.Name)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func knownInstances(components []Component) string {
	var parts []string
	for _, c := range components {
		online := append([]string(nil), c.Instances...)
		sort.Strings(online)
		part := c.Name + ": " + orNone(online)
		if len(c.OfflineInstances) > 0 {
			part += " (offline: " + strings.Join(c.OfflineInstances, ", ") + ")"
		}
		parts = append(parts, part)
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func quoted(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
