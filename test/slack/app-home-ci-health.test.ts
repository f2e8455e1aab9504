// CI health on App Home, as a person sees it after CI runs: the real CI watch workflow (real dev server,
// real activities, Sippy's history imported from a loopback Sippy) retries a failure of a test Sippy knows
// as flaky, which then passes on the same SHA, and escalates a failure of a test that passes 99.5% of the
// time; six more tests pass. maria then opens App Home in the local workspace (the real Bolt app answers
// app_home_opened) and reads the two decisions worst first, with their inputs and a trend, five tests at
// most and a link to the dashboard for the rest, within Slack's limits for a Home view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionsFor } from '../../src/db/work-items.js';
import { curatorsFromConfig } from '../../src/knowledge/access.js';
import { KnowledgeStore } from '../../src/knowledge/store.js';
import type { CiRunReport } from '../../src/contracts/ci.js';
import { loadCiHealth, storedVerdicts } from '../../src/knowledge/flake-decisions.js';
import { ciResultSignal } from '../../workflows/definitions.js';
import type { Orchestra } from '../support/orchestra.js';
import { sippyRow, startFakeSippy, type FakeSippy } from '../support/doubles/sippy.js';
import { expectValidView } from '../support/block-kit-limits.js';
import { e2eAwsRun, RecordingCi, startCiWatch, startCiWatchOrchestra } from '../support/ci-watch.js';
import { waitFor } from '../support/wait.js';
import { RecordingOrchestrator, startHarness, type Harness } from './harness.js';

const flaky = 'TestNodePool/HostedCluster0/Main/TestNodePoolAutoRepair';
const solid = 'TestCreateCluster/Main/EnsureNoCrashingPods';
const passing = [
  'TestAutoscaling',
  'TestControlPlaneUpgrade',
  'TestNodePoolDay2Tags',
  'TestNodePoolMachineconfigRollout',
  'TestOLMCatalog',
  'TestUpgradeHostedCluster',
];
const release = '4.22';
const variant = 'Installer:hypershift';

const ci = new RecordingCi();
let orchestra: Orchestra;
let sippy: FakeSippy;
let h: Harness;

const knowledge = () => new KnowledgeStore(orchestra.store.db, { curators: curatorsFromConfig(orchestra.config) });

/** The Slack layer's harness orchestrator, with App Home's CI health read as the product reads it. */
class WithCiHealth extends RecordingOrchestrator {
  ciHealth() {
    return loadCiHealth(orchestra.store.db, knowledge(), orchestra.config.team.ci.flake_handling);
  }
}

beforeAll(async () => {
  sippy = await startFakeSippy({
    [release]: [sippyRow(flaky, [variant, 'Platform:aws'], 400, 120, 100), sippyRow(solid, [variant, 'Platform:aws'], 1000, 5, 0)],
  });
  orchestra = await startCiWatchOrchestra(ci, { sippy: { url: sippy.url, release, variants: [variant], import_every: 3_600_000 } });
  h = await startHarness(orchestra.store, new WithCiHealth());
}, 120_000);
afterAll(async () => {
  await h?.stop();
  await orchestra?.stop();
  await sippy?.close();
});

const run = (runId: string, attempt: number, state: 'success' | 'failure', tests: CiRunReport['tests']): CiRunReport =>
  e2eAwsRun(runId, { commit: 'feedc0de', attempt, state, tests });

const watch = async (n: number) => (await startCiWatch(orchestra, n)).handle;

/** App Home's CI health section as the workspace shows it: each section's text, from the "CI health" heading on. */
function ciSection(view: Record<string, unknown>): string[] {
  const texts = (view.blocks as Array<{ text?: { text: string }; elements?: Array<{ text: string }> }>).map(
    (b) => b.text?.text ?? b.elements?.map((e) => e.text).join(' ') ?? '',
  );
  const from = texts.findIndex((t) => t.startsWith('*CI health*'));
  const to = texts.findIndex((t, i) => i > from && t.startsWith('*Recent knowledge*'));
  return texts.slice(from, to).filter((t) => t.length > 0);
}

describe('CI health on App Home', () => {
  it('shows the flaky and the regressed test worst first, with the inputs the retry used, a trend, and the rest on the dashboard', async () => {
    const imported = await orchestra.env.client.workflow.execute('ciHistoryImportWorkflow', {
      workflowId: `ci-history-import:home:${Date.now()}`,
      taskQueue: orchestra.taskQueue,
      args: [],
    });
    expect(imported).toMatchObject({ ok: true, tests: 2 });

    // The flaky test fails, is retried silently, and passes on the same SHA with six more tests.
    const first = await watch(1);
    await first.signal(
      ciResultSignal,
      run('r1', 1, 'failure', [{ job: 'e2e-aws', test: flaky, status: 'failed', message: 'timed out waiting for the condition' }]),
    );
    await waitFor(
      async () => ci.comments.length,
      (n) => n === 1,
    );
    await first.signal(
      ciResultSignal,
      run('r2', 2, 'success', [
        { job: 'e2e-aws', test: flaky, status: 'passed' },
        ...passing.map((test) => ({ job: 'e2e-aws', test, status: 'passed' as const })),
      ]),
    );
    await first.result();

    // The 99.5% test fails: a regression, escalated at once.
    const second = await watch(2);
    await second.signal(ciResultSignal, run('s1', 1, 'failure', [{ job: 'e2e-aws', test: solid, status: 'failed', message: 'pod restarted 3 times' }]));
    // The alert is recorded after the run joined the log, so the trend has it.
    await waitFor(
      () => decisionsFor(orchestra.store.db, `${orchestra.keyPrefix}-2`),
      (rows) => rows.some((d) => d.kind === 'ci-alert'),
    );
    const verdicts = await storedVerdicts(orchestra.store.db);
    expect(verdicts.get(solid)).toMatchObject({ state: 'regressed', action: 'escalate' });
    expect(verdicts.get(flaky)).toMatchObject({ state: 'flaky', action: 'retry' });

    await h.workspace.openHome('maria');
    const home = await h.workspace.waitFor(() => {
      const view = h.workspace.homeOf('maria');
      return view && JSON.stringify(view).includes('CI health') ? view : undefined;
    });
    expectValidView('App Home', home);
    const lines = ciSection(home);

    // A tally, then the regressed test before the flaky one, then healthy ones: five tests at most.
    expect(lines[0]).toBe('*CI health*\n1 regressed · 1 flaky · 6 healthy');
    const tests = lines.slice(1, -1);
    expect(tests).toHaveLength(5);
    expect(tests[0]).toBe(
      [
        ':large_orange_circle: *regressed* `TestCreateCluster/Main/EnsureNoCrashingPods`',
        '✗  _oldest → newest_',
        '0 same-SHA retries · required job',
        '99.5% pass over 1000 runs (Sippy)',
      ].join('\n'),
    );
    expect(tests[1]).toBe(
      [
        ':large_yellow_circle: *flaky* `TestNodePool/HostedCluster0/Main/TestNodePoolAutoRepair`',
        '↻  _oldest → newest_',
        '1 same-SHA retry · required job',
        '70% pass over 400 runs (Sippy)',
      ].join('\n'),
    );
    for (const t of tests.slice(2))
      expect(t).toMatch(
        /^:large_green_circle: \*healthy\* `Test\w+`\n✓ {2}_oldest → newest_\n0 same-SHA retries · job not decided on yet\n100% pass over 1 run \(watched runs\)$/,
      );

    // The three tests left out are counted, with the dashboard linked for them; each line fits a phone.
    expect(lines.at(-1)).toContain('…and 3 more tests');
    expect(lines.at(-1)).toContain('<http://127.0.0.1:3000|CI health on the dashboard>');
    for (const line of tests.flatMap((t) => t.split('\n')).filter((l) => !l.includes('`'))) expect(line.length).toBeLessThanOrEqual(45);
  });
});
