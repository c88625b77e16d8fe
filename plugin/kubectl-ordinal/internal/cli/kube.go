package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/spf13/pflag"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"

	"ordinal.dev/kubectl-ordinal/internal/opsreq"
)

var (
	opsGVR         = schema.GroupVersionResource{Group: opsreq.OpsGroup, Version: opsreq.OpsVersion, Resource: opsreq.OpsResource}
	clusterGVR     = schema.GroupVersionResource{Group: opsreq.ClusterGroup, Version: opsreq.ClusterVersion, Resource: opsreq.ClusterResource}
	instanceSetGVR = schema.GroupVersionResource{Group: opsreq.InstanceSetGroup, Version: opsreq.InstanceSetVersion, Resource: opsreq.InstanceSetResource}
	eventGVR       = schema.GroupVersionResource{Version: "v1", Resource: "events"}
)

// connection holds the kubeconfig flags every kubectl plugin honours (--kubeconfig, --context, -n/--namespace,
// --server, --user, --token, --as, ...), bound from client-go's clientcmd so they mean what they mean to kubectl.
type connection struct {
	rules     *clientcmd.ClientConfigLoadingRules
	overrides *clientcmd.ConfigOverrides
}

func newConnection(flags *pflag.FlagSet) *connection {
	c := &connection{rules: clientcmd.NewDefaultClientConfigLoadingRules(), overrides: &clientcmd.ConfigOverrides{}}
	flags.StringVar(&c.rules.ExplicitPath, "kubeconfig", "", "path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
	names := clientcmd.RecommendedConfigOverrideFlags("")
	// the few that plugins usually offer; the rest (certificates, passwords) stay in the kubeconfig
	names.AuthOverrideFlags = clientcmd.AuthOverrideFlags{
		Token:       names.AuthOverrideFlags.Token,
		Impersonate: names.AuthOverrideFlags.Impersonate,
	}
	names.ClusterOverrideFlags = clientcmd.ClusterOverrideFlags{
		APIServer:             names.ClusterOverrideFlags.APIServer,
		InsecureSkipTLSVerify: names.ClusterOverrideFlags.InsecureSkipTLSVerify,
	}
	names.Timeout = clientcmd.FlagInfo{}
	// --cluster would be the kubeconfig's cluster; to Ordinal's users a cluster is a Cluster (ops list --cluster)
	names.ContextOverrideFlags.ClusterName = clientcmd.FlagInfo{}
	clientcmd.BindOverrideFlags(c.overrides, flags, names)
	return c
}

// kube is a connected client: the dynamic client and the namespace the command works in.
type kube struct {
	client    dynamic.Interface
	namespace string
}

// connect loads the kubeconfig with the flags' overrides. Errors: no usable kubeconfig (ExitUsage).
func (c *connection) connect() (*kube, error) {
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(c.rules, c.overrides)
	config, err := cc.ClientConfig()
	if err != nil {
		return nil, usage("no usable kubeconfig: %v", err)
	}
	config.UserAgent = "kubectl-ordinal/" + Version
	ns, _, err := cc.Namespace()
	if err != nil {
		return nil, usage("no namespace from the kubeconfig: %v", err)
	}
	client, err := dynamic.NewForConfig(config)
	if err != nil {
		return nil, usage("cannot make a client from the kubeconfig: %v", err)
	}
	return &kube{client: client, namespace: ns}, nil
}

func (k *kube) ops(namespace string) dynamic.ResourceInterface {
	return k.client.Resource(opsGVR).Namespace(namespace)
}

// components reads the Cluster (404: ExitNotFound "cluster X not found in namespace N") and, when withInstances, the
// instance names its InstanceSets report (status.instanceStatus[].podName, label app.kubernetes.io/instance).
func (k *kube) components(ctx context.Context, cluster string, withInstances bool) ([]opsreq.Component, error) {
	u, err := k.client.Resource(clusterGVR).Namespace(k.namespace).Get(ctx, cluster, metav1.GetOptions{})
	if err != nil {
		return nil, apiError(err, fmt.Sprintf("read cluster %s in namespace %s", cluster, k.namespace),
			fmt.Sprintf("cluster %q not found in namespace %s (kubectl get clusters -n %s lists them)", cluster, k.namespace, k.namespace))
	}
	var parsed struct {
		Spec struct {
			ComponentSpecs []struct {
				Name             string   `json:"name"`
				Replicas         *int32   `json:"replicas"`
				OfflineInstances []string `json:"offlineInstances"`
			} `json:"componentSpecs"`
		} `json:"spec"`
	}
	if err := fromUnstructured(u, &parsed); err != nil {
		return nil, notSucceeded("cannot read cluster %s: %v", cluster, err)
	}
	var out []opsreq.Component
	for _, c := range parsed.Spec.ComponentSpecs {
		out = append(out, opsreq.Component{Name: c.Name, Replicas: c.Replicas, OfflineInstances: c.OfflineInstances})
	}
	if !withInstances {
		return out, nil
	}
	sets, err := k.client.Resource(instanceSetGVR).Namespace(k.namespace).List(ctx, metav1.ListOptions{
		LabelSelector: opsreq.ClusterLabel + "=" + cluster})
	if err != nil {
		return nil, apiError(err, fmt.Sprintf("list the instance sets of cluster %s (or name the component with --component)", cluster), "")
	}
	for i := range sets.Items {
		set := &sets.Items[i]
		component := set.GetLabels()[opsreq.ComponentLabel]
		var st struct {
			Status struct {
				InstanceStatus []struct {
					PodName string `json:"podName"`
				} `json:"instanceStatus"`
			} `json:"status"`
		}
		if err := fromUnstructured(set, &st); err != nil {
			continue
		}
		for j := range out {
			if out[j].Name == component {
				for _, s := range st.Status.InstanceStatus {
					out[j].Instances = append(out[j].Instances, s.PodName)
				}
			}
		}
	}
	return out, nil
}

// getOps reads one OpsRequest (404: ExitNotFound naming it and the namespace).
func (k *kube) getOps(ctx context.Context, name string) (*opsreq.OpsRequest, error) {
	u, err := k.ops(k.namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, apiError(err, fmt.Sprintf("read opsrequest %s in namespace %s", name, k.namespace),
			fmt.Sprintf("opsrequest %q not found in namespace %s (kubectl ordinal ops list -n %s lists them)", name, k.namespace, k.namespace))
	}
	return toOps(u)
}

// listOps lists the OpsRequests of the namespace ("" = every namespace), oldest first.
func (k *kube) listOps(ctx context.Context, namespace string) ([]opsreq.OpsRequest, error) {
	where := "namespace " + namespace
	if namespace == "" {
		where = "all namespaces"
	}
	list, err := k.client.Resource(opsGVR).Namespace(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, apiError(err, "list opsrequests in "+where, "")
	}
	out := make([]opsreq.OpsRequest, 0, len(list.Items))
	for i := range list.Items {
		o, err := toOps(&list.Items[i])
		if err != nil {
			return nil, err
		}
		out = append(out, *o)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Metadata.CreationTimestamp != out[j].Metadata.CreationTimestamp {
			return out[i].Metadata.CreationTimestamp < out[j].Metadata.CreationTimestamp
		}
		return out[i].Metadata.Name < out[j].Metadata.Name
	})
	return out, nil
}

// createOps creates the OpsRequest and returns it as the API server stored it.
func (k *kube) createOps(ctx context.Context, ops *opsreq.OpsRequest) (*opsreq.OpsRequest, error) {
	u, err := toUnstructured(ops)
	if err != nil {
		return nil, notSucceeded("cannot encode the opsrequest: %v", err)
	}
	created, err := k.ops(ops.Metadata.Namespace).Create(ctx, u, metav1.CreateOptions{FieldManager: "kubectl-ordinal"})
	if err != nil {
		return nil, apiError(err, fmt.Sprintf("create opsrequest %s in namespace %s", ops.Metadata.Name, ops.Metadata.Namespace), "")
	}
	return toOps(created)
}

// cancelOps sets spec.cancel: true (a merge patch; the API server refuses it once the ops has ended).
func (k *kube) cancelOps(ctx context.Context, name string) (*opsreq.OpsRequest, error) {
	patched, err := k.ops(k.namespace).Patch(ctx, name, types.MergePatchType, []byte(`{"spec":{"cancel":true}}`),
		metav1.PatchOptions{FieldManager: "kubectl-ordinal"})
	if err != nil {
		return nil, apiError(err, fmt.Sprintf("cancel opsrequest %s in namespace %s", name, k.namespace),
			fmt.Sprintf("opsrequest %q not found in namespace %s", name, k.namespace))
	}
	return toOps(patched)
}

// deleteOps deletes an OpsRequest the plugin made itself (a plan's dry run).
func (k *kube) deleteOps(ctx context.Context, name string) error {
	err := k.ops(k.namespace).Delete(ctx, name, metav1.DeleteOptions{})
	if err != nil {
		return apiError(err, fmt.Sprintf("delete opsrequest %s in namespace %s", name, k.namespace), "")
	}
	return nil
}

// events lists the Events about an OpsRequest, oldest first; nil when they cannot be read (no permission).
func (k *kube) events(ctx context.Context, name string) []string {
	list, err := k.client.Resource(eventGVR).Namespace(k.namespace).List(ctx, metav1.ListOptions{
		FieldSelector: "involvedObject.kind=" + opsreq.OpsKind + ",involvedObject.name=" + name})
	if err != nil {
		return nil
	}
	type event struct {
		Type           string `json:"type"`
		Reason         string `json:"reason"`
		Message        string `json:"message"`
		LastTimestamp  string `json:"lastTimestamp"`
		EventTime      string `json:"eventTime"`
		FirstTimestamp string `json:"firstTimestamp"`
	}
	var events []event
	for i := range list.Items {
		var e event
		if fromUnstructured(&list.Items[i], &e) == nil {
			if e.LastTimestamp == "" {
				e.LastTimestamp = e.EventTime
			}
			events = append(events, e)
		}
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].LastTimestamp < events[j].LastTimestamp })
	var out []string
	for _, e := range events {
		out = append(out, fmt.Sprintf("%s %s %s: %s", e.LastTimestamp, e.Type, e.Reason, e.Message))
	}
	return out
}

func toOps(u *unstructured.Unstructured) (*opsreq.OpsRequest, error) {
	var o opsreq.OpsRequest
	if err := fromUnstructured(u, &o); err != nil {
		return nil, notSucceeded("cannot read opsrequest %s: %v", u.GetName(), err)
	}
	return &o, nil
}

func fromUnstructured(u *unstructured.Unstructured, into any) error {
	data, err := json.Marshal(u.Object)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, into)
}

func toUnstructured(v any) (*unstructured.Unstructured, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{}
	return u, json.Unmarshal(data, &u.Object)
}
