// `sitroom worker`: the Temporal worker only (workflows and RH-A activities), for a deployment with
// a Temporal cluster (TEMPORAL_ADDRESS) and PostgreSQL (DATABASE_URL). A missing or bad variable stops it at
// once, each one named.
import { readEnvironment } from '../config/process-environment.js';
import { createCore } from '../main/compose.js';
import { clearWorkerReadiness, connectTemporal, Lifecycle, runWorker, untilSignal } from '../main/processes.js';

export async function run(_args: string[]): Promise<number> {
  // First of all: until this process's worker runs, nothing may report it ready.
  clearWorkerReadiness();
  const environment = readEnvironment({ process: 'worker' });
  const life = new Lifecycle();
  try {
    const core = await createCore({ environment });
    life.add({ name: 'store', stop: () => core.close() });
    const temporal = await connectTemporal(core, life, { startDevServer: false });
    await runWorker(core, temporal, life);
    core.logger.info({ temporal: temporal.address, taskQueue: temporal.taskQueue, agent: core.agent.kind }, 'worker running');
    await untilSignal();
    await life.stopAll((m) => core.logger.warn(m));
    return 0;
  } catch (err) {
    await life.stopAll((m) => process.stderr.write(`${m}\n`));
    throw err;
  }
}
