// The Temporal server goes down mid-workflow and comes back on the same port with its SQLite state file:
// the worker and clients reconnect and the work item carries on to resolution, with one PR.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { findTemporalBinaries } from '../../src/temporal/binaries.js';
import { environmentFrom } from '../../src/config/environment.js';
import { freePort, startDevServer, type DevServer } from '../../src/temporal/dev-server.js';
import { eventually, startTestRuntime, type TestRuntime } from '../support/runtime.js';
import { faultKey, startApprovedPhase } from './support.js';

let server: DevServer | undefined;
let rt: TestRuntime | undefined;
afterAll(async () => {
  await rt?.stop();
  await server?.stop();
});

describe('the Temporal server restarts with its state file', () => {
  it('a running work item continues after the server comes back', async () => {
    const cli = findTemporalBinaries(environmentFrom(process.env).temporal).cli;
    const dbFile = join(mkdtempSync(join(tmpdir(), 'sitroom-fault-temporal-')), 'temporal.sqlite');
    const port = await freePort();
    server = await startDevServer({ cli, port, dbFile });
    const env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address, namespace: 'default' });
    rt = await startTestRuntime({ env });

    const key = faultKey('TEMPORAL');
    const { state } = await startApprovedPhase(env.client, rt.taskQueue, key);
    await eventually(state, (s) => s.phases[0]?.status === 'running', 'phase running');

    // Down while the phase runs; back a few seconds later on the same port and file.
    await server.stop();
    await new Promise((r) => setTimeout(r, 3_000));
    server = await startDevServer({ cli, port, dbFile });

    const final = await eventually(
      () => state().catch(() => undefined),
      (s) => s?.status === 'resolved' || Boolean(s?.phases.some((p) => p.status === 'failed')),
      'resolution after the restart',
      240_000,
    );
    expect(final!.phases.map((p) => [p.id, p.status])).toEqual([['api', 'merged']]);
    const pulls = (JSON.parse(readFileSync(join(rt.core.targetRepo, '.git', 'sitroom', 'state.json'), 'utf8')) as { pulls: Array<{ branch: string }> }).pulls;
    expect(pulls.filter((p) => p.branch.includes(key.toLowerCase()))).toHaveLength(1);
  }, 360_000);
});
