// The CI watch on the real dev server with the real flake classifier and experience log: a known flake
// is retried silently (twice), a real failure raises a blocking alert with options, every retry and
// alert lands in the audit log, and the owner's choice ends the watch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { notificationOutbox } from '../../src/db/schema/core.js';
import { decisionsFor } from '../../src/db/work-items.js';
import { curatorsFromConfig } from '../../src/knowledge/access.js';
import { KnowledgeStore } from '../../src/knowledge/store.js';
import { ciDecisionSignal, ciResultSignal, ciWatchStateQuery } from '../../workflows/definitions.js';
import type { CiRunReport } from '../../src/contracts/ci.js';
import type { Orchestra } from '../support/orchestra.js';
import { recordHistory } from '../support/histories.js';
import { e2eAwsRun, RecordingCi, startCiWatch, startCiWatchOrchestra } from '../support/ci-watch.js';
import { waitFor } from '../support/wait.js';

const ci = new RecordingCi();
let orchestra: Orchestra;
let knowledge: KnowledgeStore;
const flakyTest = 'TestNodePoolAutoRepair';
const timeout = 'nodepool_test.go:212: timed out waiting for the condition after 10m0s';

beforeAll(async () => {
  orchestra = await startCiWatchOrchestra(ci);
  knowledge = new KnowledgeStore(orchestra.store.db, { curators: curatorsFromConfig(orchestra.config) });
  // Twelve earlier PR runs: the first attempt timed out 11 times, and each retry on the same commit passed.
  for (let i = 0; i < 12; i++) {
    const commit = `c0ffee${i.toString(16).padStart(2, '0')}`;
    const at = new Date(Date.UTC(2026, 10, 1 + i));
    if (i < 11) {
      await knowledge.experience.recordTestRun({
        test: flakyTest,
        job: 'e2e-aws',
        runId: `old-${i}`,
        commit,
        attempt: 1,
        outcome: 'fail',
        message: timeout.replace('10m0s', `${10 + (i % 3)}m0s`),
        at,
      });
      await knowledge.experience.recordTestRun({
        test: flakyTest,
        job: 'e2e-aws',
        runId: `old-${i}-r`,
        commit,
        attempt: 2,
        outcome: 'pass',
        at: new Date(at.getTime() + 3_600_000),
      });
    } else {
      await knowledge.experience.recordTestRun({ test: flakyTest, job: 'e2e-aws', runId: `old-${i}`, commit, attempt: 1, outcome: 'pass', at });
    }
  }
});
afterAll(async () => orchestra?.stop());

function run(runId: string, attempt: number, state: CiRunReport['state'], message?: string): CiRunReport {
  const tests = [{ job: 'e2e-aws', test: flakyTest, status: state === 'success' ? ('passed' as const) : ('failed' as const), ...(message ? { message } : {}) }];
  return e2eAwsRun(runId, { commit: 'abc1234', attempt, state, tests });
}

describe('ciWatchWorkflow', () => {
  it('retries a known flake twice without paging anyone, then alerts on a new failure with options', async () => {
    const prUrl = `https://github.com/openshift/hypershift/pull/${orchestra.keyPrefix.slice(1, 6)}`;
    const { key, workflowId, handle } = await startCiWatch(orchestra, 1, { prUrl });
    const state = () => handle.query(ciWatchStateQuery);

    await handle.signal(ciResultSignal, run('r1', 1, 'failure', timeout));
    await waitFor(
      async () => ci.comments.length,
      (n) => n === 1,
    );
    await handle.signal(ciResultSignal, run('r1', 1, 'failure', timeout)); // a redelivered webhook
    await handle.signal(ciResultSignal, run('r2', 2, 'failure', timeout.replace('10m0s', '11m0s')));
    await waitFor(
      async () => ci.comments.length,
      (n) => n === 2,
    );
    expect(ci.comments.map((c) => c.body)).toEqual(['/test e2e-aws', '/test e2e-aws']);
    expect((await state()).retries).toEqual({ [flakyTest]: 2 });
    const alerts = () => orchestra.store.db.select().from(notificationOutbox).where(eq(notificationOutbox.kind, 'ci-alert'));
    expect(await alerts()).toEqual([]);

    // Same test, a way of failing never seen before: escalated, not retried.
    await handle.signal(ciResultSignal, run('r3', 3, 'failure', 'nodepool_test.go:240: expected condition AutorepairEnabled=True, got False'));
    const raised = await waitFor(alerts, (rows) => rows.length === 2);
    // One to the owner, one to the team's alerts channel (owner mentioned there by the renderer).
    expect(raised.map((r) => r.channel).sort()).toEqual(['#hypershift-data-plane', null]);
    const alert = raised.find((r) => r.channel === null);
    expect(alert).toMatchObject({ developerId: 'maria', urgency: 'blocking' });
    expect(alert!.payload).toMatchObject({ kind: 'ci-alert', prUrl, failures: [expect.objectContaining({ test: flakyTest, classification: 'unknown' })] });
    expect(ci.comments).toHaveLength(2);

    // The audit row is written by the activity after the one that raised the alert: wait for it, not for the alert.
    const audit = await waitFor(
      () => decisionsFor(orchestra.store.db, key),
      (rows) => rows.some((d) => d.kind === 'ci-alert'),
    );
    expect(audit.map((d) => d.kind)).toEqual(['ci-retry', 'ci-retry', 'ci-alert']);
    expect(audit[0]).toMatchObject({ actor: 'rh-o', surface: 'automatic' });

    await handle.signal(ciDecisionSignal, { option: 'fix-and-repush', actor: 'maria' });
    const final = await handle.result();
    expect(final).toMatchObject({ outcome: 'blocked', decision: 'fix-and-repush', seenRunIds: ['r1', 'r2', 'r3'] });
    // Every run joined the experience log: the tier 2 entry for the test now counts them.
    expect((await knowledge.experience.testHistory(flakyTest)).filter((r) => r.commit === 'abc1234')).toHaveLength(3);
    await recordHistory(orchestra.env.client, workflowId, 'ci-watch-flake-then-real');
  });

  it('finishes green when every required job passes', async () => {
    const { handle } = await startCiWatch(orchestra, 2, { prUrl: 'https://github.com/o/r/pull/2', requiredJobs: ['e2e-aws', 'unit'] });
    await handle.signal(ciResultSignal, run('g1', 1, 'success'));
    await handle.signal(ciResultSignal, { ...run('g2', 1, 'success'), job: 'unit', tests: [] });
    expect(await handle.result()).toMatchObject({ outcome: 'green', jobs: { 'e2e-aws': 'success', unit: 'success' } });
  });
});
