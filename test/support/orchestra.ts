// A running RH-O for workflow tests: the real workflows on the shared Temporal dev server, the real
// activities on a fresh store, the real example config and domain model. Each call gets its own task
// queue so test files never pick up each other's tasks.
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities, type ActivityDeps } from '../../src/activities/index.js';
import { createDecisionSinks } from '../../src/activities/sinks.js';
import type { DecisionCommit } from '../../src/contracts/decisions.js';
import { exampleTargetRepo, loadConfig, type LoadedConfig } from '../../src/config/load.js';
import type { OpenStore } from '../../src/db/client.js';
import { upsertDevelopers } from '../../src/db/work-items.js';
import { createLogger } from '../../src/observability/logger.js';
import { createDomainInsight } from '../../src/knowledge/insight.js';
import { connectTestEnvironment, uniqueSuffix, workflowBundle } from './temporal.js';
import { openTestStore } from './db.js';

export interface Orchestra {
  env: TestWorkflowEnvironment;
  store: OpenStore;
  config: LoadedConfig;
  taskQueue: string;
  /** Unique per orchestra, for work item keys: "HOSTEDCP-<n>". */
  keyPrefix: string;
  worker: Worker;
  stop(): Promise<void>;
  restartWorker(): Promise<void>;
}

/** Called by the worker's decision sink in place of the store; `store` is the real one. */
export type DecisionSinkWrapper = (commit: DecisionCommit, store: (commit: DecisionCommit) => Promise<unknown>) => Promise<unknown>;

function sinkStore(
  sink: 'worker' | 'failing' | DecisionSinkWrapper | undefined,
  activities: { commitDecision(commit: DecisionCommit): Promise<unknown> },
): { commitDecision(commit: DecisionCommit): Promise<unknown> } {
  if (sink === 'failing') return { commitDecision: () => Promise.reject(new Error('connection refused')) };
  if (typeof sink === 'function') return { commitDecision: (commit) => sink(commit, (c) => activities.commitDecision(c)) };
  return activities;
}

export type PortOverrides = Partial<Pick<ActivityDeps, 'agent' | 'ci' | 'ciKnowledge' | 'memory' | 'insight' | 'ciHistory' | 'followUpBugs'>>;

const unexpected = (port: string) =>
  new Proxy({}, { get: (_t, name) => () => Promise.reject(new Error(`${port}.${String(name)} was not expected in this test`)) });

export async function startOrchestra(
  ports: PortOverrides = {},
  /**
   * decisionSink 'failing': the worker's fast path never stores a decision, as when the database is down at that instant.
   * A function stands between the sink and the store (to hold the worker's thread while a decision is stored, say).
   */
  options: { env?: TestWorkflowEnvironment; decisionSink?: 'worker' | 'failing' | DecisionSinkWrapper } = {},
): Promise<Orchestra> {
  const env = options.env ?? (await connectTestEnvironment());
  const store = await openTestStore();
  const config = loadConfig(exampleTargetRepo);
  await upsertDevelopers(store.db, config.roles.values());
  const insight = createDomainInsight();
  const taskQueue = `test-${uniqueSuffix()}`;
  const silent = createLogger('test', 'silent');
  const activities = createActivities({
    db: store.db,
    config: () => config,
    logger: silent,
    insight: ports.insight ?? { impact: insight.impact, prReady: () => Promise.reject(new Error('prReady not expected')) },
    agent: ports.agent ?? (unexpected('agent') as ActivityDeps['agent']),
    ci: ports.ci ?? (unexpected('ci') as ActivityDeps['ci']),
    ciKnowledge: ports.ciKnowledge ?? (unexpected('ciKnowledge') as ActivityDeps['ciKnowledge']),
    memory: ports.memory ?? (unexpected('memory') as ActivityDeps['memory']),
    ...(ports.ciHistory ? { ciHistory: ports.ciHistory } : {}),
    ...(ports.followUpBugs ? { followUpBugs: ports.followUpBugs } : {}),
  });
  const bundle = await workflowBundle();
  const makeWorker = () =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities,
      sinks: createDecisionSinks(sinkStore(options.decisionSink, activities), silent),
      shutdownGraceTime: '2 seconds',
    });
  let worker = await makeWorker();
  let running = worker.run();
  const orchestra: Orchestra = {
    env,
    store,
    config,
    taskQueue,
    keyPrefix: `T${Math.floor(Math.random() * 1e9)}`,
    get worker() {
      return worker;
    },
    async restartWorker() {
      worker.shutdown();
      await running;
      worker = await makeWorker();
      running = worker.run();
    },
    async stop() {
      worker.shutdown();
      await running;
      await store.close();
      if (!options.env) await env.teardown();
    },
  };
  return orchestra;
}
