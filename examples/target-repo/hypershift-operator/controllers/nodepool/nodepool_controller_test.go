package nodepool

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	hyperv1 "github.com/example/hypershift-mini/api/hypershift/v1beta1"
)

type fakeMachines struct {
	machines []Machine
	err      error
	calls    int
}

func (f *fakeMachines) ListMachines(_ context.Context, _, nodePool string) ([]Machine, error) {
	f.calls++
	var out []Machine
	for _, m := range f.machines {
		if m.NodePool == nodePool {
			out = append(out, m)
		}
	}
	return out, f.err
}

func awsNodePool() *hyperv1.NodePool {
	return &hyperv1.NodePool{
		Name:      "workers",
		Namespace: "clusters",
		Spec: hyperv1.NodePoolSpec{Platform: hyperv1.NodePoolPlatform{
			Type: hyperv1.AWSPlatform,
			AWS:  &hyperv1.AWSNodePoolPlatform{InstanceType: "m5.large"},
		}},
	}
}

func TestReadyWhenAllMachinesReady(t *testing.T) {
	machines := &fakeMachines{machines: []Machine{{Name: "a", NodePool: "workers", Ready: true}}}
	np := awsNodePool()
	if err := (&NodePoolReconciler{Machines: machines}).Reconcile(context.Background(), np); err != nil {
		t.Fatal(err)
	}
	if c := np.Status.FindCondition(hyperv1.NodePoolReadyConditionType); c == nil || c.Status != hyperv1.ConditionTrue {
		t.Fatalf("want Ready=True, got %+v", c)
	}
	if machines.calls != 1 {
		t.Fatalf("machines must be listed once per reconcile, got %d calls", machines.calls)
	}
}

func TestNotReadyMachinesAreCountedNotListed(t *testing.T) {
	var ms []Machine
	for i := 0; i < 50; i++ {
		ms = append(ms, Machine{Name: "machine-" + string(rune('a'+i%26)), NodePool: "workers", Ready: i%2 == 0})
	}
	np := awsNodePool()
	if err := (&NodePoolReconciler{Machines: &fakeMachines{machines: ms}}).Reconcile(context.Background(), np); err != nil {
		t.Fatal(err)
	}
	c := np.Status.FindCondition(hyperv1.NodePoolAllMachinesReadyConditionType)
	if c == nil || c.Status != hyperv1.ConditionFalse || c.Message != "25 of 50 machines are not ready" {
		t.Fatalf("unexpected AllMachinesReady condition %+v", c)
	}
	if strings.Contains(c.Message, "machine-") {
		t.Fatalf("message must not list machine names: %q", c.Message)
	}
	if ready := np.Status.FindCondition(hyperv1.NodePoolReadyConditionType); ready.Status != hyperv1.ConditionFalse {
		t.Fatalf("Ready must follow AllMachinesReady, got %+v", ready)
	}
}

func TestInvalidAWSConfig(t *testing.T) {
	np := awsNodePool()
	np.Spec.Platform.AWS.InstanceType = ""
	if err := (&NodePoolReconciler{Machines: &fakeMachines{}}).Reconcile(context.Background(), np); err != nil {
		t.Fatal(err)
	}
	c := np.Status.FindCondition(hyperv1.NodePoolValidPlatformConfigConditionType)
	if c.Status != hyperv1.ConditionFalse || c.Reason != hyperv1.NodePoolValidationFailedReason {
		t.Fatalf("want ValidPlatformConfig=False/ValidationFailed, got %+v", c)
	}
}

func TestPausedNodePoolIsNotReconciled(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	until := now.Add(time.Hour)
	np := awsNodePool()
	np.Spec.PausedUntil = &until
	machines := &fakeMachines{}
	r := &NodePoolReconciler{Machines: machines, Now: func() time.Time { return now }}
	if err := r.Reconcile(context.Background(), np); err != nil {
		t.Fatal(err)
	}
	if c := np.Status.FindCondition(hyperv1.NodePoolReconciliationActiveConditionType); c.Status != hyperv1.ConditionFalse {
		t.Fatalf("want ReconciliationActive=False, got %+v", c)
	}
	if machines.calls != 0 {
		t.Fatalf("a paused NodePool must not list machines")
	}
}

func TestListErrorIsReturned(t *testing.T) {
	err := (&NodePoolReconciler{Machines: &fakeMachines{err: errors.New("boom")}}).Reconcile(context.Background(), awsNodePool())
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("want the list error, got %v", err)
	}
}
