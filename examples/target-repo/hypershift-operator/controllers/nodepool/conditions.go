package nodepool

import (
	"fmt"

	hyperv1 "github.com/example/hypershift-mini/api/hypershift/v1beta1"
)

// setValidPlatformConfigCondition checks the platform settings the controller can validate itself.
func setValidPlatformConfigCondition(np *hyperv1.NodePool) {
	condition := hyperv1.NodePoolCondition{
		Type:   hyperv1.NodePoolValidPlatformConfigConditionType,
		Status: hyperv1.ConditionTrue,
		Reason: hyperv1.NodePoolAsExpectedReason,
	}
	if np.Spec.Platform.Type == hyperv1.AWSPlatform {
		if err := validateAWSPlatformConfig(np); err != nil {
			condition.Status = hyperv1.ConditionFalse
			condition.Reason = hyperv1.NodePoolValidationFailedReason
			condition.Message = err.Error()
		}
	}
	np.Status.SetCondition(condition)
}

// setMachineConditions summarises machine readiness with counts, not machine names: a NodePool can
// have hundreds of machines and a condition message must stay readable.
func setMachineConditions(np *hyperv1.NodePool, machines []Machine) {
	notReady := 0
	for _, m := range machines {
		if !m.Ready {
			notReady++
		}
	}
	condition := hyperv1.NodePoolCondition{
		Type:   hyperv1.NodePoolAllMachinesReadyConditionType,
		Status: hyperv1.ConditionTrue,
		Reason: hyperv1.NodePoolAsExpectedReason,
	}
	if notReady > 0 {
		condition.Status = hyperv1.ConditionFalse
		condition.Reason = hyperv1.NodePoolMachinesNotReadyReason
		condition.Message = fmt.Sprintf("%d of %d machines are not ready", notReady, len(machines))
	}
	np.Status.SetCondition(condition)
}

// setPlatformConditions lets each platform add what only it can observe.
func setPlatformConditions(np *hyperv1.NodePool, machines []Machine) {
	switch np.Spec.Platform.Type {
	case hyperv1.AWSPlatform:
		setAWSConditions(np, machines)
	default:
		// Other platforms report nothing beyond the shared machine conditions yet.
	}
}

// setReadyCondition is True only when every other reported condition that gates readiness is healthy.
func setReadyCondition(np *hyperv1.NodePool) {
	for _, t := range []string{
		hyperv1.NodePoolValidPlatformConfigConditionType,
		hyperv1.NodePoolAllMachinesReadyConditionType,
	} {
		if c := np.Status.FindCondition(t); c != nil && c.Status != hyperv1.ConditionTrue {
			np.Status.SetCondition(hyperv1.NodePoolCondition{
				Type:    hyperv1.NodePoolReadyConditionType,
				Status:  hyperv1.ConditionFalse,
				Reason:  c.Reason,
				Message: fmt.Sprintf("%s: %s", t, c.Message),
			})
			return
		}
	}
	np.Status.SetCondition(hyperv1.NodePoolCondition{
		Type:   hyperv1.NodePoolReadyConditionType,
		Status: hyperv1.ConditionTrue,
		Reason: hyperv1.NodePoolAsExpectedReason,
	})
}
