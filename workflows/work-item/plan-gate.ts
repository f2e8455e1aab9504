// The plan: RH-A drafts it (unless one came with the request), the owner and approvers are asked, and the
// work item waits at this gate until the plan is approved or the work item cancelled. A rejected plan is
// re-drafted with every rejection's reason as feedback.
import { condition, patched } from '@temporalio/workflow';
import { Plan } from '../../src/plan/schema.js';
import { initialPhases } from '../../src/plan/state.js';
import type { WorkItemState } from '../../src/contracts/work-item.js';
import { PATCH } from '../patches.js';
import type { DecisionProtocol } from './decisions.js';
import { agent, planVersionOf, shouldContinue, store, type WorkItemRun, type WorkItemStages } from './run.js';

/** First run only: records the work item, drafts the plan, loads who decides, and asks for approval. */
export async function draftPlan(run: WorkItemRun, stages: WorkItemStages): Promise<WorkItemState> {
  const { input, state } = run;
  await store.recordWorkItem({ key: state.key, ownerId: state.ownerId, title: state.title, intention: state.intention, workflowId: run.self, status: state.status });
  const plan = input.plan ?? (await agent.draftPlan({ workItemKey: state.key, ownerId: state.ownerId, intention: state.intention }));
  state.plan = Plan.parse(plan);
  state.planVersion = 1;
  state.settings = await store.loadWorkItemSettings({ workItemKey: state.key, ownerId: state.ownerId, phases: state.plan.phases.map((p) => ({ id: p.id, files: p.files })) });
  state.phases = initialPhases(state.plan, state.settings);
  state.status = 'awaiting-plan-approval';
  await store.recordPlan(planVersionOf(state, state.plan));
  await store.notify({
    dedupeKey: `gate:${state.key}:plan:v1`,
    developerId: state.ownerId,
    urgency: 'decision',
    payload: { kind: 'gate', workItemKey: state.key, title: `Plan for ${state.key}: ${state.title}`, summary: planSummary(state) },
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
  for (;;) {
    await condition(() => !awaitingPlanApproval() || run.redraftRequested || shouldContinue(run) || decisions.confirmDue);
    if (decisions.waiting) {
      await decisions.confirmWaiting();
      continue;
    }
    if (!run.redraftRequested) break;
    run.redraftRequested = false;
    const redrafted = Plan.parse(await agent.draftPlan({ workItemKey: state.key, ownerId: state.ownerId, intention: state.intention, feedback: run.planFeedback }));
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
      payload: { kind: 'gate', workItemKey: state.key, title: `Plan v${state.planVersion} for ${state.key}: ${state.title}`, summary: planSummary(state) },
    });
  }
  if (awaitingPlanApproval()) return stages.continueAsNew();
  if (state.status !== 'cancelled') await store.recordPlan(planVersionOf(state, state.plan!));
  return stages.phases();
}

function planSummary(state: WorkItemState): string {
  return state.phases
    .map((p, i) => `${i + 1}. ${p.title} — ${p.mode}${p.dependsOn.length ? ` (after ${p.dependsOn.join(', ')})` : ''}`)
    .join('\n');
}
