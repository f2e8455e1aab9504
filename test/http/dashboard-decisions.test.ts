// Pending CI and budget decisions on the dashboard. The work item workflow is the authority: when a phase
// reports (by signal, as the CI watch and the phase workflow do) that a CI failure or the token budget waits for
// the owner, the workflow writes it to the phases table through recordPhase, and the dashboard reads the store.
// Real workflow on the Temporal dev server, real activities and store, the dashboard over HTTP.
import { eq } from 'drizzle-orm';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phases } from '../../src/db/schema/core.js';
import { createDashboardHandler, dashboardLoginLink } from '../../src/http/dashboard/index.js';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { curatorsFromConfig } from '../../src/knowledge/access.js';
import { KnowledgeStore } from '../../src/knowledge/store.js';
import type { Plan } from '../../src/plan/schema.js';
import { approvePlanUpdate, budgetUpdate, ciOptionUpdate, phaseProgressSignal, workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { startOrchestra, type Orchestra } from '../support/orchestra.js';

const secret = 'test-dashboard-secret-0123456789abcdef';
let orchestra: Orchestra;
let server: HttpServer;
let cookie: string;

beforeAll(async () => {
  orchestra = await startOrchestra();
  const knowledge = new KnowledgeStore(orchestra.store.db, { curators: curatorsFromConfig(orchestra.config) });
  const displayNames = new Map([...orchestra.config.roles.values()].map((r) => [r.developer, r.display_name]));
  server = await startHttpServer({ port: 0, routes: [createDashboardHandler({ db: orchestra.store.db, knowledge, secret, displayNames })] });
  const res = await fetch(dashboardLoginLink(server.url, secret, 'priya', new Date()), { redirect: 'manual' });
  cookie = res.headers.get('set-cookie')!.split(';')[0]!;
});
afterAll(async () => {
  await server?.close();
  await orchestra?.stop();
});

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The "Pending decisions" section of the page, as text. */
async function pendingOnDashboard(): Promise<string> {
  const res = await fetch(new URL('/dashboard', server.url), { headers: { cookie } });
  expect(res.status).toBe(200);
  const html = await res.text();
  return /<section id="decisions">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
}

const phaseRow = async (key: string) => (await orchestra.store.db.select().from(phases).where(eq(phases.workItemKey, key)))[0];

describe('pending CI and budget decisions on the dashboard', () => {
  let key: string;
  let handle: WorkflowHandle;

  beforeAll(async () => {
    key = `${orchestra.keyPrefix}-31`;
    const plan: Plan = {
      workItemKey: key,
      intention: 'NodePool reports capacity errors',
      summary: '',
      phases: [
        {
          id: 'api',
          title: 'API surface: condition type and reasons',
          activity: 'api_changes',
          files: ['api/hypershift/v1beta1/nodepool_conditions.go'],
          constraints: [],
          validation: [],
          dependsOn: [],
          mergeOrder: 1,
        },
      ],
    };
    handle = await orchestra.env.client.workflow.start('workItemWorkflow', {
      taskQueue: orchestra.taskQueue,
      workflowId: workItemWorkflowId(key),
      args: [{ key, ownerId: 'maria', title: 'Capacity errors per platform', intention: plan.intention, plan }],
    });
    await until(
      () => handle.query(workItemStateQuery),
      (s) => s.status === 'awaiting-plan-approval',
      'the plan gate',
    );
    await handle.executeUpdate(approvePlanUpdate, { args: [{ actor: 'maria', surface: 'slack-button' }], updateId: `tap-${key}-plan` });
    await until(
      () => phaseRow(key),
      (r) => r?.status === 'awaiting-approval',
      'the phase gate in the store',
    );
  });

  it('a CI failure waiting for the owner is stored and shown until the owner picks an option', async () => {
    expect(await pendingOnDashboard()).toContain(`gate of phase api: API surface: condition type and reasons`);
    // What the CI watch sends when it escalates a blocking failure (the phase's first attempt has not started: attempt 0).
    await handle.signal(phaseProgressSignal, { phaseId: 'api', attempt: 0, status: 'ci', awaitingCiDecision: true });
    await until(
      () => phaseRow(key),
      (r) => r?.status === 'awaiting-ci-decision',
      'the CI decision in the store',
    );
    const pending = await pendingOnDashboard();
    expect(pending).toContain(
      `<strong>${key}</strong> CI failure on phase api: API surface: condition type and reasons — fix and re-push, wait, or skip the test`,
    );
    expect(pending).toContain('waiting on Maria');
    expect(pending).not.toContain('gate of phase api');

    await handle.executeUpdate(ciOptionUpdate, {
      args: [{ actor: 'maria', surface: 'slack-button', phaseId: 'api', option: 'wait-for-me' }],
      updateId: `tap-${key}-ci`,
    });
    await until(
      () => phaseRow(key),
      (r) => r?.status === 'ci',
      'the decided CI failure in the store',
    );
    expect(await pendingOnDashboard()).not.toContain('CI failure on phase api');
  });

  it('a phase stopped at its token budget is stored and shown until the owner continues or stops it', async () => {
    await handle.signal(phaseProgressSignal, { phaseId: 'api', attempt: 0, status: 'running', awaitingBudget: true });
    await until(
      () => phaseRow(key),
      (r) => r?.status === 'awaiting-budget',
      'the budget decision in the store',
    );
    expect(await pendingOnDashboard()).toContain(
      `<strong>${key}</strong> token budget reached on phase api: API surface: condition type and reasons — continue or stop`,
    );
    await handle.executeUpdate(budgetUpdate, {
      args: [{ actor: 'maria', surface: 'slack-button', phaseId: 'api', approve: true }],
      updateId: `tap-${key}-budget`,
    });
    await until(
      () => phaseRow(key),
      (r) => r?.status === 'running',
      'the decided budget in the store',
    );
    expect(await pendingOnDashboard()).not.toContain('token budget reached');
    // The workflow's own view agrees with the store.
    const state = await handle.query(workItemStateQuery);
    expect(state.phases[0]).toMatchObject({ id: 'api', status: 'running', awaitingBudget: false, awaitingCiDecision: false });
  });
});
