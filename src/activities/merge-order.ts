// Merge order on a repository whose bot merges (Prow's tide merges any approved, green PR): a phase PR whose
// predecessors in the plan's merge order have not merged carries Prow's `/hold`, with a comment naming them,
// and the hold is lifted once they have. Only the hold Situation Room put is lifted; a person's stays.
import type { Database } from '../db/client.js';
import { enqueueNotification } from '../db/outbox.js';
import { getWorkItem, phasesOf } from '../db/work-items.js';
import type { CodeHost, PullRequestRef } from '../integrations/github.js';
import { explainApiRefusal } from '../integrations/github-errors.js';
import { Plan } from '../plan/schema.js';

export interface MergeOrder {
  /** After a phase's PR is opened: holds it when an earlier phase has not merged yet. */
  holdIfWaiting(args: { workItemKey: string; phaseId: string; pr: PullRequestRef }): Promise<string[]>;
  /** After `mergedPhaseId` merged (or before a phase's own merge): lifts the holds of PRs whose predecessors are all merged now. */
  releaseFreed(args: { workItemKey: string; mergedPhaseId?: string }): Promise<Array<{ phaseId: string; outcome: string }>>;
}

const holdMarker = (workItemKey: string, phaseId: string) => `hold:${workItemKey}:${phaseId}`;
const pullNumber = (prUrl: string | null) => Number(/\/pull\/(\d+)/.exec(prUrl ?? '')?.[1] ?? NaN);

export function createMergeOrder(deps: { db: Database; host: Pick<CodeHost, 'hold' | 'releaseHold'> }): MergeOrder {
  /** Every phase with its merge order, status and PR; phases of a plan the store cannot read are left alone. */
  async function phasesWithOrder(workItemKey: string) {
    const plan = Plan.safeParse((await getWorkItem(deps.db, workItemKey))?.plan);
    if (!plan.success) return [];
    const rows = new Map((await phasesOf(deps.db, workItemKey)).map((r) => [r.phaseId, r]));
    return plan.data.phases.map((p) => ({
      id: p.id,
      title: p.title,
      mergeOrder: p.mergeOrder,
      dependsOn: p.dependsOn,
      status: rows.get(p.id)?.status ?? 'blocked',
      prUrl: rows.get(p.id)?.prUrl ?? null,
    }));
  }
  const predecessorsOf = (phases: Awaited<ReturnType<typeof phasesWithOrder>>, phaseId: string, merged: Set<string>) => {
    const me = phases.find((p) => p.id === phaseId);
    if (!me) return [];
    return phases.filter(
      (p) =>
        p.id !== phaseId &&
        (p.mergeOrder < me.mergeOrder || me.dependsOn.includes(p.id)) &&
        p.status !== 'skipped' &&
        p.status !== 'merged' &&
        !merged.has(p.id),
    );
  };

  /** The PR stays held by a person's own /hold: the owner hears it once per PR (the outbox's unique dedupe key). */
  async function tellOwnerHeld(workItemKey: string, p: { id: string; prUrl: string | null }, number: number, by: string | undefined) {
    const ownerId = (await getWorkItem(deps.db, workItemKey))?.ownerId;
    if (!ownerId) return;
    const who = by ? `@${by}` : 'a person';
    await enqueueNotification(deps.db, {
      dedupeKey: `held-by-person:${workItemKey}:${p.id}:${number}`,
      developerId: ownerId,
      urgency: 'decision',
      payload: {
        kind: 'info',
        text: `${workItemKey} phase ${p.id}: the phases before it have merged, but PR #${number} stays held by ${who} (their own /hold, which Situation Room leaves alone): ${p.prUrl}`,
      },
    });
  }

  return {
    async holdIfWaiting({ workItemKey, phaseId, pr }) {
      if (!deps.host.hold) return [];
      const waiting = predecessorsOf(await phasesWithOrder(workItemKey), phaseId, new Set());
      if (waiting.length === 0) return [];
      const names = waiting.map((p) => `phase ${p.id} ("${p.title}")${p.prUrl ? ` ${p.prUrl}` : ', PR not opened yet'}`);
      const why = `Situation Room holds this PR so it merges after ${waiting.length === 1 ? 'the phase' : 'the phases'} of ${workItemKey} before it in the plan's merge order: ${names.join('; ')}. The hold is lifted when ${waiting.length === 1 ? 'it merges' : 'they merge'}.`;
      await deps.host.hold(pr.number, why, holdMarker(workItemKey, phaseId)).catch((err: unknown) => {
        throw explainApiRefusal(err, `the /hold comment on PR #${pr.number}`);
      });
      return waiting.map((p) => p.id);
    },
    async releaseFreed({ workItemKey, mergedPhaseId }) {
      if (!deps.host.releaseHold) return [];
      const phases = await phasesWithOrder(workItemKey);
      const merged = new Set(mergedPhaseId ? [mergedPhaseId] : []);
      const out: Array<{ phaseId: string; outcome: string }> = [];
      for (const p of phases) {
        const number = pullNumber(p.prUrl);
        if (p.id === mergedPhaseId || p.status === 'merged' || !Number.isInteger(number)) continue;
        if (predecessorsOf(phases, p.id, merged).length > 0) continue;
        const { outcome, by } = await deps.host.releaseHold(number, holdMarker(workItemKey, p.id)).catch((err: unknown) => {
          throw explainApiRefusal(err, `lifting the hold on PR #${number}`);
        });
        if (outcome === 'held-by-person') await tellOwnerHeld(workItemKey, p, number, by);
        out.push({ phaseId: p.id, outcome });
      }
      return out;
    },
  };
}
