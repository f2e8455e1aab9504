// The plan: RH-A drafts it (unless one came with the request), the owner and approvers are asked, and the
// work item waits at this gate until the plan is approved or the work item cancelled. A rejected plan is
// re-drafted with every rejection's reason as feedback. A draft that fails reaches the owner with its reason
// and a "Try again"; the work item waits in draft-failed (not planning) until they try again or cancel.
import { condition, patched } from '@temporalio/workflow';
import { parsePlan } from '../../src/plan/check.js';
import { initialPhases } from '../../src/plan/state.js';
import type { Plan } from '../../src/contracts/plan.js';
import type { WorkItemState, WorkItemStatus } from '../../src/contracts/work-item.js';
import { PATCH } from '../patches.js';
import type { DecisionProtocol } from './decisions.js';
import { agent, planVersionOf, shouldContinue, store, type WorkItemRun, type WorkItemStages } from './run.js';

/** First run only: records the work item, drafts the plan, loads who decides, and asks for approval. */
export async function draftPlan(run: WorkItemRun, decisions: DecisionProtocol, stages: WorkItemStages): Promise<WorkItemState> {
  const { input, state } = run;
  await store.recordWorkItem({
    key: state.key,
    ownerId: state.ownerId,
    title: state.title,
    intention: state.intention,
    workflowId: run.self,
    status: state.status,
  });
  let plan = input.plan;
  while (!plan) {
    try {
      plan = await agent.draftPlan({
        workItemKey: state.key,
        ownerId: state.ownerId,
        intention: state.intention,
        ...(run.planFeedback.length ? { feedback: run.planFeedback } : {}),
      });
    } catch (err) {
      // Runs from before this patch failed here, after Slack had already promised a plan gate.
      if (!patched(PATCH.draftFailureReachesOwner)) throw err;
      await tellDraftFailed(run, err);
      state.status = 'draft-failed';
      await store.setWorkItemStatus({ key: state.key, status: state.status });
      // Changed by the retryDraft and cancel updates while this waits.
      const cancelled = () => (state.status as WorkItemStatus) === 'cancelled';
      for (;;) {
        await condition(() => run.redraftRequested || cancelled() || decisions.confirmDue);
        if (!decisions.waiting) break;
        await decisions.confirmWaiting();
      }
      if (cancelled()) return stages.close();
      run.redraftRequested = false;
      state.status = 'planning';
      await store.setWorkItemStatus({ key: state.key, status: state.status });
    }
  }
  delete state.draftFailure;
  state.plan = parsePlan(plan);
  state.planVersion = 1;
  state.settings = await store.loadWorkItemSettings({
    workItemKey: state.key,
    ownerId: state.ownerId,
    phases: state.plan.phases.map((p) => ({ id: p.id, files: p.files })),
  });
  state.phases = initialPhases(state.plan, state.settings);
  state.status = 'awaiting-plan-approval';
  await store.recordPlan(planVersionOf(state, state.plan));
  await store.notify({
    dedupeKey: `gate:${state.key}:plan:v1`,
    developerId: state.ownerId,
    urgency: 'decision',
    payload: { kind: 'gate', workItemKey: state.key, title: `Plan for ${state.key}: ${state.title}`, summary: planSummary(state), ...gatePhases(state) },
  });
  await store.detectOverlaps({ workItemKey: state.key, ownerId: state.ownerId, files: state.plan.phases.flatMap((p) => p.files) });
  return stages.planGate();
}

/**
 * Waits for the plan decision, re-drafting on each rejection, and goes on to the phases once the plan is
 * decided (approved, or the work item cancelled). While the plan still waits and the history grew too long,
 * the work item continues as new.
 */
export async function planGate(run: WorkItemRun, decisions: DecisionProtocol, stages: WorkItemStages): Promise<WorkItemState> {
  const { state } = run;
  // A plan paused before approval still waits for its approval (histories from before this patch left the
  // wait on pause, so a resume went on to open the phases of a plan nobody had approved).
  const pauseKeepsPlanGate = patched(PATCH.pauseKeepsPlanGate);
  const awaitingPlanApproval = () =>
    state.status === 'awaiting-plan-approval' || (pauseKeepsPlanGate && state.status === 'paused' && state.statusBeforePause === 'awaiting-plan-approval');
  // Each new plan version (an edit, a re-draft) is checked again for overlap with other work items (histories
  // from before this patch checked only the first draft).
  const overlapOnPlanChange = patched(PATCH.overlapOnPlanChange);
  let overlapCheckedVersion = state.planVersion;
  const planChanged = () => overlapOnPlanChange && state.planVersion !== overlapCheckedVersion;
  // An edited plan is checked once its decision is confirmed (the confirmation timer, the gate's decision or a
  // full batch wakes the main line), so a run of edits costs one confirmation and one check. Histories from
  // before this patch woke at each edit and ran both activities at once, beside the person's next tap.
  const overlapAfterConfirmation = patched(PATCH.overlapAfterConfirmation);
  const overlapDue = () => planChanged() && !(overlapAfterConfirmation && decisions.waiting);
  for (;;) {
    await condition(() => !awaitingPlanApproval() || run.redraftRequested || shouldContinue(run) || decisions.confirmDue || overlapDue());
    if (decisions.waiting) {
      await decisions.confirmWaiting();
      continue;
    }
    if (planChanged() && state.plan) {
      // After the decisions are confirmed, so the store holds the plan version being checked.
      overlapCheckedVersion = state.planVersion;
      await store.detectOverlaps({ workItemKey: state.key, ownerId: state.ownerId, files: state.plan.phases.flatMap((p) => p.files) });
      continue;
    }
    if (!run.redraftRequested) break;
    run.redraftRequested = false;
    let drafted: Plan;
    try {
      drafted = await agent.draftPlan({ workItemKey: state.key, ownerId: state.ownerId, intention: state.intention, feedback: run.planFeedback });
    } catch (err) {
      // The current plan keeps waiting; the owner hears why the re-draft failed and may try again.
      if (!patched(PATCH.draftFailureReachesOwner)) throw err;
      await tellDraftFailed(run, err);
      continue;
    }
    delete state.draftFailure;
    const redrafted = parsePlan(drafted);
    if (!awaitingPlanApproval()) break;
    state.plan = redrafted;
    state.planVersion += 1;
    state.planEdits.push({ version: state.planVersion, by: 'rh-a', at: new Date().toISOString(), note: `re-drafted after: ${run.planFeedback.at(-1) ?? ''}` });
    state.phases = initialPhases(state.plan, state.settings, run.sessionOverrides);
    await store.recordPlan(planVersionOf(state, state.plan));
    await store.notify({
      dedupeKey: `gate:${state.key}:plan:v${state.planVersion}`,
      developerId: state.ownerId,
      urgency: 'decision',
      payload: {
        kind: 'gate',
        workItemKey: state.key,
        title: `Plan v${state.planVersion} for ${state.key}: ${state.title}`,
        summary: planSummary(state),
        ...gatePhases(state),
      },
    });
  }
  if (awaitingPlanApproval()) return stages.continueAsNew();
  if (state.status !== 'cancelled') await store.recordPlan(planVersionOf(state, state.plan!));
  return stages.phases();
}

/** The phases on the plan gate, so each one's mode can be switched there (gates sent before this patch carry none). */
function gatePhases(state: WorkItemState): { phases?: Array<{ id: string; title: string; mode: string }> } {
  if (!patched(PATCH.planGatePhases)) return {};
  return { phases: state.phases.map((p) => ({ id: p.id, title: p.title, mode: p.mode })) };
}

/** Records why the draft failed and tells the owner, with a "Try again" (the decision retryDraft). */
async function tellDraftFailed(run: WorkItemRun, err: unknown): Promise<void> {
  const { state } = run;
  const attempts = (state.draftFailure?.attempts ?? 0) + 1;
  const reason = failureReason(err).slice(0, 1_000);
  state.draftFailure = { reason, attempts, at: new Date().toISOString() };
  await store.notify({
    dedupeKey: `draft-failed:${state.key}:${attempts}`,
    developerId: state.ownerId,
    urgency: 'decision',
    payload: { kind: 'draft-failed', workItemKey: state.key, title: state.title, reason, attempts },
  });
}

/** What a person can act on: an ActivityFailure says only "Activity task failed"; its innermost cause says why. */
function failureReason(failure: unknown): string {
  let err = failure as { message?: string; cause?: unknown } | undefined;
  while (err && typeof err.cause === 'object' && err.cause !== null && typeof (err.cause as { message?: unknown }).message === 'string')
    err = err.cause as typeof err;
  return err?.message ?? String(failure);
}

/**
 * "1. title — mode (after a) · delivers STORY-1". A phase names its Jira story only in plans drawn from an epic
 * (src/plan/stories.ts); plans from before that carry none, so their summaries (and histories) are unchanged.
 */
function planSummary(state: WorkItemState): string {
  const storyOf = new Map((state.plan?.phases ?? []).flatMap((p) => (p.story ? [[p.id, p.story] as const] : [])));
  return state.phases
    .map((p, i) => {
      const story = storyOf.get(p.id);
      return `${i + 1}. ${p.title} — ${p.mode}${p.dependsOn.length ? ` (after ${p.dependsOn.join(', ')})` : ''}${story ? ` · delivers ${story}` : ''}`;
    })
    .join('\n');
}
