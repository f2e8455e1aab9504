// RH-A's offline planner scored on the committed development set (HyperShift merges before 2025-06-01):
// plan rate, file recall and precision, folder recall, against the targets of issue 19. Latency is
// reported against loading the domain model, as the other suites do.
// Growth: n/a. The set is the committed 176 merges (scoring more of them measures the planner's quality on
// other changes, not a cost that grows), and one plan reads the domain model and the pattern library, whose
// size the repository fixes; `--sizes` is ignored here.
import { join } from 'node:path';
import { figure, measure, type BenchFigure, type BenchSuite } from '../lib.js';
import { loadConfig } from '../../src/config/load.js';
import { repoRoot } from '../../src/paths.js';
import { loadDomainModel } from '../../src/domain/index.js';
import { createAgent } from '../../src/agent/steps.js';
import { readCaseSet } from '../../src/cli/eval.js';
import { evaluatePlans, targets, targetsMet } from '../../src/eval/run.js';

const suite: BenchSuite = async () => {
  const modelsDir = join(repoRoot, 'domain-models');
  const teamRepo = join(repoRoot, 'examples', 'target-repo');
  const { team } = loadConfig(teamRepo);
  const set = readCaseSet(join(repoRoot, 'src', 'eval', 'data', 'plan-eval-dev.json'));
  const model = loadDomainModel(modelsDir);
  const agent = createAgent({ targetRepo: teamRepo, team, anthropic: {} });
  const report = await evaluatePlans(agent, model, set.cases, { commands: team.codegen, since: set.since, until: set.until });
  const s = report.summary;
  const met = targetsMet(s);
  const baseline = await measure(() => loadDomainModel(modelsDir, { fresh: true }), 10);
  const perCase = await measure(() => agent.plan({ workItemKey: 'HOSTEDCP-2101', intention: set.cases[0]!.title }), 50);
  const extra = {
    cases: s.cases,
    planRate: Number(s.planRate.toFixed(3)),
    fileRecall: Number(s.fileRecall.toFixed(3)),
    filePrecision: Number(s.filePrecision.toFixed(3)),
    folderRecall: Number(s.folderRecall.toFixed(3)),
    componentRecall: Number(s.componentRecall.toFixed(3)),
    platformRecall: Number(s.platformRecall.toFixed(3)),
    validation: Number(s.validation.toFixed(3)),
  };
  console.log(
    `plans: ${s.planned}/${s.cases} planned; file recall ${extra.fileRecall} (precision ${extra.filePrecision}); folder recall ${extra.folderRecall}; components ${extra.componentRecall}; platforms ${extra.platformRecall}; validation ${extra.validation}`,
  );
  const figures: BenchFigure[] = [
    figure({
      suite: 'plans',
      name: 'offline plan per dev-set intention',
      baseline: 'loadDomainModel',
      subject: perCase,
      base: baseline,
      target: `plans ≥ ${targets.planRate}, file recall ≥ ${targets.fileRecall}, folder recall ≥ ${targets.folderRecall}`,
      met: met.planRate && met.fileRecall && met.folderRecall,
      extra,
      growthNotApplicable: 'a plan reads the domain model and pattern library, fixed by the repository; the dev set is a fixed 176 merges',
    }),
  ];
  return figures;
};

export default suite;
