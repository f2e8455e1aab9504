// phaseWorkflow (id: "work-item:<KEY>:phase:<id>:<attempt>"): executes one approved phase. Autonomous →
// RH-A runs it in its worktree, opens the PR and CI is watched; collaborative → waits for the pair
// session to finish. A mode switch mid-phase cancels or pauses the current side and hands over a
// summary of what was done, why, the evidence and what is next.
import {
  ActivityCancellationType,
  CancellationScope,
  condition,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, ExecutePhaseResult } from '../src/activities/index.js';
import type { ExecutionMode } from '../src/contracts/vocabulary.js';
import type { Handoff } from '../src/contracts/plan.js';
import { budgetDecisionSignal, pairDoneSignal, phaseHandoffsQuery, phaseModeSignal, phaseProgressSignal, type PairThread } from './definitions.js';
import { pairSessionWorkflowId } from './ids.js';
import { ciWatchWorkflow } from './ci-watch.js';
import type { PhaseInput, PhaseProgress, PhaseResult } from './types.js';
import { PATCH } from './patches.js';
import { commentOnTicket } from './tickets.js';
import { phaseNonRetryable } from '../src/contracts/failures.js';

const quick = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { maximumInterval: '30 seconds' } });
/** A worker that dies mid-step is noticed after this long without a heartbeat; the step then runs again. */
const defaultHeartbeatTimeoutMs = 60_000;
const agentActivities = (heartbeatTimeoutMs: number) =>
  proxyActivities<Activities>({
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: heartbeatTimeoutMs,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 4, nonRetryableErrorTypes: phaseNonRetryable },
  });

export async function phaseWorkflow(input: PhaseInput): Promise<PhaseResult> {
  const self = workflowInfo().workflowId;
  const agent = agentActivities(input.heartbeatTimeoutMs ?? defaultHeartbeatTimeoutMs);
  const parent = getExternalWorkflowHandle(input.parentWorkflowId);
  let mode: ExecutionMode = input.mode;
  let requestedMode: ExecutionMode | undefined;
  /** What the developer said when handing a paired phase back, and who. */
  let handback: { actor: string; notes?: string } | undefined;
  let pairDone: { summary: string; actor: string } | undefined;
  const handoffs: Handoff[] = [];
  const evidence: string[] = [];
  const done: string[] = [];
  const feedback = [...input.feedback];
  let pr: { prUrl: string; branch: string } | undefined;
  let ciRound = 0;

  /** The pair thread the developer last handed the phase back in: the phase answers there what came of it. */
  let pairThread: PairThread | undefined;
  setHandler(phaseModeSignal, ({ mode: next, actor, notes, thread }) => {
    if (next === mode) return;
    if (thread) pairThread = thread;
    requestedMode = next;
    handback = { actor, ...(notes ? { notes } : {}) };
  });
  /** Set when the developer handed back a paired phase with commits on its branch: RH-A builds on them. */
  let continueFromCommits = false;
  setHandler(pairDoneSignal, (d) => {
    pairDone = d;
  });
  setHandler(phaseHandoffsQuery, () => handoffs);
  let budgetDecision: { approve: boolean; actor: string } | undefined;
  let budgetApproved = false;
  setHandler(budgetDecisionSignal, (d) => {
    budgetDecision = d;
  });

  const report = (progress: Omit<PhaseProgress, 'phaseId' | 'attempt'>) =>
    parent.signal(phaseProgressSignal, { phaseId: input.phase.id, attempt: input.attempt, ...progress });

  const switchMode = async (why: string, next: string[], tellWorkItemMode = false) => {
    const to = requestedMode!;
    const handoff: Handoff = { from: mode, to, at: new Date().toISOString(), done: [...done], why, evidence: [...evidence], next };
    handoffs.push(handoff);
    mode = to;
    requestedMode = undefined;
    await quick.notify({
      dedupeKey: `handoff:${self}:${handoffs.length}`,
      developerId: input.ownerId,
      urgency: 'decision',
      payload: {
        kind: 'handoff',
        workItemKey: input.workItemKey,
        phaseId: input.phase.id,
        from: handoff.from,
        to: handoff.to,
        done: handoff.done,
        why,
        evidence: handoff.evidence,
        next,
      },
    });
    await quick.recordDecision({
      idempotencyKey: `handoff:${self}:${handoffs.length}`,
      workItemKey: input.workItemKey,
      phaseId: input.phase.id,
      kind: 'mode-handoff',
      actor: 'rh-o',
      surface: 'automatic',
      detail: { from: handoff.from, to, done: handoff.done.length, evidence: handoff.evidence.length },
    });
    await report({ status: to === 'collaborative' ? 'pairing' : 'running', handoff, ...(tellWorkItemMode ? { mode: to } : {}) });
  };

  /** A paired phase handed back: what the developer committed and said becomes the agent's starting point. */
  const handBack = async (branch: string) => {
    const who = handback?.actor ?? input.ownerId;
    const notes = handback?.notes;
    handback = undefined;
    const work = await quick.phaseBranchWork({ workItemKey: input.workItemKey, phase: input.phase, attempt: input.attempt });
    const commits = work.commits.map((c) => `${c.subject} (${c.sha.slice(0, 10)}: ${c.files.join(', ') || 'no files'})`);
    done.push(...commits.map((c) => `${who} committed ${c}`));
    if (notes) done.push(`${who}'s notes: ${notes}`);
    evidence.push(...(work.commits.length ? [`${work.commits.length} commit(s) by ${who} on ${branch}`] : []));
    const instruction = [
      work.commits.length
        ? `Continue from the developer's commits on ${branch}: ${commits.join('; ')}.`
        : `The developer made no commits on ${branch}; do the phase from its plan.`,
      ...(notes ? [`Their notes: ${notes}`] : []),
    ].join(' ');
    feedback.push(instruction);
    continueFromCommits = work.commits.length > 0;
    const next = [
      work.commits.length
        ? `the agent continues from your ${work.commits.length} commit(s) on ${branch}${notes ? ' with your notes' : ''}, then verifies and opens the PR`
        : `the agent does the phase from its plan${notes ? ' with your notes' : ''} and opens the PR`,
    ];
    await switchMode('the developer handed the phase back to the agent', next);
  };

  /** She chose "fix and re-push" on a real CI failure: the agent's fix round runs even on a paired phase. */
  let agentFixRequested = false;
  /** The phase branch on the fork and RH-A's copy diverged: the phase pairs again, on that branch, until the developer reconciles them. */
  let divergedBranch: string | undefined;
  for (;;) {
    const agentFixes = agentFixRequested && patched(PATCH.pairedFixRound);
    agentFixRequested = false;
    if (mode === 'collaborative' && !agentFixes) {
      await report({ status: 'pairing' });
      // The developer's commits land on the phase branch itself; "done" then pushes it and opens the PR.
      // Histories recorded before the branch was prepared here replay without the activity.
      // A diverged branch is not prepared again (that would fetch and refuse again); the divergence message was the invitation.
      const resuming = divergedBranch;
      divergedBranch = undefined;
      const prepared = resuming
        ? { branch: resuming, home: undefined }
        : patched(PATCH.pairBranch)
          ? await quick.preparePhaseBranch({ workItemKey: input.workItemKey, phase: input.phase, attempt: input.attempt })
          : undefined;
      if (!resuming) {
        // On a code host with forks the invitation names the fork (and its URL) the branch is on; before, only the branch.
        const home = prepared?.home && patched(PATCH.pairInviteNamesFork) ? prepared.home : undefined;
        const pushTo = !prepared
          ? ''
          : home
            ? ` Push your commits to ${home.slug}:${prepared.branch}${home.gitUrl ? ` (git push ${home.gitUrl} ${prepared.branch})` : ''}.`
            : ` Push your commits to ${prepared.branch}.`;
        await quick.notify({
          dedupeKey: `pair-invite:${self}:${handoffs.length}`,
          developerId: input.ownerId,
          urgency: 'decision',
          payload: {
            kind: 'info',
            text: `${input.workItemKey} phase ${input.phase.id} is yours to pair on. Say "pair with me on phase ${input.phase.id}" to open a thread; say "done" in it when the change is ready.${pushTo}`,
          },
        });
      }
      await condition(() => pairDone !== undefined || requestedMode !== undefined);
      if (!pairDone) {
        // The agent continues from the developer's commits on the phase branch, with their notes (runs from
        // before this patch handed over without reading the branch).
        if (prepared && patched(PATCH.handbackFromCommits)) {
          await handBack(prepared.branch);
          continue;
        }
        await switchMode('the developer handed the phase back to the agent', ['the agent continues from the pair session notes and opens the PR']);
        continue;
      }
      done.push(`pair session with ${pairDone.actor}: ${pairDone.summary}`);
      feedback.push(`Pair session outcome to implement as agreed: ${pairDone.summary}`);
      pairDone = undefined;
    }

    // Autonomous run (an approval-required phase gets here once its gate is approved).
    await report({ status: 'running' });
    let result: ExecutePhaseResult | undefined;
    let failure: unknown;
    const scope = new CancellationScope();
    const running = scope
      .run(() =>
        agent.executePhase({
          workItemKey: input.workItemKey,
          ownerId: input.ownerId,
          phase: input.phase,
          attempt: input.attempt,
          round: ciRound,
          feedback,
          budgetApproved,
          ...(continueFromCommits ? { continueFromCommits } : {}),
        }),
      )
      .then(
        (r) => {
          result = r;
        },
        (err: unknown) => {
          failure = err;
        },
      );
    await condition(() => result !== undefined || failure !== undefined || requestedMode !== undefined);
    if (!result && failure === undefined && requestedMode) {
      scope.cancel();
      await running;
      const progress = await quick.phaseProgressNotes({ workItemKey: input.workItemKey, phaseId: input.phase.id, attempt: input.attempt });
      done.push(...progress.done);
      evidence.push(...progress.evidence);
      await switchMode('the developer took over mid-run', progress.next.length ? progress.next : ['continue the change in the pair thread']);
      continue;
    }
    if (failure !== undefined) {
      if (isCancellation(failure)) throw failure;
      if (failure instanceof ActivityFailure && failure.cause instanceof ApplicationFailure && failure.cause.type === 'BudgetApprovalRequired') {
        // Near the token cap: the owner decides whether the agent may spend more on this work item.
        const status = (failure.cause.details?.[0] ?? {}) as { spent?: number; cap?: number };
        await report({ status: 'running', awaitingBudget: true });
        await quick.notify({
          dedupeKey: `budget:${self}:${ciRound}`,
          developerId: input.ownerId,
          urgency: 'decision',
          payload: { kind: 'budget', workItemKey: input.workItemKey, phaseId: input.phase.id, spentTokens: status.spent ?? 0, capTokens: status.cap ?? 0 },
        });
        budgetDecision = undefined;
        await condition(() => budgetDecision !== undefined);
        await report({ status: 'running', awaitingBudget: false });
        if (budgetDecision!.approve) {
          budgetApproved = true;
          continue;
        }
        failure = new Error(`stopped at the token budget by ${budgetDecision!.actor}`);
      }
      const diverged = divergence(failure);
      if (diverged && patched(PATCH.divergedBranchWaits)) {
        // Never forced: the owner is told where the two sides stand and the phase pairs again until they reconcile them.
        await quick.notify({
          dedupeKey: `diverged:${self}:${ciRound}:${handoffs.length}`,
          developerId: input.ownerId,
          urgency: 'blocking',
          payload: { kind: 'info', text: divergedText(input.workItemKey, input.phase.id, diverged) },
        });
        if (pairThread)
          await quick.notify({
            dedupeKey: `diverged-thread:${self}:${ciRound}:${handoffs.length}`,
            developerId: input.ownerId,
            urgency: 'blocking',
            payload: {
              kind: 'pair-reply',
              sessionId: pairSessionWorkflowId(pairThread.channel, pairThread.threadTs),
              ...pairThread,
              text: divergedText(input.workItemKey, input.phase.id, diverged),
            },
          });
        requestedMode = 'collaborative';
        divergedBranch = diverged.branch;
        await switchMode(
          `${diverged.branch} on ${diverged.where} and RH-A's copy diverged`,
          [`rebase your commits onto ${diverged.ours} and push ${diverged.branch} to ${diverged.where}`, 'say "take it from here" in the pair thread'],
          true,
        );
        continue;
      }
      await report({ status: 'failed' });
      await quick.notify({
        dedupeKey: `phase-failed:${self}:${ciRound}`,
        developerId: input.ownerId,
        urgency: 'blocking',
        payload: { kind: 'info', text: `${input.workItemKey} phase ${input.phase.id} failed: ${failureReason(failure).slice(0, 500)}` },
      });
      return { phaseId: input.phase.id, status: 'failed', evidence, handoffs };
    }
    pr = { prUrl: result!.prUrl, branch: result!.branch };
    evidence.push(...result!.evidence);
    done.push(...result!.done);
    // Every push is checked for overlap with other work items from the branches' real diffs (runs from before
    // this patch checked the plan once).
    if (patched(PATCH.overlapOnPush)) await quick.detectOverlaps({ workItemKey: input.workItemKey, ownerId: input.ownerId, files: input.phase.files });

    // CI: watch until green, or until a person decides what to do about a real failure.
    const ciWatchId = `${self}:ci:${ciRound}`;
    await report({ status: 'ci', ciWatchId, prUrl: pr.prUrl, branch: pr.branch });
    // Runs started before the patch keep the bound the work item passed (2); newer ones take team.yaml's.
    const maxRetriesPerTest = patched(PATCH.ciRetriesFromTeam) && result!.ciMaxRetries !== undefined ? result!.ciMaxRetries : input.ciMaxRetries;
    const ci = await executeChild(ciWatchWorkflow, {
      workflowId: ciWatchId,
      args: [
        {
          workItemKey: input.workItemKey,
          phaseId: input.phase.id,
          phaseAttempt: input.attempt,
          ownerId: input.ownerId,
          prUrl: pr.prUrl,
          parentWorkflowId: input.parentWorkflowId,
          requiredJobs: result!.requiredJobs,
          maxRetriesPerTest,
          poll: result!.pollCi,
        },
      ],
    });
    ciRound += 1;
    if (ci.outcome === 'green' || ci.outcome === 'skipped') {
      evidence.push(ci.outcome === 'green' ? `CI green on ${Object.keys(ci.jobs).join(', ')}` : `CI green after skipping a test by decision`);
      const ready = await quick.preparePrReady({
        workItemKey: input.workItemKey,
        phaseId: input.phase.id,
        prUrl: pr.prUrl,
        files: input.phase.files,
        evidence,
        ci,
      });
      await quick.notify({ dedupeKey: `pr-ready:${self}:${ciRound}`, developerId: input.ownerId, urgency: 'decision', payload: ready });
      if (patched(PATCH.ticketCommentOnPrReady)) {
        await commentOnTicket({
          kind: 'pr-ready',
          businessKey: `pr-ready:${self}:${ciRound}`,
          workItemKey: input.workItemKey,
          phaseId: input.phase.id,
          phaseTitle: input.phase.title,
          ...(input.phase.story ? { story: input.phase.story } : {}),
          prUrl: pr.prUrl,
          ciSummary: ready.ciSummary,
          confidence: ready.confidence,
        });
      }
      await report({ status: 'ready-to-merge', prUrl: pr.prUrl, branch: pr.branch, awaitingCiDecision: false });
      return { phaseId: input.phase.id, status: 'ready-to-merge', prUrl: pr.prUrl, branch: pr.branch, evidence, handoffs };
    }
    await report({ status: 'ci', awaitingCiDecision: false });
    if (ci.decision === 'wait-for-me') {
      requestedMode = 'collaborative';
      await switchMode('a real CI failure; the developer asked to look at it together', [
        'diagnose the failing test in the pair thread',
        'say "done" when the fix is pushed',
      ]);
      continue;
    }
    // fix-and-repush: the agent diagnoses and fixes on the same branch.
    const diagnosis = await agent.diagnoseCi({ workItemKey: input.workItemKey, phaseId: input.phase.id, prUrl: pr.prUrl, failures: ci.alerts.at(-1) ?? [] });
    evidence.push(`diagnosis: ${diagnosis.summary}`);
    feedback.push(`Fix the CI failure: ${diagnosis.summary}`);
    agentFixRequested = true;
  }
}

interface Divergence {
  branch: string;
  where: string;
  theirs: string;
  ours: string;
}

/** Where the two sides of a diverged phase branch stand, from the NonFastForward failure's details. */
function divergence(failure: unknown): Divergence | undefined {
  if (!(failure instanceof ActivityFailure) || !(failure.cause instanceof ApplicationFailure) || failure.cause.type !== 'NonFastForward') return undefined;
  const d = (failure.cause.details?.[0] ?? {}) as Partial<Divergence>;
  return d.branch && d.where && d.theirs && d.ours ? { branch: d.branch, where: d.where, theirs: d.theirs, ours: d.ours } : undefined;
}

function divergedText(workItemKey: string, phaseId: string, d: Divergence): string {
  return [
    `${workItemKey} phase ${phaseId} is waiting for you: ${d.branch} on your fork ${d.where} (at ${d.theirs}) and RH-A's copy (at ${d.ours}) have diverged — each has commits the other lacks.`,
    'Nothing was forced: neither side was overwritten.',
    `Rebase your commits onto RH-A's ${d.ours} (git pull --rebase from the upstream, or git rebase ${d.ours}) and push ${d.branch} to ${d.where}, then say "take it from here" in the pair thread.`,
  ].join(' ');
}

/** The reason a person can act on: an ActivityFailure only says "Activity task failed"; its cause says why. */
function failureReason(failure: unknown): string {
  let err = failure as { message?: string; cause?: unknown } | undefined;
  while (err && typeof err.cause === 'object' && err.cause !== null && typeof (err.cause as { message?: unknown }).message === 'string')
    err = err.cause as typeof err;
  return err?.message ?? String(failure);
}
