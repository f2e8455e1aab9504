// Builds the Temporal worker that runs RH-O's workflows and RH-A's activities.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Activities } from '../activities/index.js';
import { createDecisionSinks } from '../activities/sinks.js';
import type { Logger } from '../observability/logger.js';
import type { TemporalSecurity } from './connection.js';

export const defaultTaskQueue = 'situation-room';

/**
 * Heartbeats of activities without a heartbeat timeout (answering a question) reach the server at most this
 * often; the asker's status line follows them, so the SDK's 30 s default would leave it stale.
 */
export const heartbeatThrottle = { defaultHeartbeatThrottleInterval: '1 second' } as const;
export const workflowsPath = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

export interface WorkerOptions {
  address: string;
  /** TLS, mTLS or API key (temporalSecurity); plain gRPC without it. */
  security?: TemporalSecurity;
  namespace?: string;
  taskQueue?: string;
  activities: Activities;
  /** Where the decision sink reports a decision it could not store (the workflow confirms it later). */
  logger: Pick<Logger, 'warn'>;
  /** Pre-bundled workflow code (tests bundle once per file); otherwise bundled from workflows/. */
  workflowBundle?: WorkflowBundleWithSourceMap;
  maxConcurrentActivityTaskExecutions?: number;
  /** Workflow tasks this worker holds at once; see workflowTaskSlots for the default's reason. */
  maxConcurrentWorkflowTaskExecutions?: number;
}

/**
 * Workflow tasks the worker takes at once. All workflow code runs on one thread (the SDK's pool of 1 with a
 * reused V8 context), so a task the worker has taken waits behind the others it holds, and its 10 s timeout
 * runs while it waits. The SDK's 40 let a restarted worker take 40 replays at once (each re-creates the
 * workflow, 150-250 ms on 2 busy cores): the last ones timed out and the server aborted the updates they
 * carried (FAILED_PRECONDITION, a person's tap refused). Tasks left on the server wait without a timeout.
 * https://typescript.temporal.io/api/interfaces/worker.WorkerOptions#maxconcurrentworkflowtaskexecutions
 */
export const workflowTaskSlots = 10;

export async function createWorker(options: WorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: options.address, ...options.security });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? defaultTaskQueue,
    activities: options.activities,
    sinks: createDecisionSinks(options.activities, options.logger),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 20,
    maxConcurrentWorkflowTaskExecutions: options.maxConcurrentWorkflowTaskExecutions ?? workflowTaskSlots,
    // Let running activities finish (or notice cancellation) before the process exits on SIGINT/SIGTERM.
    shutdownGraceTime: '20 seconds',
    ...heartbeatThrottle,
  });
  return { worker, connection };
}
