// Package opsreq holds the OpsRequest as the plugin writes and reads it, the pure builders of the requests the verbs
// make, and the text the plugin prints about an ops. Nothing here talks to the API server.
//
// The schema is Ordinal's: kubernetes/crds/opsrequests.operations.ordinal.dev-v1.yml and
// src/main/java/dev/ordinal/api/ops (OpsRequest, OpsRequestSpec, HorizontalScaling, OpsRequestStatus).
package opsreq

// Group, Version and Resource of the OpsRequest and of the two kinds the plugin reads to check names.
const (
	OpsGroup             = "operations.ordinal.dev"
	OpsVersion           = "v1alpha1"
	OpsResource          = "opsrequests"
	OpsKind              = "OpsRequest"
	ClusterGroup         = "apps.ordinal.dev"
	ClusterVersion       = "v1"
	ClusterResource      = "clusters"
	InstanceSetGroup     = "workloads.ordinal.dev"
	InstanceSetVersion   = "v1"
	InstanceSetResource  = "instancesets"
	TypeHorizontalScaler = "HorizontalScaling"
	// ClusterLabel is the label Ordinal puts on the InstanceSets (and pods) of a Cluster: its name.
	ClusterLabel = "app.kubernetes.io/instance"
	// ComponentLabel is the label naming the component of an InstanceSet.
	ComponentLabel = "apps.ordinal.dev/component"
)

// The phases of an OpsRequest (status.phase); docs/ops-controller.md, "The runbook".
const (
	PhasePending    = "Pending"
	PhaseCreating   = "Creating"
	PhaseRunning    = "Running"
	PhaseCancelling = "Cancelling"
	PhaseSucceed    = "Succeed"
	PhaseFailed     = "Failed"
	PhaseCancelled  = "Cancelled"
	PhaseAborted    = "Aborted"
)

// IsEnded tells whether a phase is an end phase (Succeed, Failed, Cancelled, Aborted).
func IsEnded(phase string) bool {
	switch phase {
	case PhaseSucceed, PhaseFailed, PhaseCancelled, PhaseAborted:
		return true
	}
	return false
}

// OpsRequest is operations.ordinal.dev/v1alpha1 OpsRequest.
type OpsRequest struct {
	APIVersion string  `json:"apiVersion"`
	Kind       string  `json:"kind"`
	Metadata   Meta    `json:"metadata"`
	Spec       Spec    `json:"spec"`
	Status     *Status `json:"status,omitempty"`
}

// Meta is the part of metadata the plugin writes or shows.
type Meta struct {
	Name              string            `json:"name,omitempty"`
	Namespace         string            `json:"namespace,omitempty"`
	Labels            map[string]string `json:"labels,omitempty"`
	CreationTimestamp string            `json:"creationTimestamp,omitempty"`
	ResourceVersion   string            `json:"resourceVersion,omitempty"`
	Generation        int64             `json:"generation,omitempty"`
}

// Spec is OpsRequestSpec: immutable after creation, except Cancel.
type Spec struct {
	ClusterName                           string              `json:"clusterName"`
	Type                                  string              `json:"type"`
	Force                                 *bool               `json:"force,omitempty"`
	Cancel                                *bool               `json:"cancel,omitempty"`
	DryRun                                *bool               `json:"dryRun,omitempty"`
	TimeoutSeconds                        *int32              `json:"timeoutSeconds,omitempty"`
	PreConditionDeadlineSeconds           *int32              `json:"preConditionDeadlineSeconds,omitempty"`
	TTLSecondsAfterSucceed                *int32              `json:"ttlSecondsAfterSucceed,omitempty"`
	TTLSecondsAfterUnsuccessfulCompletion *int32              `json:"ttlSecondsAfterUnsuccessfulCompletion,omitempty"`
	HorizontalScaling                     []HorizontalScaling `json:"horizontalScaling,omitempty"`
}

// HorizontalScaling scales one component: to Replicas, by replica changes, or by named instances.
type HorizontalScaling struct {
	ComponentName string    `json:"componentName"`
	Replicas      *int32    `json:"replicas,omitempty"`
	ScaleOut      *ScaleOut `json:"scaleOut,omitempty"`
	ScaleIn       *ScaleIn  `json:"scaleIn,omitempty"`
}

// ScaleOut adds replicas or brings offline instances back.
type ScaleOut struct {
	ReplicaChanges           *int32   `json:"replicaChanges,omitempty"`
	OfflineInstancesToOnline []string `json:"offlineInstancesToOnline,omitempty"`
}

// ScaleIn removes replicas or takes named instances offline.
type ScaleIn struct {
	ReplicaChanges           *int32   `json:"replicaChanges,omitempty"`
	OnlineInstancesToOffline []string `json:"onlineInstancesToOffline,omitempty"`
}

// Status is OpsRequestStatus, the part the plugin prints.
type Status struct {
	Phase               string                     `json:"phase,omitempty"`
	Progress            string                     `json:"progress,omitempty"`
	StartTimestamp      string                     `json:"startTimestamp,omitempty"`
	CompletionTimestamp string                     `json:"completionTimestamp,omitempty"`
	ObservedGeneration  int64                      `json:"observedGeneration,omitempty"`
	LastConfiguration   *LastConfiguration         `json:"lastConfiguration,omitempty"`
	Plan                map[string]ComponentPlan   `json:"plan,omitempty"`
	Components          map[string]ComponentStatus `json:"components,omitempty"`
	Conditions          []Condition                `json:"conditions,omitempty"`
}

// LastConfiguration is the snapshot of each touched component taken before the change.
type LastConfiguration struct {
	Components map[string]ComponentShape `json:"components,omitempty"`
}

// ComponentShape is a component's replicas, offline instances and template replicas.
type ComponentShape struct {
	Replicas         *int32           `json:"replicas,omitempty"`
	OfflineInstances []string         `json:"offlineInstances,omitempty"`
	Instances        map[string]int32 `json:"instances,omitempty"`
}

// ComponentPlan is the computed target of one component (also what a dry run reports).
type ComponentPlan struct {
	Replicas         *int32           `json:"replicas,omitempty"`
	OfflineInstances []string         `json:"offlineInstances,omitempty"`
	Instances        map[string]int32 `json:"instances,omitempty"`
	PodsToCreate     []string         `json:"podsToCreate,omitempty"`
	PodsToDelete     []string         `json:"podsToDelete,omitempty"`
	ScaleInGuard     *GuardVerdict    `json:"scaleInGuard,omitempty"`
}

// GuardVerdict is the Kafka scale-in guard's verdict on a component's departing pods.
type GuardVerdict struct {
	Result  string `json:"result,omitempty"`
	Message string `json:"message,omitempty"`
}

// ComponentStatus is the progress of one component.
type ComponentStatus struct {
	Phase           string           `json:"phase,omitempty"`
	ProgressDetails []ProgressDetail `json:"progressDetails,omitempty"`
}

// ProgressDetail is the progress of one pod, e.g. objectKey "Pod/kafka-broker-2".
type ProgressDetail struct {
	ObjectKey string `json:"objectKey,omitempty"`
	Group     string `json:"group,omitempty"`
	Status    string `json:"status,omitempty"`
	Message   string `json:"message,omitempty"`
	StartTime string `json:"startTime,omitempty"`
	EndTime   string `json:"endTime,omitempty"`
}

// Condition is a status condition (Validated, WaitForProgressing, Progressing, and one named after the end phase).
type Condition struct {
	Type               string `json:"type"`
	Status             string `json:"status,omitempty"`
	Reason             string `json:"reason,omitempty"`
	Message            string `json:"message,omitempty"`
	LastTransitionTime string `json:"lastTransitionTime,omitempty"`
}

// Component is what the plugin needs to know of one component of a Cluster: its name, replicas and offline
// instances (spec), and the instance names its InstanceSet reports (status.instanceStatus).
type Component struct {
	Name             string
	Replicas         *int32
	OfflineInstances []string
	Instances        []string
}
