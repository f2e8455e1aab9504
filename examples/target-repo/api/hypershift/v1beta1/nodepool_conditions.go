package v1beta1

// ConditionType names a NodePool condition. Values are CamelCase; `make api` lists every constant of
// this type in zz_generated.conditions.go.
type ConditionType string

// Condition types.
const (
	// NodePoolValidPlatformConfigConditionType reports whether the platform settings are usable.
	NodePoolValidPlatformConfigConditionType ConditionType = "ValidPlatformConfig"
	// NodePoolValidReleaseImageConditionType reports whether the release image can be resolved.
	NodePoolValidReleaseImageConditionType ConditionType = "ValidReleaseImage"
	// NodePoolAutorepairEnabledConditionType reports whether a MachineHealthCheck guards the machines.
	NodePoolAutorepairEnabledConditionType ConditionType = "AutorepairEnabled"
	// NodePoolUpdatingVersionConditionType is True while a version rollout is in progress.
	NodePoolUpdatingVersionConditionType ConditionType = "UpdatingVersion"
	// NodePoolAllMachinesReadyConditionType summarises the Ready condition of every machine.
	NodePoolAllMachinesReadyConditionType ConditionType = "AllMachinesReady"
	// NodePoolReadyConditionType is the overall readiness.
	NodePoolReadyConditionType ConditionType = "Ready"
	// NodePoolReconciliationActiveConditionType is False while spec.pausedUntil holds reconciliation.
	NodePoolReconciliationActiveConditionType ConditionType = "ReconciliationActive"
)

// Reasons.
const (
	NodePoolAsExpectedReason           = "AsExpected"
	NodePoolValidationFailedReason     = "ValidationFailed"
	NodePoolNotFoundReason             = "NotFound"
	NodePoolMachinesNotReadyReason     = "MachinesNotReady"
	NodePoolReconciliationPausedReason = "ReconciliationPaused"
)
