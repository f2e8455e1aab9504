// Package v1beta1 holds a reduced NodePool API: enough fields for the controller in this example
// module to compute conditions the way the real operator does. As in HyperShift, `make api`
// generates zz_generated.deepcopy.go for every struct type of this package.
//
// +kubebuilder:object:generate=true
// +groupName=hypershift.openshift.io
package v1beta1
