// The phase scheduler: the main line once the plan is decided. Each pass opens the gates of phases whose
// dependencies are merged (autonomous ones start at once), starts approved phases as child workflows, and
// merges the next ready phase in the declared order; then it writes what the phases reported to the store
// and waits for the next change. Phases run in parallel; merges land one at a time.
import { allHandlersFinished, condition, ParentClosePolicy, patched, startChild } from '@temporalio/workflow';
import { allPhasesFinished, nextMergeable, phasesReadyToOpen } from '../../src/plan/state.js';
import type { PhaseState } from '../../src/contracts/plan.js';
import type { WorkItemState } from '../../src/contracts/work-item.js';
import { phaseWorkflowId } from '../ids.js';
import { PATCH } from '../patches.js';
import { phaseWorkflow } from '../phase.js';
import type { PhaseInput } from '../types.js';
import type { DecisionProtocol } from './decisions.js';
import { GateClock } from './gates.js';
import { shouldContinue, store, type WorkItemRun, type WorkItemStages } from './run.js';

const defaultMergeRecheckMs = 5 * 60_000;

export async function runPhases(run: WorkItemRun, decisions: DecisionProtocol, stages: WorkItemStages): Promise<WorkItemState> {
  const { input, state, needsStart } = run;
  // What the phase and CI-watch workflows report by signal (PR opened, CI watched, a CI failure or the token
  // budget waiting for the owner) is written to the phases table, so the dashboard and briefing read it from the
  // store. Histories from before this change wrote nothing here: the patch keeps them replayable.
  const progressInStore = patched(PATCH.phaseProgressInStore);
  const recordedPhases = new Map(input.continued ? [] : state.phases.map((p) => [p.id, storedView(p)]));
  const progressPrint = () => fingerprint(state) + (progressInStore ? `|${state.phases.map(storedView).join(',')}` : '');

  const gates = new GateClock(run);
  /** A ready PR that the repository has not merged yet: checked again after mergeRecheckMs. */
  let mergeWaiting = false;
  while (state.status !== 'cancelled' && !allPhasesFinished(state.phases)) {
    // Taken before this pass awaits anything: progress signalled while a merge or a store write is in flight
    // (a phase turning ready-to-merge) must wake the wait below, not become part of what it waits to change.
    const snapshot = progressPrint();
    if (state.status !== 'paused') {
      for (const p of phasesReadyToOpen(state.phases)) openPhase(run, p);
      gates.watchOpenGates();
      for (const p of state.phases) {
        if (needsStart.delete(p.id) && p.status === 'running') await startPhase(run, p);
      }
      const mergeable = nextMergeable(state.phases);
      if (mergeable && !mergeWaiting) {
        const merged = await store.mergePhase({
          workItemKey: state.key,
          phaseId: mergeable.id,
          prUrl: mergeable.prUrl ?? null,
          branch: mergeable.branch ?? null,
        });
        if (merged.conflict) {
          // Another phase landed first and touched the same lines: RH-A re-applies this phase on the new main.
          mergeable.notes = [
            ...(mergeable.notes ?? []),
            `Re-apply the change on top of ${merged.base}: merging ${mergeable.branch} conflicted in ${merged.conflict.join(', ')}.`,
          ];
          mergeable.status = 'running';
          needsStart.add(mergeable.id);
          await store.recordDecision({
            idempotencyKey: `merge-conflict:${state.key}:${mergeable.id}:${mergeable.attempts}`,
            workItemKey: state.key,
            phaseId: mergeable.id,
            kind: 'merge-conflict',
            actor: 'rh-o',
            surface: 'automatic',
            detail: { branch: mergeable.branch ?? null, files: merged.conflict },
          });
          continue;
        }
        if (!merged.merged) {
          // The repository merges on its own terms (e.g. Prow tide after lgtm/approve): look again later.
          mergeWaiting = true;
        } else {
          mergeable.status = 'merged';
          await store.recordPhase({ key: state.key, phase: mergeable });
          // Merges are part of the audit trail too (histories recorded before this was added replay without it).
          if (patched(PATCH.mergeAudit)) {
            await store.recordDecision({
              idempotencyKey: `merge:${state.key}:${mergeable.id}:${mergeable.attempts}`,
              workItemKey: state.key,
              phaseId: mergeable.id,
              kind: 'merge',
              actor: 'rh-o',
              surface: 'automatic',
              detail: { prUrl: mergeable.prUrl ?? null, branch: mergeable.branch ?? null, base: merged.base },
            });
          }
          continue;
        }
      }
    }
    if (progressInStore) {
      for (const p of state.phases) {
        if (recordedPhases.get(p.id) === storedView(p)) continue;
        await store.recordPhase({ key: state.key, phase: p });
        recordedPhases.set(p.id, storedView(p));
      }
    }
    const changed = () => progressPrint() !== snapshot || needsStart.size > 0 || shouldContinue(run) || decisions.confirmDue || gates.deadlinePassed;
    if (mergeWaiting) {
      await condition(changed, input.mergeRecheckMs ?? defaultMergeRecheckMs);
      mergeWaiting = false;
    } else {
      await condition(changed);
    }
    if (decisions.waiting) await decisions.confirmWaiting();
    if (gates.onMainLine) await gates.remindAndEscalate();
    if (shouldContinue(run) && allHandlersFinished()) return stages.continueAsNew();
  }
  return stages.close();
}

/** A phase whose dependencies are merged: autonomous ones start at once, the others wait at their gate. */
function openPhase(run: WorkItemRun, p: PhaseState): void {
  if (p.mode === 'autonomous' && p.approvedBy === undefined && p.rejections.length === 0) {
    p.status = 'running';
    run.needsStart.add(p.id);
    return;
  }
  p.status = 'awaiting-approval';
  p.gateOpenedAt = new Date().toISOString();
}

/** Starts the phase's next attempt as a child workflow, with every rejection and merge conflict as feedback. */
async function startPhase(run: WorkItemRun, p: PhaseState): Promise<void> {
  const { input, state } = run;
  p.attempts += 1;
  const planned = state.plan!.phases.find((x) => x.id === p.id)!;
  const childInput: PhaseInput = {
    workItemKey: state.key,
    ownerId: state.ownerId,
    parentWorkflowId: run.self,
    phase: planned,
    mode: p.mode,
    attempt: p.attempts,
    feedback: [...p.rejections.map((r) => `${r.by}: ${r.reason}`), ...(p.notes ?? [])],
    ciMaxRetries: 2,
    ...(input.phaseHeartbeatTimeoutMs ? { heartbeatTimeoutMs: input.phaseHeartbeatTimeoutMs } : {}),
  };
  await store.recordPhase({ key: state.key, phase: p });
  const childId = phaseWorkflowId(state.key, p.id, p.attempts);
  // ABANDON: a phase keeps running while this workflow continues-as-new; it reports back by signal.
  await startChild(phaseWorkflow, { workflowId: childId, args: [childInput], parentClosePolicy: ParentClosePolicy.ABANDON });
  run.children.set(p.id, childId);
}

/** What a phase row in the store shows; a change means the row must be written again. */
function storedView(p: PhaseState): string {
  return `${p.id}:${p.status}:${p.mode}:${p.awaitingCiDecision ? 'ci-decision' : ''}:${p.awaitingBudget ? 'budget' : ''}:${p.prUrl ?? ''}:${p.branch ?? ''}`;
}

function fingerprint(state: WorkItemState): string {
  return `${state.status}|${state.planVersion}|${state.phases.map((p) => `${p.id}:${p.status}:${p.mode}:${p.attempts}`).join(',')}`;
}
