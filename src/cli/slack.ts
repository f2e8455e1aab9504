// `sitroom slack`: the Slack app, the outbox dispatcher, the dashboard and the CI webhook, against an
// existing Temporal cluster (TEMPORAL_ADDRESS); the worker runs elsewhere. Every secret comes from the
// environment: a missing one stops it at once, named.
import { readEnvironment } from '../config/process-environment.js';
import { createCore } from '../main/compose.js';
import { connectTemporal, Lifecycle, runSurfaces, untilSignal } from '../main/processes.js';

export async function run(_args: string[]): Promise<number> {
  const environment = readEnvironment({ process: 'slack' });
  const life = new Lifecycle();
  try {
    const core = await createCore({ environment });
    life.add({ name: 'store', stop: () => core.close() });
    const temporal = await connectTemporal(core, life, { startDevServer: false });
    const urls = await runSurfaces(core, temporal, life);
    core.logger.info({ ...urls, localWorkspace: undefined }, 'slack app running');
    await untilSignal();
    await life.stopAll((m) => core.logger.warn(m));
    return 0;
  } catch (err) {
    await life.stopAll((m) => process.stderr.write(`${m}\n`));
    throw err;
  }
}
