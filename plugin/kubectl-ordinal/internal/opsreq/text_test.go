package opsreq

import (
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// An ops as the operator leaves a dry run of "offline kafka-broker-2" (docs/ops-controller.md, "The runbook").
const dryRunYAML = `
apiVersion: operations.ordinal.dev/v1alpha1
kind: OpsRequest
metadata: {name: kafka-plan-offline-a, namespace: ns, creationTimestamp: "2026-12-05T10:00:00Z"}
spec:
  clusterName: kafka
  type: HorizontalScaling
  dryRun: true
  horizontalScaling:
  - componentName: broker
    scaleIn: {onlineInstancesToOffline: [kafka-broker-2]}
status:
  phase: Succeed
  progress: 0/0
  plan:
    broker:
      replicas: 2
      offlineInstances: [kafka-broker-2]
      podsToDelete: [kafka-broker-2]
      scaleInGuard: {result: Safe, message: "kafka-broker-2 (node 102) hosts no replicas"}
  conditions:
  - {type: Validated, status: "True", reason: Validated}
  - {type: Succeed, status: "True", reason: DryRun, message: "dry run: the plan is in status.plan; nothing was changed"}
`

func parse(t *testing.T, text string) *OpsRequest {
	t.Helper()
	var o OpsRequest
	if err := yaml.Unmarshal([]byte(text), &o); err != nil {
		t.Fatal(err)
	}
	return &o
}

func TestPlanTextShowsBeforeAndAfter(t *testing.T) {
	o := parse(t, dryRunYAML)
	text := PlanText(o, map[string]Component{"broker": {Name: "broker", Replicas: i32(3)}})
	for _, part := range []string{
		"component broker:",
		"replicas:          3 -> 2\n",
		"offlineInstances:  [] -> [kafka-broker-2]",
		"pods to create:    -",
		"pods to delete:    kafka-broker-2",
		"scale-in guard:    Safe (kafka-broker-2 (node 102) hosts no replicas)",
	} {
		if !strings.Contains(text, part) {
			t.Errorf("plan lacks %q:\n%s", part, text)
		}
	}
}

func TestWhyFollowsThePhase(t *testing.T) {
	o := parse(t, dryRunYAML)
	if got := Why(o); got != "DryRun: dry run: the plan is in status.plan; nothing was changed" {
		t.Errorf("ended: %q", got)
	}
	if got := Line(o); got != "kafka-plan-offline-a Succeed 0/0 (DryRun: dry run: the plan is in status.plan; nothing was changed)" {
		t.Errorf("line: %q", got)
	}
	ran := parse(t, `
metadata: {name: b}
status:
  phase: Cancelled
  conditions:
  - {type: Cancelled, status: "True", reason: Cancelled, message: pods match lastConfiguration again}
`)
	if got := Why(ran); got != "pods match lastConfiguration again" {
		t.Errorf("a reason that repeats the type is left out: %q", got)
	}
	running := parse(t, `
metadata: {name: c}
status:
  phase: Running
  progress: 0/1
  conditions:
  - {type: Progressing, status: "True", reason: Running, message: the plan is applied; waiting for pods}
`)
	if got := Line(running); got != "c Running 0/1 (the plan is applied; waiting for pods)" {
		t.Errorf("a reason that repeats the phase is left out: %q", got)
	}
	pending := parse(t, `
metadata: {name: a}
status:
  phase: Pending
  conditions:
  - {type: Validated, status: "True", reason: Validated, message: ok}
  - {type: WaitForProgressing, status: "True", reason: OpsInProgress, message: waiting for opsrequest b}
`)
	if got := Why(pending); got != "OpsInProgress: waiting for opsrequest b" {
		t.Errorf("pending: %q", got)
	}
	fresh := parse(t, `metadata: {name: new}`)
	if Line(fresh) != "new Pending -/-" {
		t.Errorf("fresh: %q", Line(fresh))
	}
}

func TestTableAndDescribe(t *testing.T) {
	o := parse(t, dryRunYAML)
	now, _ := time.Parse(time.RFC3339, "2026-12-05T10:03:00Z")
	table := Table([]OpsRequest{*o}, now, true)
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "NAMESPACE") || !strings.Contains(lines[1], "kafka-plan-offline-a") ||
		!strings.Contains(lines[1], "Succeed") || !strings.HasSuffix(lines[1], "3m") {
		t.Errorf("table:\n%s", table)
	}
	d := Describe(o)
	for _, part := range []string{"Request:    broker: offline kafka-broker-2", "Options:    dryRun", "Phase:      Succeed",
		"Plan:\n  component broker:", "Conditions:\n  Validated=True"} {
		if !strings.Contains(d, part) {
			t.Errorf("describe lacks %q:\n%s", part, d)
		}
	}
}

func TestAge(t *testing.T) {
	now, _ := time.Parse(time.RFC3339, "2026-12-05T10:00:00Z")
	for ts, want := range map[string]string{
		"2026-12-05T09:59:55Z": "5s", "2026-12-05T09:50:00Z": "10m", "2026-12-05T05:00:00Z": "5h",
		"2026-12-01T10:00:00Z": "4d", "nonsense": "<unknown>",
	} {
		if got := Age(ts, now); got != want {
			t.Errorf("Age(%s) = %s, want %s", ts, got, want)
		}
	}
}
