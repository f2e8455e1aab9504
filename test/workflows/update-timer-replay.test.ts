// A tap stored while the worker is too busy to finish its workflow task in time (the task times out and is
// retried, as on a loaded worker) must still be applied once, leave a history that replays, and leave the
// work item taking the next tap. The decision protocol starts its confirmation timer inside the update
// handler, so these shapes put the timer's firing and the retried task side by side.
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionsFor } from '../../src/db/work-items.js';
import type { Plan } from '../../src/plan/schema.js';
import { pauseUpdate, resumeUpdate, workItemStateQuery } from '../../workflows/definitions.js';
import { startOrchestra, type Orchestra } from '../support/orchestra.js';
import { workflowBundle } from '../support/temporal.js';
import { startWorkItem } from '../support/work-item.js';

/** The next decision of this kind keeps the worker's sink (and so its workflow task) busy this long. */
let holdNext: { kind: string; ms: number; busyThread: boolean } | undefined;
let orchestra: Orchestra;
beforeAll(async () => {
  orchestra = await startOrchestra(
    {},
    {
      decisionSink: async (commit, store) => {
        const hold = holdNext?.kind === commit.decision.kind ? holdNext : undefined;
        if (hold) {
          holdNext = undefined;
          const until = Date.now() + hold.ms;
          // Either the worker's whole thread is busy (a loaded machine) or only this task's completion waits.
          if (hold.busyThread) while (Date.now() < until);
          else await new Promise((r) => setTimeout(r, hold.ms));
        }
        return store(commit);
      },
    },
  );
});
afterAll(async () => orchestra?.stop());

function onePhasePlan(key: string): Plan {
  return {
    workItemKey: key,
    intention: 'NodePool should report capacity errors per platform',
    summary: '',
    phases: [
      {
        id: 'api',
        title: 'API surface',
        activity: 'api_changes',
        files: ['api/hypershift/v1beta1/nodepool_conditions.go'],
        constraints: [],
        validation: [],
        dependsOn: [],
        mergeOrder: 1,
      },
    ],
  };
}

interface Shape {
  name: string;
  /** When the resume is tapped, in ms after the pause returned (the pause's confirmation timer runs 1 s). */
  resumeAt: number;
  holdMs: number;
  busyThread: boolean;
  /** A second pause tapped while the resume's task is held, and a worker restart meanwhile. */
  secondPauseAt?: number;
  restartAt?: number;
}

const shapes: Shape[] = [
  { name: 'the confirmation timer fires while the held task times out', resumeAt: 1_000, holdMs: 1_500, busyThread: true },
  { name: 'no timer runs when the held task times out', resumeAt: 2_500, holdMs: 2_500, busyThread: true },
  {
    name: 'a second tap and a worker restart while the task is held',
    resumeAt: 2_500,
    holdMs: 2_500,
    busyThread: false,
    secondPauseAt: 2_800,
    restartAt: 2_700,
  },
  {
    name: 'the timer fires, a second tap and a restart while the task is held',
    resumeAt: 800,
    holdMs: 2_500,
    busyThread: false,
    secondPauseAt: 1_100,
    restartAt: 1_000,
  },
];

describe('a tap whose workflow task timed out', () => {
  for (const [i, shape] of shapes.entries()) {
    it(`is applied once, replays, and the next tap is accepted: ${shape.name}`, async () => {
      const key = `${orchestra.keyPrefix}-${i}`;
      const handle = await startWorkItem(
        orchestra,
        { key, ownerId: 'maria', title: 'Capacity errors', intention: 'x', plan: onePhasePlan(key), decisionConfirmMs: 1_000 },
        // The shortest task timeout the server takes, so a held sink outlasts it.
        { workflowTaskTimeout: '1s' },
      );
      const tap = { actor: 'maria', surface: 'slack-button' as const };
      await handle.executeUpdate(pauseUpdate, { args: [tap], updateId: `${key}-1` });
      const t0 = Date.now();
      const at = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, t0 + ms - Date.now())));

      await at(shape.resumeAt);
      holdNext = { kind: 'resume', ms: shape.holdMs, busyThread: shape.busyThread };
      const taps = [handle.executeUpdate(resumeUpdate, { args: [tap], updateId: `${key}-2` })];
      let restarted: Promise<void> | undefined;
      if (shape.restartAt !== undefined) {
        await at(shape.restartAt);
        restarted = orchestra.restartWorker();
      }
      if (shape.secondPauseAt !== undefined) {
        await at(shape.secondPauseAt);
        taps.push(handle.executeUpdate(pauseUpdate, { args: [tap], updateId: `${key}-3` }));
      }
      const outcomes = await Promise.all(taps);
      await restarted;
      expect(outcomes.map((o) => o.outcome)).toEqual(taps.map(() => 'applied'));

      const history = await handle.fetchHistory();
      const events = history.events ?? [];
      // The shape did what it is for: at least one workflow task timed out.
      expect(events.some((e) => e.workflowTaskTimedOutEventAttributes)).toBe(true);
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, handle.workflowId);

      // The work item still takes a tap, and every tap has its one audit row.
      const paused = (await handle.query(workItemStateQuery)).status === 'paused';
      const next = await handle.executeUpdate(paused ? resumeUpdate : pauseUpdate, { args: [tap], updateId: `${key}-4` });
      expect(next.outcome).toBe('applied');
      const audit = await decisionsFor(orchestra.store.db, key);
      expect(audit.map((d) => d.idempotencyKey).sort()).toEqual([1, 2, ...(shape.secondPauseAt !== undefined ? [3] : []), 4].map((n) => `${key}-${n}`));
      expect(events.some((e) => e.workflowTaskFailedEventAttributes)).toBe(false);
    }, 60_000);
  }
});
