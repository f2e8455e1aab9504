package v1beta1

import "time"

// PlatformType names the infrastructure provider a NodePool's machines run on.
type PlatformType string

const (
	AWSPlatform       PlatformType = "AWS"
	AzurePlatform     PlatformType = "Azure"
	KubevirtPlatform  PlatformType = "KubeVirt"
	AgentPlatform     PlatformType = "Agent"
	NonePlatform      PlatformType = "None"
	OpenStackPlatform PlatformType = "OpenStack"
)

// UpgradeType decides which Cluster API object backs the NodePool.
type UpgradeType string

const (
	// UpgradeTypeReplace rolls machines through a MachineDeployment.
	UpgradeTypeReplace UpgradeType = "Replace"
	// UpgradeTypeInPlace updates machines through a MachineSet.
	UpgradeTypeInPlace UpgradeType = "InPlace"
)

// NodePool is a group of worker machines with the same configuration.
type NodePool struct {
	Name      string
	Namespace string
	Spec      NodePoolSpec
	Status    NodePoolStatus
}

// NodePoolSpec is the desired state.
type NodePoolSpec struct {
	ClusterName string
	Replicas    *int32
	Platform    NodePoolPlatform
	Management  NodePoolManagement
	PausedUntil *time.Time
}

// NodePoolManagement selects the upgrade strategy.
type NodePoolManagement struct {
	UpgradeType UpgradeType
	AutoRepair  bool
}

// NodePoolPlatform carries the provider-specific settings.
type NodePoolPlatform struct {
	Type PlatformType
	AWS  *AWSNodePoolPlatform
}

// AWSNodePoolPlatform is the AWS part of the platform settings.
type AWSNodePoolPlatform struct {
	InstanceType string
	Subnet       string
}

// NodePoolStatus is the observed state.
type NodePoolStatus struct {
	Replicas   int32
	Version    string
	Conditions []NodePoolCondition
}

// ConditionStatus is True, False or Unknown.
type ConditionStatus string

const (
	ConditionTrue    ConditionStatus = "True"
	ConditionFalse   ConditionStatus = "False"
	ConditionUnknown ConditionStatus = "Unknown"
)

// NodePoolCondition is one observation about the NodePool. Type is one of the NodePool…ConditionType
// constants of nodepool_conditions.go, untyped as in HyperShift.
type NodePoolCondition struct {
	Type               string
	Status             ConditionStatus
	Reason             string
	Message            string
	ObservedGeneration int64
}

// SetCondition replaces the condition of the same type, or appends it.
func (s *NodePoolStatus) SetCondition(c NodePoolCondition) {
	for i := range s.Conditions {
		if s.Conditions[i].Type == c.Type {
			s.Conditions[i] = c
			return
		}
	}
	s.Conditions = append(s.Conditions, c)
}

// FindCondition returns the condition of the given type, or nil.
func (s *NodePoolStatus) FindCondition(t string) *NodePoolCondition {
	for i := range s.Conditions {
		if s.Conditions[i].Type == t {
			return &s.Conditions[i]
		}
	}
	return nil
}
