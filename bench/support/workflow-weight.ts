// What one open work item weighs on the worker, quickly, without the whole live suite:
//   npx tsx bench/support/workflow-weight.ts [--items 40] [--modules] [--by-constructor] [--bare] [--bare-bundle]
// Opens that many work items (each waiting at its plan gate) on a worker in the SDK's debug mode, which runs
// workflows on this thread with the same reused V8 context as the real worker, so a forced GC makes heapUsed
// exact. --modules lists the workflow bundle's modules by size (every one of them is evaluated again for each
// workflow: the reused context shares only the modules loaded before the first workflow starts).
// --by-constructor adds where the bytes went: heap-snapshot self sizes by node type and constructor name,
// after minus before. --bare opens the bench's bare workflow (one handler, no state) instead of work items, and
// --bare-bundle runs it from a bundle holding nothing else: the three apart tell what an open workflow costs
// anyway (bare alone), what the workflow modules add (bare in the full bundle) and what a work item adds on top.
import { getHeapSnapshot } from 'node:v8';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../src/activities/index.js';
import { createDecisionSinks } from '../../src/activities/sinks.js';
import { exampleTargetRepo, loadConfig } from '../../src/config/load.js';
import { openStore } from '../../src/db/client.js';
import { upsertDevelopers } from '../../src/db/work-items.js';
import { createDomainInsight } from '../../src/knowledge/insight.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Plan } from '../../src/plan/schema.js';
import { workflowTaskSlots } from '../../src/temporal/worker.js';
import { workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { benchWorkflowBundle, gcFunction, memoryAfterGc, quietTemporalLogs, startBenchTemporal } from './temporal.js';

const { values: flags } = parseArgs({
  options: {
    items: { type: 'string', default: '40' },
    modules: { type: 'boolean', default: false },
    'by-constructor': { type: 'boolean', default: false },
    bare: { type: 'boolean', default: false },
    'bare-bundle': { type: 'boolean', default: false },
  },
});
const items = Number(flags.items);
if (!Number.isInteger(items) || items < 1) throw new Error(`--items "${flags.items}": give a positive whole number`);

/** The bundle's modules (webpack's `/***\/ "id"` markers) by the size of their code, largest first. */
export function bundleModules(code: string): Array<{ id: string; bytes: number }> {
  const tail = code.lastIndexOf('\n//# sourceMappingURL=');
  const parts = (tail > 0 ? code.slice(0, tail) : code).split('/***/ "').slice(1);
  return parts.map((p) => ({ id: p.slice(0, p.indexOf('"')), bytes: p.length })).sort((a, b) => b.bytes - a.bytes);
}

/** Self sizes on this isolate's heap by "type constructor" (V8 collects garbage before a snapshot). */
async function heapByConstructor(): Promise<Map<string, { bytes: number; count: number }>> {
  const chunks: Buffer[] = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(chunk as Buffer);
  const s = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const out = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < s.nodes.length; i += fields.length) {
    const type = types[s.nodes[i + typeAt]!]!;
    // Strings and code are named by their content: group them by type alone.
    const name = type === 'object' || type === 'closure' || type === 'hidden' ? s.strings[s.nodes[i + nameAt]!]!.slice(0, 60) : '';
    const key = `${type} ${name}`.trim();
    const entry = out.get(key) ?? { bytes: 0, count: 0 };
    entry.bytes += s.nodes[i + sizeAt]!;
    entry.count += 1;
    out.set(key, entry);
  }
  return out;
}

function plan(key: string): Plan {
  return {
    workItemKey: key,
    intention: 'NodePool should report capacity errors per platform',
    summary: 'weight plan',
    phases: [
      {
        id: 'api',
        title: 'Condition type and reasons',
        activity: 'api_changes',
        files: [`api/hypershift/v1beta1/weight/${key.toLowerCase()}.go`],
        constraints: [],
        validation: [],
        dependsOn: [],
        mergeOrder: 1,
      },
    ],
  };
}

const unexpected = (port: string) =>
  new Proxy({}, { get: (_t, name) => () => Promise.reject(new Error(`${port}.${String(name)} is not reached before plan approval`)) });

const bare = flags.bare || flags['bare-bundle'];
const bundle = flags['bare-bundle']
  ? await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./bare-workflow.ts', import.meta.url)),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, log() {}, error: console.error },
    })
  : await benchWorkflowBundle();
const modules = bundleModules(bundle.code);
if (flags.modules) {
  console.log(`${modules.length} modules, ${modules.reduce((a, m) => a + m.bytes, 0)} bytes of module code`);
  for (const m of modules) console.log(`${String(m.bytes).padStart(8)}  ${m.id}`);
}

await quietTemporalLogs();
const { gc } = gcFunction();
const temporal = await startBenchTemporal();
const store = await openStore({ dataDir: 'memory://' });
const keyPrefix = `WEIGHT${Math.floor(Math.random() * 1e6)}`;
const opened: string[] = [];
try {
  const config = loadConfig(exampleTargetRepo);
  await upsertDevelopers(store.db, config.roles.values());
  const logger = createLogger('bench-weight', 'silent');
  const insight = createDomainInsight();
  const activities = createActivities({
    db: store.db,
    config: () => config,
    logger,
    insight: { impact: insight.impact, prReady: () => Promise.reject(new Error('prReady is not reached before plan approval')) },
    agent: unexpected('agent') as ActivityDeps['agent'],
    ci: unexpected('ci') as ActivityDeps['ci'],
    ciKnowledge: unexpected('ciKnowledge') as ActivityDeps['ciKnowledge'],
    memory: unexpected('memory') as ActivityDeps['memory'],
  });
  const taskQueue = `weight-${keyPrefix}`;
  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities,
    sinks: createDecisionSinks(activities, logger),
    debugMode: true,
    maxConcurrentWorkflowTaskExecutions: workflowTaskSlots,
  });
  const running = worker.run();
  const open = async (key: string) => {
    opened.push(key);
    if (bare) {
      const handle = await temporal.client.workflow.start('bareWorkflow', { taskQueue, workflowId: workItemWorkflowId(key) });
      // Answered once the workflow has run its first task and set its handlers.
      await handle.query<number>('bareHandled');
      return;
    }
    await temporal.client.workflow.start('workItemWorkflow', {
      taskQueue,
      workflowId: workItemWorkflowId(key),
      args: [
        { key, ownerId: 'maria', title: 'Capacity errors per platform', intention: 'NodePool should report capacity errors per platform', plan: plan(key) },
      ],
    });
    for (;;) {
      const state = await temporal.client.workflow
        .getHandle(workItemWorkflowId(key))
        .query(workItemStateQuery)
        .catch(() => undefined);
      if (state?.status === 'awaiting-plan-approval') return;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    // One first, so the bundle, the SDK's shared modules and the store's first queries are paid before m0.
    await open(`${keyPrefix}-1`);
    await new Promise((r) => setTimeout(r, 500));
    const m0 = await memoryAfterGc(gc);
    const before = flags['by-constructor'] ? await heapByConstructor() : undefined;
    const keys = Array.from({ length: items }, (_, i) => `${keyPrefix}-${i + 2}`);
    for (let i = 0; i < keys.length; i += 10) await Promise.all(keys.slice(i, i + 10).map(open));
    await new Promise((r) => setTimeout(r, 500));
    const m1 = await memoryAfterGc(gc);
    console.log(
      `heap per open ${bare ? `bare workflow${flags['bare-bundle'] ? ' (bundle of its own)' : ''}` : 'work item'}: ${((m1.heapUsed - m0.heapUsed) / items / 1024).toFixed(1)} KiB (${items} items on a debug-mode worker; ` +
        `${modules.length} bundle modules, ${modules.filter((m) => m.id.includes('node_modules/zod/')).length} of them zod)`,
    );
    if (before) {
      const after = await heapByConstructor();
      const rows = [...after].map(([k, v]) => ({ k, bytes: v.bytes - (before.get(k)?.bytes ?? 0), count: v.count - (before.get(k)?.count ?? 0) }));
      rows.sort((a, b) => b.bytes - a.bytes);
      const total = rows.reduce((a, r) => a + r.bytes, 0);
      console.log(`heap snapshot growth: ${(total / items / 1024).toFixed(1)} KiB per item; largest by type and constructor (per item):`);
      for (const r of rows.slice(0, 30))
        console.log(`${(r.bytes / items / 1024).toFixed(2).padStart(8)} KiB ${(r.count / items).toFixed(0).padStart(6)} nodes  ${r.k}`);
    }
  } finally {
    worker.shutdown();
    await running;
  }
} finally {
  await Promise.allSettled(opened.map((k) => temporal.client.workflow.getHandle(workItemWorkflowId(k)).terminate('weight measured')));
  await store.close();
  await temporal.stop();
}
