// The decision protocol: a human decision is applied once per update id, and its audit row, notification
// and (for plan edits) plan version are stored before the update completes. The worker's decision sink is
// the fast path; every decision then waits in workflow state until a retried activity has confirmed it.
import { currentUpdateInfo, patched, proxyLocalActivities, proxySinks, sleep } from '@temporalio/workflow';
import type { DecisionOutcome } from '../../src/contracts/decisions.js';
import type { Activities, DecisionCommit } from '../../src/activities/index.js';
import type { Actor, DecisionSinks } from '../definitions.js';
import { PATCH } from '../patches.js';
import { planVersionOf, store, type WorkItemRun } from './run.js';

// Histories from before the decision sink wrote decisions with a local activity (an extra activation per decision).
const commit = proxyLocalActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds' },
});
const { decisions: decisionSink } = proxySinks<DecisionSinks>();

const maxSeenUpdateIds = 5_000;
/** A waiting decision is confirmed durably within this long, or sooner once this many are waiting. */
export const defaultDecisionConfirmMs = 10_000;
const decisionConfirmBatch = 100;

/**
 * The sink is the fast path and is not retried: if the database was down it stored nothing. So each decision
 * stays in the workflow's state until a regular activity (retried by Temporal) has seen it stored. Only the
 * main line runs that activity, whenever it wakes with decisions waiting; the first waiting decision starts
 * a timer that wakes it, and a full batch wakes it at once. The timer only sets a flag: nothing it does
 * decides the order of commands, because a replay may deliver it in a different task than the live run did
 * (seen after a worker was killed). Only the newest plan is kept with the waiting decisions: an older plan
 * version would be skipped as outdated anyway.
 */
export class DecisionProtocol {
  private readonly run: WorkItemRun;
  private readonly bySink: boolean;
  private readonly unconfirmed: DecisionCommit[];
  private confirmTimerRunning = false;
  /** Set by the confirmation timer or a full batch, only to wake the main line. */
  confirmDue: boolean;

  constructor(run: WorkItemRun) {
    this.run = run;
    // Decisions are stored by the worker's sink before the update completes (patched: histories from before it
    // ran a local activity per decision, one more activation each).
    this.bySink = patched(PATCH.decisionsBySink);
    this.unconfirmed = this.bySink ? (run.state.unconfirmedDecisions ??= []) : [];
    // Decisions the previous run took while it was closing are confirmed at the main line's first wait.
    this.confirmDue = this.unconfirmed.length > 0;
  }

  /** Whether the main line has decisions to confirm at this wake. */
  get waiting(): boolean {
    return this.unconfirmed.length > 0 || this.confirmDue;
  }

  /** Applies a decision once per update id, then writes the audit row before the update completes. */
  async decide(
    args: Actor,
    kind: string,
    phaseId: string | undefined,
    detail: Record<string, unknown>,
    apply: () => string,
    options: { savePlan?: boolean } = {},
  ): Promise<DecisionOutcome> {
    const { state } = this.run;
    const decidedAt = new Date().toISOString();
    if (!this.rememberUpdate()) return { outcome: 'duplicate', summary: 'already applied', decidedBy: args.actor, decidedAt };
    const summary = apply();
    const idempotencyKey = currentUpdateInfo()?.id ?? `${this.run.self}:${kind}:${phaseId ?? ''}:${decidedAt}`;
    const decision = {
      idempotencyKey,
      workItemKey: state.key,
      phaseId: phaseId ?? null,
      kind,
      actor: args.actor,
      surface: args.surface,
      detail: { ...detail, summary },
    };
    const rest: Omit<DecisionCommit, 'decision'> = {
      notification: {
        dedupeKey: `decided:${idempotencyKey}`,
        developerId: state.ownerId,
        urgency: 'info',
        payload: { kind: 'decision-recorded', workItemKey: state.key, ...(phaseId ? { phaseId } : {}), text: `${args.actor} ${summary}` },
      },
      ...(options.savePlan && state.plan ? { plan: planVersionOf(state, state.plan) } : {}),
    };
    if (this.bySink) {
      const decided: DecisionCommit = { decision: { ...decision, decidedAt }, ...rest };
      // Committed by the worker before this workflow task completes; confirmed durably by confirmWaiting.
      decisionSink.commit(decided);
      this.confirmDurably(decided);
    } else {
      await commit.commitDecision({ decision, ...rest });
    }
    return { outcome: 'applied', summary, decidedBy: args.actor, decidedAt };
  }

  /** Main line only, at each wake: confirms every waiting decision. */
  async confirmWaiting(): Promise<void> {
    this.confirmDue = false;
    while (this.unconfirmed.length > 0) {
      const batch = this.unconfirmed.slice(0, decisionConfirmBatch);
      await store.confirmDecisions({ commits: batch });
      for (const done of batch) {
        const at = this.unconfirmed.indexOf(done);
        if (at >= 0) this.unconfirmed.splice(at, 1);
      }
    }
  }

  /** False when this update id was applied already (a retried update after a worker restart). */
  private rememberUpdate(): boolean {
    const { seenUpdateIds } = this.run.state;
    const id = currentUpdateInfo()?.id;
    if (!id) return true;
    if (seenUpdateIds.includes(id)) return false;
    seenUpdateIds.push(id);
    if (seenUpdateIds.length > maxSeenUpdateIds) seenUpdateIds.splice(0, seenUpdateIds.length - maxSeenUpdateIds);
    return true;
  }

  private confirmDurably(decided: DecisionCommit): void {
    if (decided.plan) for (const earlier of this.unconfirmed) delete earlier.plan;
    this.unconfirmed.push(decided);
    if (this.unconfirmed.length >= decisionConfirmBatch) this.confirmDue = true;
    if (!this.confirmTimerRunning) {
      this.confirmTimerRunning = true;
      void sleep(this.run.input.decisionConfirmMs ?? defaultDecisionConfirmMs).then(() => {
        this.confirmTimerRunning = false;
        this.confirmDue = true;
      });
    }
  }
}
