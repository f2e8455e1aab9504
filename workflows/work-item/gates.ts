// Open phase gates and their deadlines. When a gate opens its deciders are prompted; the reminder and the
// escalation are sent by the main line when it wakes and workflow time says they are due. A deadline's timer
// only wakes the main line, so a replay that delivers the timer in another task still sends the same commands.
import { patched, sleep } from '@temporalio/workflow';
import { escalateGate, gateDeadlines, gateStillOpen, gateWatch, promptGate, remindGate, type GateDeadlines } from '../gate-watch.js';
import { PATCH } from '../patches.js';
import { store, type WorkItemRun } from './run.js';

export class GateClock {
  private readonly run: WorkItemRun;
  /** Gates (phase id and opening time) already prompted, so each opening is prompted once. */
  private readonly watched = new Set<string>();
  private readonly openGates = new Map<string, GateDeadlines>();
  // Gate reminders and escalations run on the main line (patched: histories from before ran one coroutine per
  // gate, which a timer woke to send them, racing the main line for the order of commands in one task).
  readonly onMainLine: boolean;
  /** Set by a deadline's timer only to wake the main line; what is due is decided from workflow time. */
  deadlinePassed = false;

  constructor(run: WorkItemRun) {
    this.run = run;
    this.onMainLine = patched(PATCH.gateDeadlinesOnMainLine);
  }

  /** Prompts the deciders of every gate that opened since the last pass and arms its deadlines. */
  watchOpenGates(): void {
    const { state } = this.run;
    for (const p of state.phases) {
      if ((p.status === 'awaiting-approval' || p.status === 'rejected') && p.gateOpenedAt) {
        const key = `${p.id}:${p.gateOpenedAt}`;
        if (this.watched.has(key)) continue;
        this.watched.add(key);
        if (!this.onMainLine) {
          void gateWatch(state, p, store);
          continue;
        }
        const deadlines = gateDeadlines(state, p);
        this.openGates.set(key, deadlines);
        void promptGate(state, p, store).catch(() => undefined);
        for (const at of [deadlines.remindAt, deadlines.escalateAt]) {
          void sleep(Math.max(at - Date.now(), 1)).then(() => {
            this.deadlinePassed = true;
          });
        }
      }
    }
  }

  /** At every wake of the main line (when onMainLine): the reminders and escalations whose time has come, by workflow time. */
  async remindAndEscalate(): Promise<void> {
    const { state } = this.run;
    this.deadlinePassed = false;
    const now = Date.now();
    for (const [key, gate] of [...this.openGates]) {
      const p = state.phases.find((x) => x.id === gate.phaseId);
      if (!gateStillOpen(state, p, gate.openedAt)) {
        this.openGates.delete(key);
        continue;
      }
      const lastRejection = p.status === 'rejected' ? p.rejections.at(-1) : undefined;
      if (!gate.reminded && now >= gate.remindAt) {
        gate.reminded = true;
        await remindGate(state, p, gate.openedAt, lastRejection, store);
      }
      if (now >= gate.escalateAt) {
        this.openGates.delete(key);
        await escalateGate(state, p, gate.openedAt, lastRejection, store);
      }
    }
  }
}
