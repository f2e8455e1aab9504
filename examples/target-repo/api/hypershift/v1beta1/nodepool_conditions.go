package v1beta1

// Conditions
const (
	// NodePoolValidPlatformConfigConditionType signals if the content within nodePool.spec.platform is valid.
	NodePoolValidPlatformConfigConditionType = "ValidPlatformConfig"
	// NodePoolValidReleaseImageConditionType signals if the input in nodePool.spec.release.image is valid.
	NodePoolValidReleaseImageConditionType = "ValidReleaseImage"
	// NodePoolAutorepairEnabledConditionType signals if a MachineHealthCheck guards the machines.
	NodePoolAutorepairEnabledConditionType = "AutorepairEnabled"
	// NodePoolUpdatingVersionConditionType is True while a version rollout is in progress.
	NodePoolUpdatingVersionConditionType = "UpdatingVersion"
	// NodePoolReadyConditionType is the overall readiness.
	NodePoolReadyConditionType = "Ready"
	// NodePoolAllMachinesReadyConditionType summarises the Ready condition of every machine.
	NodePoolAllMachinesReadyConditionType = "AllMachinesReady"
	// NodePoolReconciliationActiveConditionType signals the state of nodePool.spec.pausedUntil.
	NodePoolReconciliationActiveConditionType = "ReconciliationActive"
)

// Reasons
const (
	NodePoolAsExpectedReason           = "AsExpected"
	NodePoolValidationFailedReason     = "ValidationFailed"
	NodePoolNotFoundReason             = "NotFound"
	NodePoolMachinesNotReadyReason     = "MachinesNotReady"
	NodePoolReconciliationPausedReason = "ReconciliationPaused"
)
