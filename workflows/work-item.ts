// workItemWorkflow (id: "work-item:<KEY>"): design → plan → phases, for days. It is the single authority
// on gates: every human decision arrives as an update whose validator rejects unknown phases, out-of-order
// approvals and people who may not decide — a rejected update never enters history. Phases whose
// dependencies are merged run in parallel as child workflows; merges land in the declared order.
//
// The parts live in work-item/: run.ts (the state a run holds), decisions.ts (the decision protocol),
// updates.ts (updates, signal, query), plan-gate.ts (draft and plan approval), scheduler.ts (phases),
// gates.ts (gate reminders and escalations). The patches they branch on are listed in PATCHES.md.
import { allHandlersFinished, condition, continueAsNew, patched } from '@temporalio/workflow';
import type { WorkItemState } from '../src/contracts/work-item.js';
import { DecisionProtocol } from './work-item/decisions.js';
import { PATCH } from './patches.js';
import { commentOnTicket } from './tickets.js';
import { draftPlan, planGate } from './work-item/plan-gate.js';
import { abandonAttempt, startRun, store, type WorkItemInput, type WorkItemRun, type WorkItemStages } from './work-item/run.js';
import { runPhases } from './work-item/scheduler.js';
import { registerHandlers } from './work-item/updates.js';

export type { WorkItemInput } from './work-item/run.js';

export async function workItemWorkflow(input: WorkItemInput): Promise<WorkItemState> {
  const run = startRun(input);
  // Every decision is applied once per update id and stored before its update completes.
  const decisions = new DecisionProtocol(run);
  registerHandlers(run, decisions);

  // Each stage calls the next itself (see WorkItemStages for why they are not awaited one by one here).
  const stages: WorkItemStages = {
    draft: () => draftPlan(run, decisions, stages),
    planGate: () => planGate(run, decisions, stages),
    phases: () => runPhases(run, decisions, stages),
    close: () => closeWorkItem(run, decisions),
    continueAsNew: () => continueWith(run, decisions),
  };
  return input.continued ? stages.planGate() : stages.draft();
}

/** The last phase merged, or the work item was cancelled: the final status, then the last confirmations. */
async function closeWorkItem(run: WorkItemRun, decisions: DecisionProtocol): Promise<WorkItemState> {
  const { state } = run;
  if (state.status === 'cancelled') for (const id of [...run.children.keys()]) abandonAttempt(run, id);
  if (state.status !== 'cancelled') state.status = 'resolved';
  await store.setWorkItemStatus({ key: state.key, status: state.status });
  if (state.status === 'resolved') await store.proposeKnowledge({ workItemKey: state.key, ownerId: state.ownerId });
  if (state.status === 'resolved' && patched(PATCH.ticketCommentOnResolve)) {
    await commentOnTicket({
      kind: 'resolved',
      businessKey: `resolved:${run.self}`,
      workItemKey: state.key,
      title: state.title,
      phases: state.phases.map((p) => {
        const story = state.plan?.phases.find((planned) => planned.id === p.id)?.story;
        return { id: p.id, title: p.title, status: p.status, ...(p.prUrl ? { prUrl: p.prUrl } : {}), ...(story ? { story } : {}) };
      }),
    });
  }
  await condition(allHandlersFinished);
  await decisions.confirmAll();
  return state;
}

async function continueWith(run: WorkItemRun, decisions: DecisionProtocol): Promise<never> {
  const { input, state } = run;
  // A decision taken while the last batch is confirmed stays in state.unconfirmedDecisions: the next run confirms it.
  await decisions.confirmAll();
  await condition(allHandlersFinished);
  return continueAsNew<typeof workItemWorkflow>({
    key: state.key,
    ownerId: state.ownerId,
    title: state.title,
    intention: state.intention,
    continued: state,
    ...(input.historyEventBudget ? { historyEventBudget: input.historyEventBudget } : {}),
    ...(input.phaseHeartbeatTimeoutMs ? { phaseHeartbeatTimeoutMs: input.phaseHeartbeatTimeoutMs } : {}),
    ...(input.mergeRecheckMs ? { mergeRecheckMs: input.mergeRecheckMs } : {}),
    ...(input.decisionConfirmMs ? { decisionConfirmMs: input.decisionConfirmMs } : {}),
  });
}
