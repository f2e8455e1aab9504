// The situation zone (App Home) shows what CI did on the developer's own work, from the audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendDecision, upsertWorkItem } from '../../src/db/work-items.js';
import { startTestRuntime, type TestRuntime } from '../support/runtime.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await startTestRuntime({ startWorker: false });
});
afterAll(async () => rt?.stop());

describe('situation', () => {
  it("lists recent silent flake retries and blocking CI failures on the developer's work items only", async () => {
    const mine = `${rt.keyPrefix}-1`;
    const theirs = `${rt.keyPrefix}-2`;
    await upsertWorkItem(rt.core.store.db, { key: mine, ownerId: 'maria', title: 'Capacity errors', intention: 'x', workflowId: 'n/a', status: 'executing' });
    await upsertWorkItem(rt.core.store.db, { key: theirs, ownerId: 'sam', title: 'Starter', intention: 'y', workflowId: 'n/a', status: 'executing' });
    const base = { surface: 'automatic', actor: 'rh-o', phaseId: 'api' };
    await appendDecision(rt.core.store.db, { ...base, idempotencyKey: `${mine}-r1`, workItemKey: mine, kind: 'ci-retry', detail: { job: 'e2e-aws' } });
    await appendDecision(rt.core.store.db, {
      ...base,
      idempotencyKey: `${mine}-a1`,
      workItemKey: mine,
      kind: 'ci-alert',
      detail: { job: 'unit', failures: [{ test: 'TestX', classification: 'real' }] },
    });
    await appendDecision(rt.core.store.db, {
      ...base,
      idempotencyKey: `${theirs}-a1`,
      workItemKey: theirs,
      kind: 'ci-alert',
      detail: { job: 'unit', failures: [] },
    });
    const situation = await rt.orchestrator.situation('maria');
    expect(situation.recentCi).toEqual([
      { workItemKey: mine, phaseId: 'api', job: 'unit', result: 'blocking failure', classification: 'real' },
      { workItemKey: mine, phaseId: 'api', job: 'e2e-aws', result: 'known flake, retried', classification: 'known-flake' },
    ]);
    expect((await rt.orchestrator.situation('priya')).recentCi).toEqual([]);
  });
});
