// Helpers shared by the fault tests: a fresh database on a real PostgreSQL server (its URL is needed by
// child processes), a worker in a child process, and the work item plans the faults interrupt.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Plan, PlannedPhase } from '../../src/plan/schema.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Creates an empty database on the server of adminUrl and returns its URL. */
export async function freshDatabase(adminUrl: string, label: string): Promise<string> {
  const { default: pg } = await import('pg');
  const name = `sr_fault_${label}_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves once the worker polls its task queue. */
  ready: Promise<void>;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export function spawnWorker(env: { DATABASE_URL: string; TEMPORAL_ADDRESS: string; TEMPORAL_TASK_QUEUE: string; FAULT_DATA_DIR: string }): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/faults/worker-process.ts'], {
    cwd: repoRoot,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const ready = new Promise<void>((resolveReady, reject) => {
    const onData = (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-8_000);
      if (out.includes('worker ready')) resolveReady();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`worker process exited (${code}) before it was ready:\n${out}`)));
  });
  ready.catch(() => undefined);
  return {
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

/** One phase the offline agent knows how to do in the example Go repository. */
export function conditionPhase(id: string, type: string, reason: string, activity: PlannedPhase['activity'] = 'api_changes'): PlannedPhase {
  const snake = type.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  return {
    id,
    title: `Add NodePool condition type ${type} and reason ${reason}`,
    activity,
    files: ['api/hypershift/v1beta1/nodepool_conditions.go', 'api/hypershift/v1beta1/zz_generated.conditions.go', `api/hypershift/v1beta1/nodepool_condition_${snake}_test.go`],
    constraints: ['CamelCase condition type and reason values'],
    validation: [{ command: 'make verify', why: 'generated code current' }],
    dependsOn: [],
    mergeOrder: 1,
  };
}

export function onePhasePlan(key: string, phase: PlannedPhase): Plan {
  return { workItemKey: key, intention: 'NodePool should report capacity errors per platform', summary: '', phases: [phase] };
}

/** A Jira-shaped key no other test uses, e.g. KILL-48213907. */
export function faultKey(prefix: string): string {
  return `${prefix}-${Math.floor(Math.random() * 1e8)}`;
}
