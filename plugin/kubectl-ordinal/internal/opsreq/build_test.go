package opsreq

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func i32(v int32) *int32 { return &v }

var kafka = []Component{
	{Name: "broker", Replicas: i32(2), OfflineInstances: []string{"kafka-broker-2"}, Instances: []string{"kafka-broker-0", "kafka-broker-1"}},
	{Name: "controller", Replicas: i32(3), Instances: []string{"kafka-controller-0", "kafka-controller-1", "kafka-controller-2"}},
}

// The YAML of an offline ops is the committed example's request (kubernetes/examples/ops/ops-offline-broker-2.yaml).
func TestOfflineMatchesTheExample(t *testing.T) {
	groups, err := GroupByComponent("kafka", kafka, []string{"kafka-broker-1"}, "")
	if err != nil {
		t.Fatal(err)
	}
	ops, err := Offline("kafka", groups, Options{Namespace: "default", Name: "kafka-offline-broker-1",
		TimeoutSeconds: i32(600), PreConditionDeadlineSeconds: i32(1800)})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := yaml.Marshal(ops)
	want := `apiVersion: operations.ordinal.dev/v1alpha1
kind: OpsRequest
metadata:
  name: kafka-offline-broker-1
  namespace: default
spec:
  clusterName: kafka
  horizontalScaling:
  - componentName: broker
    scaleIn:
      onlineInstancesToOffline:
      - kafka-broker-1
  preConditionDeadlineSeconds: 1800
  timeoutSeconds: 600
  type: HorizontalScaling
`
	if string(got) != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestOnlineFindsAnOfflineInstanceAndGeneratesAName(t *testing.T) {
	groups, err := GroupByComponent("kafka", kafka, []string{"kafka-broker-2"}, "")
	if err != nil {
		t.Fatal(err)
	}
	ops, err := Online("kafka", groups, Options{Namespace: "ns", Suffix: "abcde"})
	if err != nil {
		t.Fatal(err)
	}
	if ops.Metadata.Name != "kafka-online-abcde" {
		t.Errorf("name %q", ops.Metadata.Name)
	}
	h := ops.Spec.HorizontalScaling
	if len(h) != 1 || h[0].ComponentName != "broker" || h[0].ScaleOut == nil ||
		strings.Join(h[0].ScaleOut.OfflineInstancesToOnline, ",") != "kafka-broker-2" || h[0].ScaleIn != nil {
		t.Errorf("horizontalScaling %+v", h)
	}
	if ops.Spec.Force != nil || ops.Spec.DryRun != nil || ops.Spec.TimeoutSeconds != nil {
		t.Errorf("unset options must be left out: %+v", ops.Spec)
	}
}

func TestInstancesOfTwoComponentsGiveOneEntryEach(t *testing.T) {
	groups, err := GroupByComponent("kafka", kafka, []string{"kafka-controller-2", "kafka-broker-0", "kafka-controller-1"}, "")
	if err != nil {
		t.Fatal(err)
	}
	ops, _ := Offline("kafka", groups, Options{Force: true})
	h := ops.Spec.HorizontalScaling
	if len(h) != 2 || h[0].ComponentName != "controller" || h[1].ComponentName != "broker" {
		t.Fatalf("order of first appearance expected: %+v", h)
	}
	if strings.Join(h[0].ScaleIn.OnlineInstancesToOffline, ",") != "kafka-controller-2,kafka-controller-1" {
		t.Errorf("controller instances %v", h[0].ScaleIn.OnlineInstancesToOffline)
	}
	if ops.Spec.Force == nil || !*ops.Spec.Force {
		t.Error("force not set")
	}
}

func TestUnknownInstanceIsNamedWithWhatExists(t *testing.T) {
	_, err := GroupByComponent("kafka", kafka, []string{"kafka-broker-0", "kafka-broker-9"}, "")
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("want NotFoundError, got %v", err)
	}
	for _, part := range []string{`"kafka-broker-9"`, "broker: kafka-broker-0, kafka-broker-1 (offline: kafka-broker-2)", "controller:"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("%q lacks %q", err, part)
		}
	}
	if strings.Contains(err.Error(), `"kafka-broker-0"`) {
		t.Errorf("a known instance is not unknown: %q", err)
	}
}

func TestComponentFlagSendsTheInstancesUncheckedButTheComponentMustExist(t *testing.T) {
	groups, err := GroupByComponent("kafka", kafka, []string{"kafka-broker-7"}, "broker")
	if err != nil || len(groups) != 1 || groups[0].Component != "broker" || groups[0].Instances[0] != "kafka-broker-7" {
		t.Fatalf("groups %+v err %v", groups, err)
	}
	_, err = GroupByComponent("kafka", kafka, []string{"kafka-broker-7"}, "zookeeper")
	var nf *NotFoundError
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "components: broker, controller") {
		t.Fatalf("want NotFoundError listing components, got %v", err)
	}
}

func TestScaleToAndScaleBy(t *testing.T) {
	to, err := ScaleTo("kafka", "broker", 5, Options{Suffix: "x"})
	if err != nil || *to.Spec.HorizontalScaling[0].Replicas != 5 || to.Metadata.Name != "kafka-scale-x" {
		t.Fatalf("scale to: %+v %v", to, err)
	}
	out, _ := ScaleBy("kafka", "broker", 2, Options{})
	if h := out.Spec.HorizontalScaling[0]; h.ScaleOut == nil || *h.ScaleOut.ReplicaChanges != 2 || h.ScaleIn != nil || h.Replicas != nil {
		t.Errorf("scale by +2: %+v", h)
	}
	in, _ := ScaleBy("kafka", "broker", -3, Options{})
	if h := in.Spec.HorizontalScaling[0]; h.ScaleIn == nil || *h.ScaleIn.ReplicaChanges != 3 || h.ScaleOut != nil {
		t.Errorf("scale by -3: %+v", h)
	}
	zero, _ := ScaleTo("kafka", "broker", 0, Options{})
	data, _ := json.Marshal(zero.Spec.HorizontalScaling[0])
	if string(data) != `{"componentName":"broker","replicas":0}` {
		t.Errorf("replicas 0 must be sent, got %s", data)
	}
}

func TestBadNumbersAreUsageErrors(t *testing.T) {
	cases := []func() (*OpsRequest, error){
		func() (*OpsRequest, error) { return ScaleBy("kafka", "broker", 0, Options{}) },
		func() (*OpsRequest, error) { return ScaleBy("kafka", "broker", 16385, Options{}) },
		func() (*OpsRequest, error) { return ScaleTo("kafka", "broker", -1, Options{}) },
		func() (*OpsRequest, error) { return ScaleTo("kafka", "broker", 16385, Options{}) },
		func() (*OpsRequest, error) { return Offline("kafka", nil, Options{}) },
		func() (*OpsRequest, error) { return Online("kafka", nil, Options{}) },
	}
	for i, c := range cases {
		_, err := c()
		var u *UsageError
		if !errors.As(err, &u) {
			t.Errorf("case %d: want UsageError, got %v", i, err)
		}
	}
}

func TestADryRunIsMarkedAndNamedAsAPlan(t *testing.T) {
	ops, _ := ScaleTo("kafka", "broker", 4, Options{DryRun: true, Suffix: "q1w2e"})
	if ops.Spec.DryRun == nil || !*ops.Spec.DryRun || ops.Metadata.Name != "kafka-plan-scale-q1w2e" {
		t.Fatalf("%+v", ops)
	}
}
