// Helpers shared by the fault tests: a fresh database on a real PostgreSQL server (its URL is needed by
// child processes), the product's processes started as their commands start them (each its own OS process,
// so SIGKILL is a real crash), and the work item plans the faults interrupt.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import type { Plan, PlannedPhase } from '../../src/plan/schema.js';
import { approvePhaseUpdate, approvePlanUpdate, workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { eventually } from '../support/runtime.js';
import { conditionPhase } from '../support/plans.js';
import { createDatabase } from '../support/db.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** An empty database for a child process to share (PGlite cannot be shared between processes). */
export function freshDatabase(adminUrl: string, label: string): Promise<string> {
  return createDatabase(adminUrl, `sr_fault_${label}`);
}

/** Drops a database made by freshDatabase, closing any connection still open to it. */
export async function dropDatabase(adminUrl: string, databaseUrl: string): Promise<void> {
  const { default: pg } = await import('pg');
  const name = new URL(databaseUrl).pathname.slice(1);
  if (!name.startsWith('sr_fault_')) throw new Error(`refusing to drop ${name}: not a fault-test database`);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export interface ProductProcess {
  name: string;
  child: ChildProcess;
  output(): string;
  ready: Promise<void>;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/**
 * A product process as its command starts it: `node --import tsx <script> <args>`, one OS process (the
 * installed bin wrapper and the tsx CLI each add a parent that a SIGKILL would leave orphaned).
 */
export function startProduct(name: string, script: string, args: string[], env: Record<string, string>, readyWhen: string): ProductProcess {
  // The offline agent and the local git mode, whatever the developer's shell exports.
  const {
    ANTHROPIC_API_KEY: _k,
    GITHUB_TOKEN: _g,
    TARGET_REPO: _t,
    DATABASE_URL: _d,
    TEMPORAL_ADDRESS: _a,
    SLACK_BOT_TOKEN: _s,
    SLACK_APP_TOKEN: _x,
    ...inherited
  } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: repoRoot,
    env: { ...inherited, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const ready = new Promise<void>((resolveReady, reject) => {
    const onData = (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-20_000);
      if (out.includes(readyWhen)) resolveReady();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`${name} exited (${code}) before it was ready:\n${out}`)));
  });
  ready.catch(() => undefined);
  return {
    name,
    child,
    output: () => out,
    ready,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** A worker as its own OS process on the given store and queue (test/faults/worker-process.ts). */
export function spawnWorker(env: { DATABASE_URL: string; TEMPORAL_ADDRESS: string; TEMPORAL_TASK_QUEUE: string; FAULT_DATA_DIR: string }): ProductProcess {
  return startProduct('worker', 'test/faults/worker-process.ts', [], env, 'worker ready');
}

export { conditionPhase };

export function onePhasePlan(key: string, phase: PlannedPhase): Plan {
  return { workItemKey: key, intention: 'NodePool should report capacity errors per platform', summary: '', phases: [phase] };
}

/**
 * A one-phase work item whose plan and phase maria has approved on their gates (the updates the Slack buttons
 * send), returned once the phase is running: the moment the faults interrupt.
 */
export async function startApprovedPhase(client: Client, taskQueue: string, key: string) {
  const handle = await client.workflow.start('workItemWorkflow', {
    taskQueue,
    workflowId: workItemWorkflowId(key),
    args: [
      {
        key,
        ownerId: 'maria',
        title: 'Capacity errors per platform',
        intention: 'report capacity errors',
        plan: onePhasePlan(key, conditionPhase('api', 'CapacityError', 'InsufficientCapacity')),
        phaseHeartbeatTimeoutMs: 5_000,
      },
    ],
  });
  const state = () => handle.query(workItemStateQuery);
  await eventually(state, (s) => s.status === 'awaiting-plan-approval', 'plan gate');
  await handle.executeUpdate(approvePlanUpdate, { args: [{ actor: 'maria', surface: 'slack-button' }], updateId: `${key}:approve-plan` });
  await eventually(state, (s) => s.phases[0]?.status === 'awaiting-approval', 'phase gate');
  await handle.executeUpdate(approvePhaseUpdate, { args: [{ actor: 'maria', surface: 'slack-button', phaseId: 'api' }], updateId: `${key}:approve-phase:api` });
  return { handle, state };
}

/** A Jira-shaped key no other test uses, e.g. KILL-48213907. */
export function faultKey(prefix: string): string {
  return `${prefix}-${Math.floor(Math.random() * 1e8)}`;
}

// ---- the Slack and HTTP surfaces on top of a test runtime ---------------------------------------------

export { startSurfaces, type Surfaces } from '../support/surfaces.js';
