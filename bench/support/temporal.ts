// Temporal and process plumbing for the orchestrator bench: a real dev server (or TEMPORAL_ADDRESS), one
// workflow bundle with the bench's baseline workflow, quiet SDK logs and memory snapshots after a forced GC.
import { createServer, type AddressInfo } from 'node:net';
import { getHeapSnapshot, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { findTemporalBinaries } from '../../src/temporal/binaries.js';
import { environmentFrom } from '../../src/config/environment.js';
import { startDevServer } from '../../src/temporal/dev-server.js';

export interface BenchTemporal {
  address: string;
  /** "dev server started by the bench" or "TEMPORAL_ADDRESS". */
  source: string;
  client: Client;
  nativeConnection: NativeConnection;
  stop(): Promise<void>;
}

let metricsUrl: string | undefined;

/**
 * Temporal's worker logs every state change at INFO; the bench prints only its table. Must run before any
 * native connection. The same runtime exports the workers' own metrics (sticky cache hits and misses, task
 * slots) on a free loopback port, read by workerMetrics(); the runtime is installed once per process.
 */
export async function quietTemporalLogs(): Promise<void> {
  if (Runtime._instance) return; // another suite installed it first: keep that one
  const port = await freePort();
  try {
    Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } } } });
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
  } catch {
    // Installed meanwhile by another caller: keep that one (without metrics).
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Counters of every worker in this process, summed over their labels (e.g. "sticky_cache_hit"), or
 * undefined when this process's runtime has no metrics exporter (installed before quietTemporalLogs ran).
 */
export async function workerMetrics(): Promise<Map<string, number> | undefined> {
  if (!metricsUrl) return undefined;
  const text = await (await fetch(metricsUrl)).text();
  const sums = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const value = Number(m[2]);
    if (Number.isFinite(value)) sums.set(m[1]!, (sums.get(m[1]!) ?? 0) + value);
  }
  return sums;
}

export async function startBenchTemporal(env: NodeJS.ProcessEnv = process.env): Promise<BenchTemporal> {
  const external = env.TEMPORAL_ADDRESS;
  const server = external ? undefined : await startDevServer({ cli: findTemporalBinaries(environmentFrom(env).temporal).cli });
  const address = external ?? server!.address;
  try {
    const connection = await Connection.connect({ address });
    const nativeConnection = await NativeConnection.connect({ address });
    const client = new Client({ connection, namespace: 'default' });
    return {
      address,
      source: external ? 'TEMPORAL_ADDRESS' : 'dev server started by the bench',
      client,
      nativeConnection,
      async stop() {
        await connection.close();
        await nativeConnection.close();
        await server?.stop();
      },
    };
  } catch (err) {
    await server?.stop();
    throw err;
  }
}

const noop = () => undefined;
const quietBundlerLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

/** The real workflows plus the bench's bare workflow, in one bundle (bench/support/workflows.ts). */
export function benchWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)), logger: quietBundlerLogger });
}

export type GcMode = 'global.gc (--expose-gc)' | 'v8 flag --expose-gc set at run time' | 'none';

/**
 * A full GC of this process's main isolate when one can be forced: global.gc when node ran with --expose-gc,
 * otherwise the flag is set at run time and gc() taken from a fresh context (V8 installs it there once the
 * flag is on). Workflow code runs in the worker's own threads; their heaps show only in RSS.
 */
export function gcFunction(): { gc?: () => void; mode: GcMode } {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return { gc: exposed, mode: 'global.gc (--expose-gc)' };
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    if (typeof gc === 'function') return { gc: gc as () => void, mode: 'v8 flag --expose-gc set at run time' };
  } catch {
    // Not available on this runtime: report without a forced GC.
  }
  return { mode: 'none' };
}

export interface MemorySnapshot {
  rss: number;
  heapUsed: number;
}

/** Memory after letting pending callbacks settle and (when possible) collecting garbage twice. */
export async function memoryAfterGc(gc: (() => void) | undefined): Promise<MemorySnapshot> {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 50));
    gc?.();
  }
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

/** Heap-snapshot node types that are not data a decision could leave behind (see retainedDataBytes). */
const notRetainedData = new Set(['code', 'native', 'synthetic']);

/**
 * Bytes of reachable data on this isolate's heap, by heap-snapshot node type (V8 collects garbage before it
 * takes a snapshot, so only what is still referenced counts). Compiled code and its metadata are left out:
 * V8 keeps compiling hot functions to faster tiers for thousands of calls, so heapUsed climbs with the code
 * a decision runs, not with what it keeps; native nodes are memory outside the V8 heap (WebAssembly memory,
 * array buffers). What remains (objects, arrays, strings, closures, maps) is what a leak would grow.
 */
export async function retainedDataBytes(): Promise<{ total: number; byType: Record<string, number> }> {
  const chunks: Buffer[] = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(chunk as Buffer);
  const snapshot = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
    nodes: number[];
  };
  chunks.length = 0;
  const fields = snapshot.snapshot.meta.node_fields;
  const typeNames = snapshot.snapshot.meta.node_types[0];
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const sizeAt = fields.indexOf('self_size');
  const byType: Record<string, number> = {};
  let total = 0;
  for (let i = 0; i < snapshot.nodes.length; i += stride) {
    const type = typeNames[snapshot.nodes[i + typeAt]!]!;
    if (notRetainedData.has(type)) continue;
    const size = snapshot.nodes[i + sizeAt]!;
    byType[type] = (byType[type] ?? 0) + size;
    total += size;
  }
  return { total, byType };
}
