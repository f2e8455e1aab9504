// What a work item accepts from outside: twelve decisions as updates, the phases' progress as a signal, and
// its state as a query. Every validator rejects unknown phases, out-of-order decisions and people who may
// not decide, so a rejected update never enters history; what an accepted one changes goes through the
// decision protocol.
import { getExternalWorkflowHandle, setHandler } from '@temporalio/workflow';
import { parsePlan, planIssuesText, readPlan } from '../../src/plan/check.js';
import { initialPhases, mayDecide, phaseGateProblem, snapshotOf } from '../../src/plan/state.js';
import {
  approvePhaseUpdate,
  approvePlanUpdate,
  budgetDecisionSignal,
  budgetUpdate,
  cancelUpdate,
  ciDecisionSignal,
  ciOptionUpdate,
  editPlanUpdate,
  pauseUpdate,
  phaseModeSignal,
  phaseProgressSignal,
  rejectPhaseUpdate,
  rejectPlanUpdate,
  resumeUpdate,
  retryDraftUpdate,
  setModeUpdate,
  workItemStateQuery,
  type Actor,
} from '../definitions.js';
import type { PhaseProgress } from '../types.js';
import type { DecisionProtocol } from './decisions.js';
import { abandonAttempt, phaseOf, type WorkItemRun } from './run.js';

/** The newest plan edits kept in workflow state; the full trail is in the audit log. */
const maxPlanEdits = 50;

export function registerHandlers(run: WorkItemRun, decisions: DecisionProtocol): void {
  const { state } = run;
  const decide = decisions.decide.bind(decisions);
  const phase = (id: string) => phaseOf(run, id);
  const requireMayDecide = (args: Actor, phaseId?: string) => {
    if (!mayDecide(state, args.actor, phaseId)) {
      throw new Error(
        `${args.actor} may not decide for ${state.key}${phaseId ? ` phase ${phaseId}` : ''}: only the owner (${state.ownerId}), the team approvers or OWNERS approvers of the phase's files can`,
      );
    }
  };
  const requireOpen = () => {
    if (state.status === 'resolved' || state.status === 'cancelled') throw new Error(`${state.key} is ${state.status}`);
  };

  setHandler(workItemStateQuery, () => snapshotOf(state));

  // --- the plan gate -------------------------------------------------------------------------------
  setHandler(
    approvePlanUpdate,
    (args) =>
      decide(args, 'approve-plan', undefined, { planVersion: state.planVersion }, () => {
        state.status = 'executing';
        state.planApprovedBy = args.actor;
        return `approved plan v${state.planVersion}`;
      }),
    {
      validator: (args) => {
        requireOpen();
        requireMayDecide(args);
        if (state.status !== 'awaiting-plan-approval') throw new Error(`the plan of ${state.key} is not awaiting approval (status: ${state.status})`);
        if (args.planVersion !== undefined && args.planVersion !== state.planVersion) {
          throw new Error(`plan v${args.planVersion} is outdated; the current plan is v${state.planVersion}`);
        }
      },
    },
  );

  setHandler(
    rejectPlanUpdate,
    (args) =>
      decide(args, 'reject-plan', undefined, { reason: args.reason, planVersion: state.planVersion }, () => {
        run.planFeedback = [...run.planFeedback, `${args.actor}: ${args.reason}`];
        run.redraftRequested = true;
        return `rejected plan v${state.planVersion}: ${args.reason}`;
      }),
    {
      validator: (args) => {
        requireOpen();
        requireMayDecide(args);
        if (state.status !== 'awaiting-plan-approval') throw new Error('only a plan awaiting approval can be rejected');
        if (!args.reason || args.reason.trim().length < 3) throw new Error('a rejection needs a reason (what should change)');
      },
    },
  );

  setHandler(
    editPlanUpdate,
    (args) =>
      decide(
        args,
        'edit-plan',
        undefined,
        { note: args.note },
        () => {
          state.plan = parsePlan(args.plan);
          state.planVersion += 1;
          state.planEdits.push({ version: state.planVersion, by: args.actor, at: new Date().toISOString(), note: args.note });
          if (state.planEdits.length > maxPlanEdits) state.planEdits.splice(0, state.planEdits.length - maxPlanEdits);
          state.phases = initialPhases(state.plan, state.settings, run.sessionOverrides);
          return `edited the plan (v${state.planVersion}): ${args.note}`;
        },
        { savePlan: true },
      ),
    {
      validator: (args) => {
        requireOpen();
        requireMayDecide(args);
        if (state.status !== 'awaiting-plan-approval') throw new Error('a plan can be edited only before it is approved');
        const read = readPlan(args.plan);
        if (!read.ok) throw new Error(`invalid plan: ${planIssuesText(read.issues)}`);
        if (read.plan.workItemKey !== state.key) throw new Error(`the plan is for ${read.plan.workItemKey}, not ${state.key}`);
      },
    },
  );

  // --- phase gates and what a running phase waits for -----------------------------------------------
  setHandler(
    approvePhaseUpdate,
    (args) =>
      decide(args, 'approve-phase', args.phaseId, { mode: args.mode ?? null }, () => {
        const p = phase(args.phaseId);
        if (args.mode && args.mode !== p.mode) {
          p.mode = args.mode;
          p.modeSource = 'session';
          run.sessionOverrides = { ...run.sessionOverrides, [p.id]: args.mode };
        }
        p.approvedBy = args.actor;
        p.status = 'running';
        run.needsStart.add(p.id);
        return `approved phase ${p.id}${args.mode ? ` (${args.mode})` : ''}`;
      }),
    {
      validator: (args) => {
        requireOpen();
        requireMayDecide(args, args.phaseId);
        const problem = phaseGateProblem(state, args.phaseId, 'approve');
        if (problem) throw new Error(problem);
      },
    },
  );

  setHandler(
    rejectPhaseUpdate,
    (args) =>
      decide(args, 'reject-phase', args.phaseId, { reason: args.reason }, () => {
        const p = phase(args.phaseId);
        p.rejections.push({ by: args.actor, reason: args.reason, at: new Date().toISOString() });
        // A rejected result (PR already open) is abandoned; the next approval runs a new attempt with the reason as feedback.
        p.status = 'rejected';
        p.gateOpenedAt = new Date().toISOString();
        abandonAttempt(run, p.id);
        return `rejected phase ${p.id}: ${args.reason}`;
      }),
    {
      validator: (args) => {
        requireOpen();
        requireMayDecide(args, args.phaseId);
        if (!args.reason || args.reason.trim().length < 3) throw new Error('a rejection needs a reason (what should change)');
        const problem = phaseGateProblem(state, args.phaseId, 'reject');
        if (problem) throw new Error(problem);
      },
    },
  );

  setHandler(
    setModeUpdate,
    async (args) => {
      const p = phase(args.phaseId);
      const from = p.mode;
      const outcome = await decide(args, 'set-mode', args.phaseId, { from, to: args.mode, ...(args.notes ? { notes: args.notes } : {}) }, () => {
        p.mode = args.mode;
        p.modeSource = 'session';
        run.sessionOverrides = { ...run.sessionOverrides, [p.id]: args.mode };
        return `switched phase ${p.id} from ${from} to ${args.mode}`;
      });
      const child = run.children.get(p.id);
      if (outcome.outcome === 'applied' && child && (p.status === 'running' || p.status === 'pairing')) {
        await getExternalWorkflowHandle(child).signal(phaseModeSignal, {
          mode: args.mode,
          actor: args.actor,
          ...(args.notes ? { notes: args.notes.slice(0, 4_000) } : {}),
          ...(args.thread ? { thread: args.thread } : {}),
        });
      }
      return outcome;
    },
    {
      validator: (args) => {
        requireOpen();
        requireMayDecide(args, args.phaseId);
        const p = state.phases.find((x) => x.id === args.phaseId);
        if (!p) throw new Error(`unknown phase "${args.phaseId}"`);
        if (p.mode === args.mode) throw new Error(`phase ${p.id} already runs ${args.mode}`);
        if (p.status === 'merged' || p.status === 'skipped') throw new Error(`phase ${p.id} is ${p.status}`);
      },
    },
  );

  setHandler(
    ciOptionUpdate,
    async (args) => {
      const outcome = await decide(args, 'ci-option', args.phaseId, { option: args.option }, () => {
        phase(args.phaseId).awaitingCiDecision = false;
        return `chose "${args.option}" for the CI failure on phase ${args.phaseId}`;
      });
      const watchId = phase(args.phaseId).ciWatchId;
      if (outcome.outcome === 'applied' && watchId)
        await getExternalWorkflowHandle(watchId).signal(ciDecisionSignal, { option: args.option, actor: args.actor });
      return outcome;
    },
    {
      validator: (args) => {
        requireOpen();
        requireMayDecide(args, args.phaseId);
        if (!['fix-and-repush', 'wait-for-me', 'skip-test'].includes(args.option)) throw new Error(`unknown CI option "${args.option}"`);
        if (!state.phases.find((p) => p.id === args.phaseId)?.awaitingCiDecision)
          throw new Error(`phase ${args.phaseId} has no CI failure waiting for a decision`);
      },
    },
  );

  setHandler(
    budgetUpdate,
    async (args) => {
      const outcome = await decide(args, 'budget', args.phaseId, { approve: args.approve }, () => {
        phase(args.phaseId).awaitingBudget = false;
        return args.approve ? `allowed the agent to spend more on phase ${args.phaseId}` : `stopped the agent on phase ${args.phaseId} at its token budget`;
      });
      const child = run.children.get(args.phaseId);
      if (outcome.outcome === 'applied' && child)
        await getExternalWorkflowHandle(child).signal(budgetDecisionSignal, { approve: args.approve, actor: args.actor });
      return outcome;
    },
    {
      validator: (args) => {
        requireOpen();
        requireMayDecide(args, args.phaseId);
        if (!state.phases.find((p) => p.id === args.phaseId)?.awaitingBudget) throw new Error(`phase ${args.phaseId} is not waiting for a budget decision`);
      },
    },
  );

  // --- the work item as a whole --------------------------------------------------------------------
  setHandler(
    pauseUpdate,
    (args) =>
      decide(args, 'pause', undefined, {}, () => {
        state.statusBeforePause = state.status;
        state.status = 'paused';
        return 'paused the work item';
      }),
    {
      validator: (args) => {
        requireOpen();
        requireMayDecide(args);
        if (state.status === 'paused') throw new Error(`${state.key} is already paused`);
      },
    },
  );
  setHandler(
    resumeUpdate,
    (args) =>
      decide(args, 'resume', undefined, {}, () => {
        state.status = state.statusBeforePause ?? 'executing';
        delete state.statusBeforePause;
        return 'resumed the work item';
      }),
    {
      validator: (args) => {
        requireMayDecide(args);
        if (state.status !== 'paused') throw new Error(`${state.key} is not paused`);
      },
    },
  );
  setHandler(
    retryDraftUpdate,
    (args) =>
      decide(args, 'retry-draft', undefined, { attempts: state.draftFailure?.attempts ?? 0 }, () => {
        run.redraftRequested = true;
        return 'asked RH-A to draft the plan again';
      }),
    {
      validator: (args) => {
        requireOpen();
        requireMayDecide(args);
        // A failed first draft waits in draft-failed; a failed re-draft leaves the current plan waiting for approval.
        const failed = state.status === 'draft-failed' || (state.status === 'awaiting-plan-approval' && state.draftFailure !== undefined);
        if (!failed) throw new Error(`${state.key} has no failed plan draft to try again (status: ${state.status})`);
        if (run.redraftRequested) throw new Error(`RH-A is already drafting the plan of ${state.key} again`);
      },
    },
  );
  setHandler(
    cancelUpdate,
    (args) =>
      decide(args, 'cancel', undefined, { reason: args.reason ?? null }, () => {
        state.status = 'cancelled';
        return `cancelled the work item${args.reason ? `: ${args.reason}` : ''}`;
      }),
    {
      validator: (args) => {
        requireOpen();
        requireMayDecide(args);
      },
    },
  );

  // --- news from the phases ------------------------------------------------------------------------
  setHandler(phaseProgressSignal, (progress: PhaseProgress) => {
    const p = state.phases.find((x) => x.id === progress.phaseId);
    if (!p || progress.attempt !== p.attempts) return; // a stale attempt's news
    if (p.status === 'rejected' || p.status === 'merged') return;
    p.status = progress.status;
    if (progress.prUrl) p.prUrl = progress.prUrl;
    if (progress.branch) p.branch = progress.branch;
    if (progress.ciWatchId) p.ciWatchId = progress.ciWatchId;
    if (progress.awaitingCiDecision !== undefined) p.awaitingCiDecision = progress.awaitingCiDecision;
    if (progress.awaitingBudget !== undefined) p.awaitingBudget = progress.awaitingBudget;
    if (progress.handoff) p.handoffs.push(progress.handoff);
    if (progress.mode) p.mode = progress.mode;
  });
}
