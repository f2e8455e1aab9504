// Drift is noticed by the product: the "model-drift" schedule fetches the target's default branch, checks the
// domain model against it and, when a reference broke, proposes the fix to the model's owners
// (domain-models/OWNERS -> priya in the example roster) in a Slack DM, once per (commit, model digest).
// Real Temporal dev server, real worker, real Bolt app and the local Slack workspace; the target is a clone of
// an "upstream" copy of the example repository, so each run really fetches.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { notificationOutbox } from '../../src/db/schema/core.js';
import { createExampleRepo } from '../../src/integrations/example-repo.js';
import { git } from '../../src/integrations/git.js';
import { verifiedRef } from '../../src/integrations/model-drift.js';
import { ensureModelDriftSchedule } from '../../src/orchestrator/schedules.js';
import type { StoredMessage } from '../../src/local-slack/server.js';
import { modelDriftScheduleId } from '../../workflows/ids.js';
import type { ModelDriftResult } from '../../workflows/model-drift.js';
import { startTestRuntime, type TestRuntime } from '../support/runtime.js';
import { startSurfaces, type Surfaces } from '../support/surfaces.js';
import { seen, until } from '../support/slack-view.js';
import { repoRoot } from '../../src/paths.js';

let rt: TestRuntime;
let surfaces: Surfaces;
let upstream: string;
let lastTrigger = 0;

const conditionsFile = 'api/hypershift/v1beta1/nodepool_conditions.go';
const movedSymbol = 'NodePoolReconciliationActiveConditionType';

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'sitroom-drift-'));
  upstream = (await createExampleRepo(join(root, 'upstream'))).dir;
  const checkout = join(root, 'checkout');
  await git(root, ['clone', '-q', upstream, checkout]);
  rt = await startTestRuntime({ processEnv: { TARGET_REPO: checkout } });
  surfaces = await startSurfaces(rt);
}, 120_000);

afterAll(async () => {
  await surfaces?.stop();
  await rt?.stop();
});

/** Fires the schedule as its hour would and waits for the run it started. */
async function fireSchedule(): Promise<ModelDriftResult> {
  // The shared dev server keeps schedules across test files: point this one at this runtime first.
  await ensureModelDriftSchedule(rt.env.client, rt.taskQueue);
  const handle = rt.env.client.schedule.getHandle(modelDriftScheduleId);
  const before = new Set((await handle.describe()).info.recentActions.map((a) => a.action.workflow.workflowId));
  // The server names a scheduled run after its start time to the second, and drops a second trigger in the
  // same second as a duplicate id; a fast run can finish within the second it started.
  await new Promise((r) => setTimeout(r, Math.max(0, lastTrigger + 1_100 - Date.now())));
  lastTrigger = Date.now();
  await handle.trigger();
  const started = await until(
    async () => (await handle.describe()).info.recentActions.map((a) => a.action.workflow.workflowId).find((id) => !before.has(id)),
    'the scheduled drift run',
  );
  return rt.env.client.workflow.getHandle(started).result();
}

const dmsOf = (user: string) => surfaces.workspace.messagesIn(surfaces.workspace.dmChannel(surfaces.workspace.user(user).id));
const driftDms = (user: string) => dmsOf(user).filter((m: StoredMessage) => m.text.startsWith('Domain model drift'));

describe('model drift on the target default branch', () => {
  it('records a clean run, proposes a moved symbol to the owners once, and stays quiet on a re-run', async () => {
    const checkout = rt.core.targetRepo;
    // First run: no verified commit yet and the pin is not in this repository, so today's head is the baseline.
    const first = await fireSchedule();
    expect(first.broken).toBe(0);
    expect(first.proposals).toEqual([]);
    expect(first.fetched).toBe(true);
    expect((await git(checkout, ['rev-parse', verifiedRef])).trim()).toBe(first.commit);

    // Upstream moves a condition constant the model's condition catalog references into a file of its own.
    const text = readFileSync(join(upstream, conditionsFile), 'utf8');
    const declaration = text.split('\n').find((l) => new RegExp(`^\\s*${movedSymbol}\\b.*=`).test(l))!;
    expect(declaration).toBeDefined();
    writeFileSync(join(upstream, conditionsFile), text.replace(declaration, '\t// ReconciliationActive is declared in nodepool_pause_conditions.go.'));
    writeFileSync(
      join(upstream, 'api/hypershift/v1beta1/nodepool_pause_conditions.go'),
      `package v1beta1\n\n// Pausing reconciliation.\nconst (\n${declaration}\n)\n`,
    );
    await git(upstream, ['add', '-A']);
    await git(upstream, ['commit', '-q', '-m', 'Move the pause condition into its own file']);
    const moved = (await git(upstream, ['rev-parse', 'HEAD'])).trim();

    const second = await fireSchedule();
    expect(second.commit).toBe(moved); // fetched from upstream
    expect(second.baseline).toBe(first.commit);
    expect(second.broken).toBe(1);
    expect(second.proposals).toEqual([`model-drift:${moved}:${second.modelDigest}:priya`]);
    const proposal = await until(() => driftDms('priya')[0], "priya's drift proposal", 30_000);
    const shown = seen(proposal);
    expect(shown).toContain(`${conditionsFile}#${movedSymbol}`);
    expect(shown).toContain('likely now `api/hypershift/v1beta1/nodepool_pause_conditions.go:5`');
    expect(shown).toContain('nodepool-lifecycle.yaml');
    // The drift stays open: the verified commit does not move past it.
    expect((await git(checkout, ['rev-parse', verifiedRef])).trim()).toBe(first.commit);
    // Only the model's owners hear about it.
    expect(driftDms('maria')).toHaveLength(0);
    expect(driftDms('sam')).toHaveLength(0);

    // Same commit, same model: the run finds the same drift and posts nothing new.
    const third = await fireSchedule();
    expect(third.broken).toBe(1);
    expect(third.proposals).toEqual(second.proposals);
    const rows = await rt.core.store.db
      .select()
      .from(notificationOutbox)
      .where(and(eq(notificationOutbox.kind, 'model-drift'), eq(notificationOutbox.developerId, 'priya')));
    expect(rows).toHaveLength(1);
    await until(
      async () => (await rt.core.store.db.select().from(notificationOutbox).where(eq(notificationOutbox.id, rows[0]!.id)))[0]?.deliveredAt,
      'the proposal delivered',
    );
    await new Promise((r) => setTimeout(r, 1_000)); // a few dispatcher cycles
    expect(driftDms('priya')).toHaveLength(1);

    // The same run on demand, as a person types it: it runs on the worker, finds the open drift, posts nothing new.
    const cli = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'model', 'drift', '--json'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: rt.taskQueue },
    }).catch((err: { code: number; stdout: string; stderr: string }) => err);
    expect('code' in cli ? cli.code : 0).toBe(1); // exit 1: drift is open
    const now = JSON.parse(cli.stdout) as ModelDriftResult;
    expect(now).toMatchObject({ commit: moved, baseline: first.commit, broken: 1, proposals: second.proposals });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(driftDms('priya')).toHaveLength(1);
  }, 240_000);
});
