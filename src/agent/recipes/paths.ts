// What the recipes share: where the NodePool API and controller live in HyperShift, how the constants are
// named, and the error a recipe raises when the tree does not fit it.

export const conditionsFile = 'api/hypershift/v1beta1/nodepool_conditions.go';
/**
 * The code `make api` generates from the API types (controller-gen object in HyperShift). Condition constants are
 * untyped strings and generate nothing; a new field or type does, and a field added without `make api` leaves a
 * DeepCopy that shares it.
 */
export const deepcopyFile = 'api/hypershift/v1beta1/zz_generated.deepcopy.go';
/**
 * HyperShift's operator builds against a vendored copy of its own API module (go.mod replaces it with ./api and
 * vendor/ holds the copy `make update` refreshes with go mod vendor), so a new constant is visible to the
 * controllers only once the copy is refreshed. The example repository has one module and no vendor/.
 */
export const vendoredConditionsFile = 'vendor/github.com/openshift/hypershift/api/hypershift/v1beta1/nodepool_conditions.go';
export const controllerDir = 'hypershift-operator/controllers/nodepool';
/** The API package: its types, and the constants (PlatformType values live in hostedcluster_types.go in HyperShift). */
export const apiDir = 'api/hypershift/v1beta1';
export const apiTypesFile = 'api/hypershift/v1beta1/nodepool_types.go';
/**
 * HyperShift's documentation is an mkdocs site under docs/content/; the NodePool conditions are listed on its
 * rollouts reference page (the example repository carries a short page at the same path).
 */
export const conditionDocsFile = 'docs/content/reference/nodepool-rollouts.md';
/** Platform files of the NodePool controller, by the name HyperShift gives them, with how people write the platform. */
export const platformLabels: Record<string, string> = {
  aws: 'AWS',
  azure: 'Azure',
  kubevirt: 'KubeVirt',
  openstack: 'OpenStack',
  gcp: 'GCP',
  powervs: 'PowerVS',
  agent: 'Agent',
};
export const platformFiles = Object.keys(platformLabels).map((p) => `${controllerDir}/${p}.go`);
export const labelOf = (platform: string): string => platformLabels[platform] ?? platform[0]!.toUpperCase() + platform.slice(1);

export function conditionTypeConst(t: string): string {
  return `NodePool${t}ConditionType`;
}
export function reasonConst(r: string): string {
  return `NodePool${r}Reason`;
}

export class RecipeError extends Error {
  override readonly name = 'RecipeError';
}
