// Each test file gets a TestWorkflowEnvironment connected to the shared dev server, and names that no
// other file uses (task queue, workflow id prefix), so parallel files never see each other's work.
import { inject } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';

export async function connectTestEnvironment(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress'), namespace: 'default' });
}

/** The time-skipping test server, for timers measured in hours (gate reminders, escalations). */
export async function startTimeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const path = inject('temporalTestServerPath');
  if (!path) throw new Error('time-skipping test server missing: run npm run temporal:setup');
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
}

export function uniqueSuffix(): string {
  return randomUUID().slice(0, 8);
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundling takes ~2 s; do it once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)), logger: quietLogger });
  return bundle;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
