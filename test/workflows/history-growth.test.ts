// A work item's history never reaches Temporal's limits (51,200 events, 50 MB per run): it lives 30 simulated
// days on the time-skipping test server — plan edits and pauses every day, then its phase gate's reminder and
// escalation — with the continue-as-new budget lowered so the chain has many runs. Every run must end within
// the budget plus one activation's overshoot, carry a bounded state, and the bound this gives at the product's
// budget must stay under the limits. The figures at the product's budget are printed by `npm run bench history`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { defaultHistoryEventBudget } from '../../workflows/work-item/run.js';
import { historyBound, liveWorkItem, temporalLimits } from '../../bench/support/work-item-life.js';
import { startOrchestra, type Orchestra } from '../support/orchestra.js';
import { startTimeSkippingEnvironment } from '../support/temporal.js';

let env: TestWorkflowEnvironment;
let orchestra: Orchestra;
beforeAll(async () => {
  // Starting the time-skipping server and bundling the workflows takes minutes on a loaded machine.
  env = await startTimeSkippingEnvironment();
  orchestra = await startOrchestra({}, { env });
}, 300_000);
afterAll(async () => {
  await orchestra?.stop();
  await env?.teardown();
});

const budget = 300;
/** Events one activation may add after the one that crossed the budget: the decision's own, its confirmation, the continue-as-new. */
const overshootAllowance = 60;

describe('a work item living 30 days', { timeout: 600_000 }, () => {
  it('continues as new before every run reaches its budget plus one activation, and the bound stays under the limits', async () => {
    const life = await liveWorkItem({
      client: env.client,
      taskQueue: orchestra.taskQueue,
      key: `${orchestra.keyPrefix}-30`,
      days: 30,
      editsPerDay: 4,
      togglesPerDay: 1,
      historyEventBudget: budget,
      sleep: (ms) => env.sleep(ms),
    });

    // approved on day 29, paused and resumed since: its phase waits at its gate
    expect(life.finalStatus).toBe('executing');
    const closed = life.runs.filter((r) => r.continuedAsNew);
    expect(closed.length).toBeGreaterThanOrEqual(5);
    for (const run of life.runs) expect(run.events).toBeLessThanOrEqual(budget + overshootAllowance);
    // What each run carries into the next is capped (the bound counts the caps filled).
    expect(life.planEditsCarried).toBeLessThanOrEqual(50);
    expect(life.seenUpdateIdsCarried).toBe(life.decisions);
    expect(life.eventsPerDay.reduce((a, b) => a + b, 0)).toBe(life.runs.reduce((a, r) => a + r.events, 0));

    const atProductBudget = historyBound(life.runs, defaultHistoryEventBudget, overshootAllowance);
    expect(atProductBudget.events).toBeLessThan(temporalLimits.events);
    expect(atProductBudget.bytes).toBeLessThan(temporalLimits.bytes);
    console.log(
      `history bound at the product's budget: ${atProductBudget.events} events, ${(atProductBudget.bytes / 2 ** 20).toFixed(1)} MiB (carried state ≤ ${Math.round(atProductBudget.firstEventBytes / 1024)} KiB, other events ≤ ${atProductBudget.largestEventBytes} B); runs ${life.runs.map((r) => r.events).join(' ')}`,
    );
  });
});
