// `sitroom dev` (npm run dev): the whole product in one process on embedded defaults — PGlite, a Temporal
// dev server, the worker, the Slack app with a local Slack-compatible workspace, the dashboard.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readEnvironment } from '../config/process-environment.js';
import { repoRoot } from '../paths.js';
import { dashboardLoginLink } from '../http/dashboard/index.js';
import { createCore } from '../runtime/compose.js';
import { connectTemporal, Lifecycle, runSurfaces, runWorker, untilSignal } from '../runtime/processes.js';

export async function run(_args: string[]): Promise<number> {
  const started = performance.now();
  const life = new Lifecycle();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const dataDir = join(repoRoot, '.data');
  // Dev's own default: a dashboard secret that survives restarts, so printed sign-in links keep working.
  const environment = readEnvironment({ process: 'dev', defaults: { SITROOM_DASHBOARD_SECRET: () => persistedDashboardSecret(dataDir) } });
  try {
    const core = await createCore({ environment, dataDir });
    life.add({ name: 'store', stop: () => core.close() });
    const temporal = await connectTemporal(core, life, { startDevServer: true });
    await runWorker(core, temporal, life);
    const urls = await runSurfaces(core, temporal, life, { localWorkspace: true });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const { roles } = core.config.current();
    const secret = environment.dashboard.secret;
    say('');
    say(`Situation Room is ready (${seconds} s)`);
    if (urls.workspace) say(`  Slack workspace (local):  ${urls.workspace}`);
    if (urls.slackEvents) say(`  Slack events:             ${urls.slackEvents}`);
    say(`  Team dashboard:           ${urls.dashboard}`);
    if (secret) for (const r of roles.values()) say(`    sign in as ${r.developer}: ${dashboardLoginLink(urls.http, secret, r.developer, new Date())}`);
    if (temporal.uiUrl) say(`  Temporal UI:              ${temporal.uiUrl}`);
    say(`  Store: ${core.store.kind} at ${core.store.location}`);
    say(`  Temporal: ${temporal.address} (${temporal.route}), target repository ${core.targetRepo} (${core.mode} mode), agent ${core.agent.kind}`);
    say('Press Ctrl-C to stop.');
    const signal = await untilSignal();
    say(`\n${signal}: stopping (the worker drains first)…`);
    await life.stopAll((m) => process.stderr.write(`${m}\n`));
    say('stopped.');
    return 0;
  } catch (err) {
    await life.stopAll((m) => process.stderr.write(`${m}\n`));
    throw err;
  }
}

/** The secret in .data/dashboard-secret, made on first start (only when SITROOM_DASHBOARD_SECRET is unset). */
function persistedDashboardSecret(dataDir: string): string {
  const file = join(dataDir, 'dashboard-secret');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}
