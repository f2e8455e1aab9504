// Flake decisions on Prow's terms, end to end on the real dev server: the Schedule imports Sippy's history
// from a loopback Sippy speaking its /api/tests JSON, then the CI watch retries a failure of a test Sippy
// knows as flaky without paging anyone, and escalates a failure of a test that passes 99.5% of the time at
// once (to the owner and the team's channel). A failing import is recorded and blocks no decision.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { notificationOutbox } from '../../src/db/schema/core.js';
import { decisionsFor } from '../../src/db/work-items.js';
import type { CiRunReport } from '../../src/contracts/ci.js';
import { lastHistoryImport, storedVerdicts } from '../../src/knowledge/flake-decisions.js';
import { ensureCiHistorySchedule } from '../../src/orchestrator/schedules.js';
import { ciHistoryImportScheduleId } from '../../workflows/ids.js';
import { ciResultSignal, ciWatchStateQuery } from '../../workflows/definitions.js';
import type { Orchestra } from '../support/orchestra.js';
import { sippyRow, startFakeSippy, type FakeSippy } from '../support/doubles/sippy.js';
import { e2eAwsRun, RecordingCi, startCiWatch, startCiWatchOrchestra } from '../support/ci-watch.js';
import { waitFor } from '../support/wait.js';

const flaky = 'TestNodePool/HostedCluster0/Main/TestNodePoolAutoRepair';
const solid = 'TestCreateCluster/Main/EnsureNoCrashingPods';
const release = '4.22';
const variant = 'Installer:hypershift';

const ci = new RecordingCi();
let orchestra: Orchestra;
let sippy: FakeSippy;

beforeAll(async () => {
  sippy = await startFakeSippy({
    [release]: [
      // 400 runs over two variants: 70% pass (flakes counted as passes, as Sippy does), 25% flakes.
      sippyRow(flaky, [variant, 'Platform:aws'], 300, 90, 70),
      sippyRow(flaky, [variant, 'Platform:kubevirt'], 100, 30, 30),
      // 1,000 runs, 5 failures: 99.5%, the Risk Analysis "high" band.
      sippyRow(solid, [variant, 'Platform:aws'], 1000, 5, 0),
      // Another product's test: narrowed out by the repository's variant.
      sippyRow('[sig-network] services should work', ['Platform:aws'], 900, 400, 0),
    ],
  });
  orchestra = await startCiWatchOrchestra(ci, { sippy: { url: sippy.url, release, variants: [variant], import_every: 3_600_000 } });
});
afterAll(async () => {
  await orchestra?.env.client.schedule
    .getHandle(ciHistoryImportScheduleId)
    .delete()
    .catch(() => undefined);
  await orchestra?.stop();
  await sippy?.close();
});

function failure(runId: string, test: string, message: string): CiRunReport {
  return e2eAwsRun(runId, { commit: 'feedc0de', attempt: 1, state: 'failure', tests: [{ job: 'e2e-aws', test, status: 'failed', message }] });
}

const watch = (n: number) => startCiWatch(orchestra, n);

const alertsOf = async (key: string) =>
  (await orchestra.store.db.select().from(notificationOutbox).where(eq(notificationOutbox.kind, 'ci-alert'))).filter(
    (r) => (r.payload as { workItemKey?: string }).workItemKey === key,
  );

describe('flake decisions from Sippy history', () => {
  it('imports the history on the Schedule, retries the known-flaky test silently and escalates the 99.5% test at once', async () => {
    await ensureCiHistorySchedule(orchestra.env.client, 3_600_000, orchestra.taskQueue);
    const imported = await waitFor(
      () => lastHistoryImport(orchestra.store.db),
      (row) => row?.ok === true,
    );
    expect(imported).toMatchObject({ ok: true, release, tests: 2 });
    expect(JSON.parse(sippy.requests.at(-1)!.filter!)).toMatchObject({ items: [{ columnField: 'variants', operatorValue: 'has entry', value: variant }] });

    // Never seen by Situation Room before: only Sippy's history says it is flaky (70% pass over 400 runs).
    const first = await watch(1);
    await first.handle.signal(ciResultSignal, failure('f1', flaky, 'nodepool_test.go:212: timed out waiting for the condition after 10m0s'));
    await waitFor(
      async () => ci.comments.length,
      (n) => n === 1,
    );
    expect(ci.comments[0]).toMatchObject({ body: '/test e2e-aws', prUrl: 'https://github.com/openshift/hypershift/pull/1' });
    const retry = await waitFor(
      () => decisionsFor(orchestra.store.db, first.key),
      (rows) => rows.some((d) => d.kind === 'ci-retry'),
    );
    expect(retry.map((d) => d.kind)).toEqual(['ci-retry']);
    expect((retry[0]!.detail as { decisions: unknown[] }).decisions).toEqual([
      expect.objectContaining({
        test: flaky,
        action: 'retry',
        state: 'flaky',
        band: 'low',
        requiredJob: true,
        historySource: 'sippy',
        historyRuns: 400,
        passPercentage: 70,
      }),
    ]);
    expect(await alertsOf(first.key)).toEqual([]);
    expect((await first.handle.query(ciWatchStateQuery)).retestsByHead).toEqual({ feedc0de: 1 });

    // A failure in a test that passes 99.5% of the time: a regression, escalated on the first failure.
    const second = await watch(2);
    await second.handle.signal(ciResultSignal, failure('s1', solid, 'create_cluster_test.go:88: pod control-plane-operator-5d9f7c-abcde restarted 3 times'));
    const raised = await waitFor(
      () => alertsOf(second.key),
      (rows) => rows.length === 2,
    );
    expect(raised.map((r) => r.channel).sort()).toEqual(['#hypershift-data-plane', null]);
    expect(raised.find((r) => r.channel === null)).toMatchObject({ developerId: 'maria', urgency: 'blocking' });
    expect(raised[0]!.payload).toMatchObject({
      failures: [
        expect.objectContaining({
          test: solid,
          classification: 'real',
          decision: expect.objectContaining({ action: 'escalate', state: 'regressed', band: 'high' }),
        }),
      ],
    });
    expect(ci.comments).toHaveLength(1);

    // The decisions are stored per test with their inputs: the dashboard shows these, not a second opinion.
    const verdicts = await storedVerdicts(orchestra.store.db);
    expect(verdicts.get(flaky)).toMatchObject({ state: 'flaky', action: 'retry' });
    expect(verdicts.get(solid)).toMatchObject({
      state: 'regressed',
      action: 'escalate',
      inputs: { requiredJob: true, history: { source: 'sippy', runs: 1000 } },
    });
  });

  it('records a failed import and keeps deciding from what it has', async () => {
    sippy.faults.push({ kind: 'status', status: 503 }, { kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    const before = (await lastHistoryImport(orchestra.store.db))!.at;
    const result = await orchestra.env.client.workflow.execute('ciHistoryImportWorkflow', {
      workflowId: `ci-history-import:test:${Date.now()}`,
      taskQueue: orchestra.taskQueue,
      args: [],
    });
    expect(result).toMatchObject({ ok: false, tests: 0 });
    expect(result.error).toMatch(/Sippy answered 503/);
    expect(await lastHistoryImport(orchestra.store.db)).toMatchObject({ ok: false, error: expect.stringMatching(/503/) });
    expect((await lastHistoryImport(orchestra.store.db))!.at.getTime()).toBeGreaterThanOrEqual(before.getTime());

    const third = await watch(3);
    await third.handle.signal(ciResultSignal, failure('t1', flaky, 'nodepool_test.go:212: timed out waiting for the condition after 11m0s'));
    await waitFor(
      async () => ci.comments.length,
      (n) => n === 2,
    );
    expect(ci.comments).toHaveLength(2);
    expect(await alertsOf(third.key)).toEqual([]);
  });
});
