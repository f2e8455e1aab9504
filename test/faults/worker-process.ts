// A worker as its own OS process, so a fault test can SIGKILL it like a crashed pod: the composition root
// on real PostgreSQL (PGlite cannot be shared between processes) and a Temporal worker on the given queue.
// Usage: DATABASE_URL=… TEMPORAL_ADDRESS=… TEMPORAL_TASK_QUEUE=… FAULT_DATA_DIR=… tsx test/faults/worker-process.ts
import { createCore } from '../../src/main/compose.js';
import { createLogger } from '../../src/observability/logger.js';
import { environmentFrom } from '../../src/config/environment.js';
import { connectTemporal, Lifecycle, runWorker, untilSignal } from '../../src/main/processes.js';

const dataDir = process.env.FAULT_DATA_DIR;
if (!dataDir || !process.env.DATABASE_URL || !process.env.TEMPORAL_ADDRESS || !process.env.TEMPORAL_TASK_QUEUE) {
  process.stderr.write('worker-process: DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE and FAULT_DATA_DIR are required\n');
  process.exit(2);
}
// The offline agent and the local git mode, whatever the developer's shell exports.
const { ANTHROPIC_API_KEY: _key, GITHUB_TOKEN: _gh, TARGET_REPO: _target, ...env } = process.env;
const life = new Lifecycle();
const core = await createCore({ environment: environmentFrom(env, { process: 'worker' }), dataDir, logger: createLogger('fault-worker', 'warn') });
life.add({ name: 'store', stop: () => core.close() });
const temporal = await connectTemporal(core, life, { startDevServer: false });
await runWorker(core, temporal, life);
process.stdout.write(`worker ready pid=${process.pid}\n`);
await untilSignal();
await life.stopAll((m) => process.stderr.write(`${m}\n`));
process.exit(0);
