// The plan the benchmarks and the history bound test edit over and over: two phases always, a third on every
// other edit, so each decision rebuilds the phase list for real.
import type { Plan } from '../../src/plan/schema.js';

export function editedPlan(key: string, edit: number, summary = `edit ${edit}`): Plan {
  return {
    workItemKey: key,
    intention: 'NodePool should report capacity errors per platform',
    summary,
    phases: [
      {
        id: 'api',
        title: 'API surface: condition type and reasons',
        activity: 'api_changes',
        files: ['api/hypershift/v1beta1/nodepool_conditions.go'],
        constraints: [],
        validation: [{ command: 'make api', why: 'regenerate clients and CRDs' }],
        dependsOn: [],
        mergeOrder: 1,
      },
      {
        id: 'bridge',
        title: 'Platform bridge: map provider failures',
        activity: 'core_logic',
        files: ['hypershift-operator/controllers/nodepool/aws.go'],
        constraints: [],
        validation: [],
        dependsOn: ['api'],
        mergeOrder: 2,
      },
      // Every other edit drops the docs phase, so the phase list is rebuilt for real on each decision.
      ...(edit % 2 === 0
        ? [
            {
              id: 'docs',
              title: 'Docs and observability',
              activity: 'tests' as const,
              files: ['docs/content/how-to/nodepool-conditions.md'],
              constraints: [],
              validation: [],
              dependsOn: ['api'],
              mergeOrder: 3,
            },
          ]
        : []),
    ],
  };
}
