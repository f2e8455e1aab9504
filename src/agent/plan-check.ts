// Checks a drafted plan against the target's tree, the agent's allow-list and the domain model before a person
// sees it: the warnings go out with the plan, so a file that cannot exist or a command RH-A may not run is
// caught at the plan gate rather than in the middle of a phase.
import type { TeamConfig } from '../config/schema.js';
import type { Plan } from '../plan/schema.js';
import { matchAllowList } from './command-allowlist.js';
import type { DomainModelPort } from './model-port.js';
import { fileProblems } from './recipes/plans.js';

/** Plan checks against the tree and the model: files exist or are new in an existing directory, commands are allowed. */
export function checkPlan(plan: Plan, deps: { model: Pick<DomainModelPort, 'componentFor'>; team: TeamConfig; targetRepo: string }): string[] {
  const warnings: string[] = [];
  for (const phase of plan.phases) {
    for (const p of fileProblems(deps.targetRepo, phase.files)) warnings.push(`phase ${phase.id}: ${p}`);
    for (const v of phase.validation) {
      if (!matchAllowList(v.command, deps.team.agent.allowed_commands))
        warnings.push(`phase ${phase.id}: validation command "${v.command}" is not on the agent allow-list`);
    }
    const components = new Set(phase.files.map((f) => deps.model.componentFor(f)).filter(Boolean));
    if (components.size > 2) warnings.push(`phase ${phase.id}: touches ${components.size} components (${[...components].join(', ')}); consider splitting`);
  }
  return warnings;
}
