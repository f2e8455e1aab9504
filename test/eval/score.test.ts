// The scorer's arithmetic on hand-made plans.
import { describe, expect, it } from 'vitest';
import { loadDomainModel } from '../../src/domain/index.js';
import type { EvalCase } from '../../src/eval/cases.js';
import { scorePlan, summarise } from '../../src/eval/score.js';
import type { Plan } from '../../src/plan/schema.js';

const model = loadDomainModel();
const commands = { api: 'make api', test: 'make test' };
const theCase: EvalCase = {
  pr: 1,
  title: 't',
  mergedAt: '2024-01-01T00:00:00Z',
  commit: 'c',
  files: {
    source: [
      'hypershift-operator/controllers/nodepool/aws.go',
      'hypershift-operator/controllers/nodepool/capi.go',
      'api/hypershift/v1beta1/nodepool_types.go',
      'cmd/nodepool/aws/create.go',
    ],
    tests: ['hypershift-operator/controllers/nodepool/aws_test.go'],
    generated: ['api/hypershift/v1beta1/zz_generated.deepcopy.go'],
  },
};
const plan = (files: string[], validation: string[] = []): Plan => ({
  workItemKey: 'PR-1',
  intention: 't',
  summary: '',
  phases: [
    {
      id: 'one',
      title: 'one',
      activity: 'core_logic',
      files,
      constraints: [],
      validation: validation.map((command) => ({ command, why: 'w' })),
      dependsOn: [],
      mergeOrder: 1,
    },
  ],
});

describe('plan scores', () => {
  it('counts file recall over source files and precision over everything that changed', () => {
    const s = scorePlan(
      model,
      theCase,
      plan(
        [
          'hypershift-operator/controllers/nodepool/aws.go',
          'hypershift-operator/controllers/nodepool/aws_test.go',
          'hypershift-operator/controllers/nodepool/token.go',
          'api/hypershift/v1beta1/zz_generated.deepcopy.go',
        ],
        ['make test'],
      ),
      commands,
    );
    expect(s.fileRecall).toBe(1 / 4);
    expect(s.filePrecision).toBe(3 / 4);
    // folders: nodepool (hit), api/hypershift/v1beta1 (hit through the generated file), cmd/nodepool/aws (miss)
    expect(s.folderRecall).toBeCloseTo(2 / 3);
    expect(s.platformRecall).toBe(1);
    expect(s.missed).toEqual(['hypershift-operator/controllers/nodepool/capi.go', 'api/hypershift/v1beta1/nodepool_types.go', 'cmd/nodepool/aws/create.go']);
    // make api was needed (types and generated code changed) and not planned; tests were planned
    expect(s.validation).toMatchObject({ needed: { api: true, tests: true }, planned: { api: false, tests: true }, score: 0.5 });
  });

  it('scores a missing plan as zero and averages over every case', () => {
    const none = scorePlan(model, theCase, undefined, commands);
    const all = scorePlan(model, theCase, plan([...theCase.files.source], ['make api', 'make test']), commands);
    expect(all).toMatchObject({ fileRecall: 1, filePrecision: 1, folderRecall: 1, validation: { score: 1 } });
    expect(all.platformFalse).toEqual([]);
    const summary = summarise([none, all]);
    expect(summary).toMatchObject({ cases: 2, planned: 1, planRate: 0.5, fileRecall: 0.5, filePrecision: 0.5 });
  });

  it('names platforms the plan singled out that the change did not touch', () => {
    const s = scorePlan(model, theCase, plan(['hypershift-operator/controllers/nodepool/azure.go']), commands);
    expect(s.platformFalse).toEqual(['Azure']);
    expect(s.platformRecall).toBe(0);
  });
});
