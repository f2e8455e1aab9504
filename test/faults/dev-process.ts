// `sitroom dev` as its own OS process on a data folder of the test's choosing, so a fault test can SIGKILL
// it: on the embedded PGlite store the Slack part and the worker part live in this one process (PGlite
// cannot be opened by a second one), so killing it kills both. It runs startDev, the function behind
// `sitroom dev`, which reads this process's environment as the command does.
// Usage: TEMPORAL_ADDRESS=… SLACK_BOT_TOKEN=… SLACK_API_URL=… FAULT_DATA_DIR=… node --import tsx test/faults/dev-process.ts
import { startDev } from '../../src/cli/dev.js';
import { untilSignal } from '../../src/main/processes.js';

const dataDir = process.env.FAULT_DATA_DIR;
if (!dataDir) {
  process.stderr.write('dev-process: FAULT_DATA_DIR is required\n');
  process.exit(2);
}
const dev = await startDev({ dataDir });
await untilSignal();
await dev.stop();
process.exit(0);
