// ciWatchWorkflow (one per PR push): receives CI results (pushed by the webhook receiver as signals, or
// polled with back-off), decides every failed test on Prow's terms (a pass on the same SHA, the test's
// historical pass rate, whether the job is required: src/knowledge/flake-decisions.ts), retries flakes by
// the repository's convention within Retester's caps per HEAD and team.yaml's max_retries, leaves a
// retest Retester posts itself to Retester, and raises a blocking alert with options for anything else.
// Every retry and alert is written to the audit log.
import {
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
  allHandlersFinished,
} from '@temporalio/workflow';
import type { Activities } from '../src/activities/index.js';
import type { CiFailureSummary } from '../src/contracts/ci.js';
import { ciDecisionSignal, ciResultSignal, ciWatchStateQuery, phaseProgressSignal, type CiOption } from './definitions.js';
import type { CiWatchInput } from './types.js';
import { PATCH } from './patches.js';
import type { CiRunReport, CiWatchState } from '../src/contracts/ci.js';

const ci = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { initialInterval: '2 seconds', maximumInterval: '1 minute' } });

const historyEventBudget = 5_000;
const pollIntervalsMs = [15_000, 30_000, 60_000, 120_000, 300_000];
/** A watch with no news for this long asks the owner whether CI is stuck, then keeps waiting. */
const silenceLimitMs = 6 * 3_600_000;

export async function ciWatchWorkflow(input: CiWatchInput, carried?: CiWatchState): Promise<CiWatchState> {
  const self = workflowInfo().workflowId;
  const state: CiWatchState = carried ?? { prUrl: input.prUrl, outcome: 'watching', jobs: {}, retries: {}, seenRunIds: [], alerts: [] };
  const inbox: CiRunReport[] = [];
  let decision: { option: CiOption; actor: string } | undefined;
  let skippedTests = new Set<string>();

  // A run may arrive twice before it is handled (GitHub's webhook and a poll both read it): it is taken once.
  // patched() is asked only when a duplicate is there, which no run before this change had.
  const waiting = (runId: string) => inbox.some((r) => r.runId === runId) && patched(PATCH.ciWakeOnDelivery);
  setHandler(ciResultSignal, (report) => {
    if (!state.seenRunIds.includes(report.runId) && !waiting(report.runId)) inbox.push(report);
  });
  setHandler(ciDecisionSignal, (d) => {
    decision = d;
  });
  setHandler(ciWatchStateQuery, () => state);

  const required = () => (input.requiredJobs.length > 0 ? input.requiredJobs : Object.keys(state.jobs));
  const allGreen = () => required().length > 0 && required().every((j) => state.jobs[j] === 'success');

  let pollStep = 0;
  while (state.outcome === 'watching') {
    if (inbox.length === 0) {
      if (input.poll) {
        const reports = await ci.pollCi({ prUrl: input.prUrl, seenRunIds: state.seenRunIds });
        inbox.push(...reports.filter((r) => !state.seenRunIds.includes(r.runId) && !waiting(r.runId)));
        if (inbox.length === 0) {
          const interval = pollIntervalsMs[Math.min(pollStep++, pollIntervalsMs.length - 1)]!;
          // A result GitHub's webhook delivers ends the wait; polling stays the fallback for any it never sends.
          if (patched(PATCH.ciWakeOnDelivery)) await condition(() => inbox.length > 0, interval);
          else await sleep(interval);
          continue;
        }
        pollStep = 0;
      } else if (!(await condition(() => inbox.length > 0, silenceLimitMs))) {
        await ci.notify({
          dedupeKey: `ci-silent:${self}:${state.seenRunIds.length}`,
          developerId: input.ownerId,
          urgency: 'info',
          payload: { kind: 'info', text: `No CI news for ${input.prUrl} in 6 hours; still watching.` },
        });
        continue;
      }
    }
    const report = inbox.shift()!;
    state.seenRunIds.push(report.runId);
    state.jobs[report.job] = report.state;

    if (report.state === 'failure' || report.state === 'error') {
      const failed = report.tests.filter((t) => t.status === 'failed' && !skippedTests.has(t.test));
      // Classified against the history before this run, then this run joins the experience log.
      const failures = failed.length ? failed : [{ job: report.job, test: report.job, status: 'failed' as const, message: `job ${report.state}` }];
      // Decisions on Prow's terms: the activity is told the required jobs and the retests already posted on this HEAD.
      const onProwTerms = patched(PATCH.flakeDecisionsOnProwTerms);
      const retestsOnHead = state.retestsByHead?.[report.commit] ?? 0;
      const classified = onProwTerms
        ? await ci.classifyCiFailures({ prUrl: input.prUrl, report, failures, requiredJobs: input.requiredJobs, retestsOnHead })
        : await ci.classifyCiFailures({ prUrl: input.prUrl, report, failures });
      await ci.recordCiRun({ workItemKey: input.workItemKey, phaseId: input.phaseId, prUrl: input.prUrl, report });
      const overBound = (f: CiFailureSummary) => (state.retries[f.test ?? f.job] ?? 0) >= input.maxRetriesPerTest;
      const blocking = classified.filter((f) =>
        onProwTerms && f.decision ? f.decision.action === 'escalate' || overBound(f) : f.classification !== 'known-flake' || overBound(f),
      );
      if (blocking.length === 0) {
        for (const f of classified) state.retries[f.test ?? f.job] = (state.retries[f.test ?? f.job] ?? 0) + 1;
        const retryKey = `ci-retry:${self}:${report.runId}`;
        // Retester retests a required job once per base+HEAD by itself: a retest of ours would stack on it.
        const leftToRetester = onProwTerms && classified.every((f) => f.decision?.action === 'leave-to-retester');
        if (!leftToRetester) await ci.retriggerCi({ prUrl: input.prUrl, job: report.job, idempotencyKey: retryKey });
        if (onProwTerms) state.retestsByHead = { ...state.retestsByHead, [report.commit]: retestsOnHead + 1 };
        await ci.recordDecision({
          idempotencyKey: retryKey,
          workItemKey: input.workItemKey,
          phaseId: input.phaseId,
          kind: 'ci-retry',
          actor: 'rh-o',
          surface: 'automatic',
          detail: {
            job: report.job,
            tests: classified.map((f) => f.test ?? f.job),
            signatures: classified.map((f) => f.signature),
            retries: state.retries,
            ...(onProwTerms
              ? {
                  decisions: classified.map((f) => ({ test: f.test ?? f.job, reason: f.reason, ...f.decision })),
                  ...(leftToRetester ? { leftToRetester } : {}),
                }
              : {}),
          },
        });
        state.jobs[report.job] = 'pending';
      } else {
        const outcome = await escalate(report, blocking);
        if (outcome) state.outcome = outcome;
      }
    } else {
      await ci.recordCiRun({ workItemKey: input.workItemKey, phaseId: input.phaseId, prUrl: input.prUrl, report });
      if (allGreen()) state.outcome = skippedTests.size > 0 ? 'skipped' : 'green';
    }

    if (state.outcome === 'watching' && (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > historyEventBudget)) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof ciWatchWorkflow>(input, state);
    }
  }
  return state;

  async function escalate(report: CiRunReport, blocking: CiFailureSummary[]): Promise<CiWatchState['outcome'] | undefined> {
    state.alerts.push(blocking);
    const alertKey = `ci-alert:${self}:${report.runId}`;
    await ci.notify({
      dedupeKey: alertKey,
      developerId: input.ownerId,
      urgency: 'blocking',
      payload: { kind: 'ci-alert', workItemKey: input.workItemKey, phaseId: input.phaseId, prUrl: input.prUrl, ownerId: input.ownerId, failures: blocking },
    });
    await ci.recordDecision({
      idempotencyKey: alertKey,
      workItemKey: input.workItemKey,
      phaseId: input.phaseId,
      kind: 'ci-alert',
      actor: 'rh-o',
      surface: 'automatic',
      detail: { job: report.job, failures: blocking.map((f) => ({ test: f.test, classification: f.classification, signature: f.signature })) },
    });
    decision = undefined;
    // The work item may have moved on (re-planned, cancelled); the alert and the audit row stand either way.
    await getExternalWorkflowHandle(input.parentWorkflowId)
      .signal(phaseProgressSignal, { phaseId: input.phaseId, attempt: input.phaseAttempt, status: 'ci', awaitingCiDecision: true })
      .catch(() => undefined);
    await condition(() => decision !== undefined);
    const chosen = decision!;
    state.decision = chosen.option;
    if (chosen.option === 'skip-test') {
      skippedTests = new Set([...skippedTests, ...blocking.map((f) => f.test ?? f.job)]);
      state.jobs[report.job] = 'success';
      return allGreen() ? 'skipped' : undefined;
    }
    return 'blocked';
  }
}
