// The whole product's back end for end-to-end tests: the composition root (store, config, domain model,
// knowledge, offline RH-A, local git mode with a fresh copy of the example repository) and a worker on the
// shared Temporal dev server with a task queue of its own.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { heartbeatThrottle } from '../../src/temporal/worker.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createCore, createOrchestrator, type Core } from '../../src/main/compose.js';
import { createLogger } from '../../src/observability/logger.js';
import { environmentFrom } from '../../src/config/environment.js';
import type { Orchestrator } from '../../src/orchestrator/port.js';
import { openTestStore } from './db.js';
import { connectTestEnvironment, uniqueSuffix, workflowBundle } from './temporal.js';
import { createDecisionSinks } from '../../src/activities/sinks.js';

export interface TestRuntime {
  core: Core;
  env: TestWorkflowEnvironment;
  taskQueue: string;
  orchestrator: Orchestrator;
  keyPrefix: string;
  restartWorker(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The product's logs are silent in tests; `SITROOM_TEST_LOG=<file>` appends them (debug level, JSON lines) to
 * that file, to see what a worker did while an end-to-end test waited.
 */
async function testLogger() {
  const file = process.env.SITROOM_TEST_LOG;
  if (!file) return createLogger('e2e', 'silent');
  const { default: pino } = await import('pino');
  return createLogger('e2e', 'debug', pino.destination({ dest: file, append: true }));
}

export async function startTestRuntime(
  options: { env?: TestWorkflowEnvironment; startWorker?: boolean; processEnv?: NodeJS.ProcessEnv } = {},
): Promise<TestRuntime> {
  const env = options.env ?? (await connectTestEnvironment());
  const dataDir = mkdtempSync(join(tmpdir(), 'sitroom-e2e-'));
  const store = await openTestStore();
  const { ANTHROPIC_API_KEY: _key, GITHUB_TOKEN: _gh, TARGET_REPO: _target, ...rest } = process.env;
  const core = await createCore({ environment: environmentFrom({ ...rest, ...options.processEnv }), dataDir, store, logger: await testLogger() });
  const taskQueue = `e2e-${uniqueSuffix()}`;
  const bundle = await workflowBundle();
  const makeWorker = () =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: core.activities,
      sinks: createDecisionSinks(core.activities, core.logger),
      shutdownGraceTime: '2 seconds',
      ...heartbeatThrottle,
    });
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  if (options.startWorker !== false) {
    worker = await makeWorker();
    running = worker.run();
  }
  return {
    core,
    env,
    taskQueue,
    orchestrator: createOrchestrator(core, env.client, taskQueue),
    keyPrefix: `E${Math.floor(Math.random() * 1e9)}`,
    async restartWorker() {
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      await running;
      worker = await makeWorker();
      running = worker.run();
    },
    async stop() {
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      await running;
      await core.close();
      await store.close();
      if (!options.env) await env.teardown();
    },
  };
}

export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)?.slice(0, 2_000)}`);
}
