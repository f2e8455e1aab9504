// The end of a new developer's orientation: recorded in their personal memory (so the walk leaves their
// briefing), then a starter task chosen by the stated criteria from the work items open in the store and the
// approved pattern library. Bound into the Orchestrator port by createOrchestrator.
import type { Database } from '../db/client.js';
import { workItemsInStatus } from '../db/work-items.js';
import { chooseStarterTask, criterionLabels, starterCandidatesFrom, starterCriteria, starterStatuses } from './onboarding.js';
import type { KnowledgeStore } from './store.js';
import type { StarterTaskOffer } from '../contracts/onboarding.js';

export interface OnboardingDeps {
  db: Database;
  knowledge: { memory: Pick<KnowledgeStore['memory'], 'completeOrientation'>; patterns: Pick<KnowledgeStore['patterns'], 'listPatterns'> };
}

export function createOnboarding(deps: OnboardingDeps) {
  return {
    async completeOrientation(developerId: string): Promise<StarterTaskOffer> {
      const { memory } = await deps.knowledge.memory.completeOrientation(developerId, developerId);
      const [items, patterns] = await Promise.all([workItemsInStatus(deps.db, [...starterStatuses]), deps.knowledge.patterns.listPatterns('approved')]);
      const owners = new Map(items.map((i) => [i.key, i.ownerId]));
      const choice = chooseStarterTask(starterCandidatesFrom(items), patterns);
      const missing = (e: (typeof choice.evaluated)[number]) =>
        starterCriteria.filter((c) => !e.results[c].ok).map((c) => ({ criterion: criterionLabels[c], why: e.results[c].why }));
      const chosen = choice.chosen;
      return {
        developerId,
        orientationCompletedAt: (memory.orientationCompletedAt ?? new Date()).toISOString(),
        ...(chosen
          ? {
              chosen: {
                workItemKey: chosen.candidate.key,
                title: chosen.candidate.title,
                ownerId: owners.get(chosen.candidate.key) ?? '',
                reasons: starterCriteria.map((c) => ({ criterion: criterionLabels[c], why: chosen.results[c].why })),
              },
            }
          : {}),
        considered: choice.evaluated.map((e) => ({ workItemKey: e.candidate.key, title: e.candidate.title, met: e.met, missing: missing(e) })),
      };
    },
  };
}
