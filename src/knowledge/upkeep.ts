// Knowledge that compounds without anyone running a command: steps forgotten in real runs are counted in
// tier 2 and proposed for the pattern library once they repeat (team.yaml knowledge.promotion_threshold);
// the scheduled staleness scan proposes retiring an approved entry once something it references stops
// resolving in the target repository, and proposes back to the repository any approved entry whose pull
// request could not be opened when it was approved. Curators still decide every proposal.
import type { Database } from '../db/client.js';
import { appendDecision } from '../db/work-items.js';
import { git } from '../integrations/git.js';
import type { ConfigSource } from '../config/source.js';
import type { ExperiencePort, ForgottenStep } from '../contracts/ports.js';
import { modelVerifyResolver } from './staleness.js';
import type { KnowledgeStore } from './store.js';

/** Who proposes what the product noticed by itself (never a person, so any curator may review it). */
export const automaticProposer = 'rh-o';

export interface UpkeepDeps {
  db: Database;
  knowledge: KnowledgeStore;
  config: Pick<ConfigSource, 'current'>;
  targetRepo: string;
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

export function createKnowledgeUpkeep(deps: UpkeepDeps): ExperiencePort {
  async function recordForgottenStep(step: ForgottenStep) {
    // One count per run that showed it: a retried activity finds its audit row and counts nothing.
    const audit = await appendDecision(deps.db, {
      idempotencyKey: `forgotten-step:${step.workItemKey}:${step.phaseId}:${step.runId}:${slug(step.step)}`,
      workItemKey: step.workItemKey,
      phaseId: step.phaseId,
      kind: 'forgotten-step',
      actor: automaticProposer,
      surface: 'automatic',
      detail: { step: step.step, detail: step.detail },
    });
    const entries = await deps.knowledge.experience.listExperience('plan-slip');
    const key = `plan-slip:${slug(`${step.step} forgotten`)}`;
    if (!audit.inserted) {
      const seen = entries.find((e) => e.key === key);
      return { key, occurrences: seen?.occurrences ?? 1, promotionProposed: false };
    }
    const entry = await deps.knowledge.experience.recordPlanSlip({
      step: `${step.step} forgotten`,
      workItemKey: step.workItemKey,
      detail: step.detail,
      applicability: { files: step.files },
    });
    const threshold = deps.config.current().team.knowledge.promotion_threshold;
    if (entry.occurrences < threshold || entry.promotedTo) return { key: entry.key, occurrences: entry.occurrences, promotionProposed: false };
    await deps.knowledge.proposals.proposePromotion({
      experienceKey: entry.key,
      proposerId: automaticProposer,
      draft: {
        id: `forgotten-${slug(step.step)}`.slice(0, 80).replace(/-+$/, ''),
        title: `Run ${step.step} before pushing`.slice(0, 160),
        body: `${step.step} was forgotten in ${entry.occurrences} runs (threshold ${threshold}); each time CI failed and the branch had to be fixed and pushed again. Latest: ${step.detail}`,
        applicability: { components: [], files: step.files, platforms: [] },
        references: [],
        topics: [`slip:${slug(step.step)}`],
      },
    });
    return { key: entry.key, occurrences: entry.occurrences, promotionProposed: true };
  }

  async function scanStaleness() {
    const { team } = deps.config.current();
    const before = new Map((await deps.knowledge.patterns.listPatterns('approved')).map((p) => [p.id, p]));
    const tree = (await git(deps.targetRepo, ['ls-tree', '-r', '--name-only', team.target.default_branch])).split('\n').filter(Boolean);
    const stale = await deps.knowledge.patterns.checkStaleness(modelVerifyResolver(tree, null));
    const proposed: Array<{ patternId: string; proposalId: number; missing: string[] }> = [];
    for (const s of stale) {
      const previous = before.get(s.id);
      // The first scan of an entry sets its baseline: only references that resolved before and no longer do
      // are news (an entry about code this repository never had is not for this scan to retire).
      if (!previous?.checkedAt) continue;
      const lost = s.missing.filter((m) => !previous.staleRefs.includes(m));
      if (lost.length === 0) continue;
      const proposal = await deps.knowledge.proposals.proposeRetirement({
        patternId: s.id,
        proposerId: automaticProposer,
        reason: `The staleness scan of ${team.target.default_branch} found references that no longer resolve: ${lost.join(', ')}. Retire "${previous.title}", or approve an updated version instead.`,
      });
      proposed.push({ patternId: s.id, proposalId: proposal.id, missing: lost });
    }
    // Approved entries whose pull request back to the repository could not be opened at approval get it now
    // (one PR per entry version: one already open is found, not duplicated); a failure waits for the next scan.
    const writtenBack = await deps.knowledge.proposals.proposeApprovedEntries();
    return {
      checked: before.size,
      stale: stale.map((s) => s.id),
      proposed,
      writtenBack: writtenBack.map((w) => `${w.patternId} v${w.version}: ${w.outcome === 'failed' ? `failed (${w.error})` : w.outcome}`),
    };
  }

  return { recordForgottenStep, scanStaleness };
}
