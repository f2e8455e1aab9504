// Plans the offline agent can carry out in the example Go repository: each phase adds one NodePool
// condition type and its reason, runs make api, verifies and tests.
import type { PlannedPhase } from '../../src/plan/schema.js';

export function conditionPhase(
  id: string,
  type: string,
  reason: string,
  activity: PlannedPhase['activity'] = 'api_changes',
  dependsOn: string[] = [],
  mergeOrder = 1,
): PlannedPhase {
  const snake = type.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  return {
    id,
    title: `Add NodePool condition type ${type} and reason ${reason}`,
    activity,
    files: ['api/hypershift/v1beta1/nodepool_conditions.go', `api/hypershift/v1beta1/nodepool_condition_${snake}_test.go`],
    constraints: ['CamelCase condition type and reason values'],
    validation: [{ command: 'make verify', why: 'generated code current' }],
    dependsOn,
    mergeOrder,
  };
}
