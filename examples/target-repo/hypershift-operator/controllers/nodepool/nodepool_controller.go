// Package nodepool reconciles NodePools into Cluster API machine objects and reports what it sees as
// NodePool conditions. This is a reduced stand-in for HyperShift's controller of the same path.
package nodepool

import (
	"context"
	"fmt"
	"time"

	hyperv1 "github.com/example/hypershift-mini/api/hypershift/v1beta1"
)

// Machine is the part of a Cluster API Machine the NodePool controller reads.
type Machine struct {
	Name          string
	NodePool      string
	Ready         bool
	FailureReason string
	// ProviderMessage is what the platform provider reported, e.g. an AWS capacity error.
	ProviderMessage string
}

// MachineClient reads machines from the management cluster. The controller lists them once per
// reconcile and hands the list to every condition function.
type MachineClient interface {
	ListMachines(ctx context.Context, namespace, nodePool string) ([]Machine, error)
}

// NodePoolReconciler owns the NodePool status.
type NodePoolReconciler struct {
	Machines MachineClient
	Now      func() time.Time
}

// Reconcile computes the NodePool's conditions from its spec and its machines.
func (r *NodePoolReconciler) Reconcile(ctx context.Context, np *hyperv1.NodePool) error {
	if np == nil {
		return fmt.Errorf("nodepool: nil NodePool")
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	if np.Spec.PausedUntil != nil && now().Before(*np.Spec.PausedUntil) {
		np.Status.SetCondition(hyperv1.NodePoolCondition{
			Type:    hyperv1.NodePoolReconciliationActiveConditionType,
			Status:  hyperv1.ConditionFalse,
			Reason:  hyperv1.NodePoolReconciliationPausedReason,
			Message: fmt.Sprintf("reconciliation paused until %s", np.Spec.PausedUntil.UTC().Format(time.RFC3339)),
		})
		return nil
	}
	np.Status.SetCondition(hyperv1.NodePoolCondition{
		Type:   hyperv1.NodePoolReconciliationActiveConditionType,
		Status: hyperv1.ConditionTrue,
		Reason: hyperv1.NodePoolAsExpectedReason,
	})

	machines, err := r.Machines.ListMachines(ctx, np.Namespace, np.Name)
	if err != nil {
		return fmt.Errorf("listing machines of NodePool %s/%s: %w", np.Namespace, np.Name, err)
	}
	setValidPlatformConfigCondition(np)
	setMachineConditions(np, machines)
	setPlatformConditions(np, machines)
	setReadyCondition(np)
	return nil
}
