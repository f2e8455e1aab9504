// `sitroom dev` (npm run dev): the whole product in one process on embedded defaults — PGlite, a Temporal
// dev server, the worker, the Slack app with a local Slack-compatible workspace, the dashboard.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { environmentFrom, type ParseOptions } from '../config/environment.js';
import { readEnvironment } from '../config/process-environment.js';
import { repoRoot } from '../paths.js';
import { dashboardLoginLink } from '../http/dashboard/index.js';
import { createCore } from '../main/compose.js';
import { connectTemporal, Lifecycle, runSurfaces, runWorker, untilSignal, type SurfaceUrls } from '../main/processes.js';

export interface DevOptions {
  /** The variables to parse instead of this process's environment (a test's own record). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Folder for PGlite, the Temporal dev server's file, the dashboard secret and the local target repository (default .data/). */
  dataDir?: string;
  /** Where the start-up lines go (the terminal). */
  say?: (line: string) => void;
}

export interface RunningDev {
  urls: SurfaceUrls;
  stop(): Promise<void>;
}

/** Starts everything `npm run dev` runs and prints where to open it; the browser test starts it the same way. */
export async function startDev(options: DevOptions = {}): Promise<RunningDev> {
  const started = performance.now();
  const life = new Lifecycle();
  const say = options.say ?? ((line: string) => process.stdout.write(`${line}\n`));
  const logStop = (m: string) => process.stderr.write(`${m}\n`);
  const dataDir = options.dataDir ?? join(repoRoot, '.data');
  // Dev's own default: a dashboard secret that survives restarts, so printed sign-in links keep working.
  const parse: ParseOptions = { process: 'dev', defaults: { SITROOM_DASHBOARD_SECRET: () => persistedDashboardSecret(dataDir) } };
  const environment = options.env ? environmentFrom(options.env, parse) : readEnvironment(parse);
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
    if (urls.slackTransport === 'socket') say(`  Slack events:             Socket Mode (the app keeps a WebSocket open to the workspace; no request URL)`);
    say(`  Team dashboard:           ${urls.dashboard}`);
    if (secret) for (const r of roles.values()) say(`    sign in as ${r.developer}: ${dashboardLoginLink(urls.publicUrl, secret, r.developer, new Date())}`);
    if (temporal.uiUrl) say(`  Temporal UI:              ${temporal.uiUrl}`);
    say(`  Store: ${core.store.kind} at ${core.store.location}`);
    say(`  Temporal: ${temporal.address} (${temporal.route}), target repository ${core.targetRepo} (${core.mode} mode), agent ${core.agent.kind}`);
    return { urls, stop: () => life.stopAll(logStop) };
  } catch (err) {
    await life.stopAll(logStop);
    throw err;
  }
}

export async function run(_args: string[]): Promise<number> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const dev = await startDev({ say });
  say('Press Ctrl-C to stop.');
  const signal = await untilSignal();
  say(`\n${signal}: stopping (the worker drains first)…`);
  await dev.stop();
  say('stopped.');
  return 0;
}

/** The secret in <dataDir>/dashboard-secret, made on first start (only when SITROOM_DASHBOARD_SECRET is unset). */
function persistedDashboardSecret(dataDir: string): string {
  const file = join(dataDir, 'dashboard-secret');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}
