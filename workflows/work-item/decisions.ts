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
 *
 * The timer is started by the main line, never by an update handler (patched): a handler that started it
 * put a command between its update's acceptance and completion, and whether it did depended on whether the
 * previous timer had fired in an earlier activation. At 1,000 open items, after timed-out workflow tasks, a
 * replay saw that differently from the live run (TMPRL1100, the timer machine given the UpdateCompleted).
 * Now a handler only asks for the timer and the main line, which wakes for it, starts it.
 */
export class DecisionProtocol {
  private readonly run: WorkItemRun;
  private readonly bySink: boolean;
  /** The confirmation timer is a main-line command (patched: handlers started it before). */
  private readonly timerOnMainLine: boolean;
  private readonly unconfirmed: DecisionCommit[];
  private confirmTimerRunning = false;
  /** Set by a handler whose decision found no timer running: the main line starts one at its next wake. */
  private timerWanted = false;
  /** Set by the confirmation timer or a full batch, only to wake the main line. */
  private due: boolean;

  constructor(run: WorkItemRun) {
    this.run = run;
    // Decisions are stored by the worker's sink before the update completes (patched: histories from before it
    // ran a local activity per decision, one more activation each).
    this.bySink = patched(PATCH.decisionsBySink);
    this.timerOnMainLine = this.bySink && patched(PATCH.confirmTimerOnMainLine);
    this.unconfirmed = this.bySink ? (run.state.unconfirmedDecisions ??= []) : [];
    // Decisions the previous run took while it was closing are confirmed at the main line's first wait.
    this.due = this.unconfirmed.length > 0;
  }

  /** The main line's waits end on this: decisions are due, or a new one wants its confirmation timer. */
  get confirmDue(): boolean {
    return this.due || this.timerWanted;
  }

  /** Whether the main line has decisions to confirm (or a timer to start) at this wake. */
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

  /**
   * Main line only, at each wake: starts the confirmation timer a handler asked for, or confirms every waiting
   * decision. A wake that starts the timer confirms nothing unless decisions are due, so they are still
   * confirmed in batches; a wait that also ended for another reason ends again at once and confirms them then.
   */
  async confirmWaiting(): Promise<void> {
    if (this.timerWanted) {
      this.timerWanted = false;
      this.startConfirmTimer();
      if (!this.due) return;
    }
    await this.confirmAll();
  }

  /** Main line only, before the run ends or continues as new: confirms every waiting decision now. */
  async confirmAll(): Promise<void> {
    this.due = false;
    while (this.unconfirmed.length > 0) {
      const batch = this.unconfirmed.slice(0, decisionConfirmBatch);
      await store.confirmDecisions({ commits: batch });
      for (const done of batch) {
        const at = this.unconfirmed.indexOf(done);
        if (at >= 0) this.unconfirmed.splice(at, 1);
      }
    }
    // Decisions taken while the batches were confirmed were confirmed with them: no timer is needed for them.
    this.timerWanted = false;
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
    if (this.unconfirmed.length >= decisionConfirmBatch) this.due = true;
    if (this.confirmTimerRunning) return;
    // A handler issues no command of its own: the main line wakes for timerWanted and starts the timer.
    if (this.timerOnMainLine) this.timerWanted = true;
    else this.startConfirmTimer();
  }

  /** The old branch calls this from the update handler; the patched one from the main line only. */
  private startConfirmTimer(): void {
    if (this.confirmTimerRunning) return;
    this.confirmTimerRunning = true;
    void sleep(this.run.input.decisionConfirmMs ?? defaultDecisionConfirmMs).then(() => {
      this.confirmTimerRunning = false;
      this.due = true;
    });
  }
}
