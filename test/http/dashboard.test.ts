// The dashboard end to end: real HTTP server, real store, a real browser at a phone viewport.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, phoneScreen } from '../support/browser.js';
import { needs } from '../support/requirements.js';
import { loadConfig, exampleTargetRepo } from '../../src/config/load.js';
import { CalibrationStore } from '../../src/db/calibration.js';
import { assessConfidence } from '../../src/confidence/model.js';
import type { OpenStore } from '../../src/db/client.js';
import { decisions, phases } from '../../src/db/schema/core.js';
import { upsertDevelopers, upsertWorkItem } from '../../src/db/work-items.js';
import { createDashboardHandler, dashboardLoginLink } from '../../src/http/dashboard/index.js';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { loadPatternFiles } from '../../src/knowledge/patterns.js';
import { curatorsFromConfig } from '../../src/knowledge/access.js';
import { KnowledgeStore } from '../../src/knowledge/store.js';
import { createCiKnowledge } from '../../src/knowledge/ci-knowledge.js';
import { repoRoot } from '../../src/paths.js';
import { openTestStore } from '../support/db.js';

const secret = 'test-dashboard-secret-0123456789abcdef';
const config = loadConfig();
const artifacts = join(repoRoot, 'test', 'artifacts');

let store: OpenStore;
let knowledge: KnowledgeStore;
let server: HttpServer;
let proposalForBrowser: number;
let proposalForHttp: number;

async function seed(): Promise<void> {
  const { db } = store;
  await upsertDevelopers(db, config.roles.values());
  await upsertWorkItem(db, {
    key: 'HOSTEDCP-2101',
    ownerId: 'maria',
    title: 'NodePool reports provider capacity errors per platform',
    intention: 'x',
    workflowId: 'wi-HOSTEDCP-2101',
    status: 'executing',
  });
  await upsertWorkItem(db, {
    key: 'HOSTEDCP-2150',
    ownerId: 'sam',
    title: 'Group AllMachinesReady message by <reason> & count',
    intention: 'x',
    workflowId: 'wi-HOSTEDCP-2150',
    status: 'awaiting-plan-approval',
  });
  const at = new Date(Date.UTC(2026, 10, 25, 8));
  const confidence = assessConfidence([
    { check: 'codegen-consistent', status: 'pass', detail: 'make verify clean', source: 'make verify', at },
    { check: 'boundary-check', status: 'pass', detail: 'no violations', source: 'sitroom check', at },
    { check: 'unit-tests', status: 'pass', detail: 'ok', source: 'go test', at },
  ]);
  await db.insert(phases).values([
    {
      workItemKey: 'HOSTEDCP-2101',
      phaseId: 'api-surface',
      title: 'API surface: condition reason',
      ordinal: 1,
      mode: 'approval-required',
      status: 'merged',
      prUrl: 'https://github.com/openshift/hypershift/pull/9401',
      confidence,
    },
    {
      workItemKey: 'HOSTEDCP-2101',
      phaseId: 'platform-bridge',
      title: 'Platform bridge: AWS and Azure mapping',
      ordinal: 2,
      mode: 'autonomous',
      status: 'awaiting-approval',
    },
    { workItemKey: 'HOSTEDCP-2101', phaseId: 'nodepool-integration', title: 'NodePool integration', ordinal: 3, mode: 'collaborative', status: 'pending' },
  ]);

  await knowledge.patterns.syncPatternLibrary(loadPatternFiles(exampleTargetRepo));
  const policy = config.team.ci.flake_handling;
  for (let i = 1; i <= 12; i++) {
    const base = { test: 'TestNodePool/TestNodePoolReplaceUpgrade', runId: `p${i}`, commit: `c${i}`, at: new Date(Date.UTC(2026, 10, i)) };
    if (i <= 11) {
      await knowledge.experience.recordTestRun({ ...base, attempt: 1, outcome: 'fail', message: `timed out waiting for the condition after ${i}m0s` });
      await knowledge.experience.recordTestRun({ ...base, attempt: 2, outcome: 'pass', at: new Date(base.at.getTime() + 60_000) });
    } else await knowledge.experience.recordTestRun({ ...base, attempt: 1, outcome: 'pass' });
  }
  // The demo's shape: TestNodePoolAutoRepair failed and passed on a retest of the same SHA five times (a
  // retest is a new Prow run id), passed first time on four other commits, and the CI watch retried it each
  // time. Counted per run id that read "44% pass, 0% flake, stable"; it must read as the retry decided.
  const ciKnowledge = createCiKnowledge({ db, knowledge, config: { current: () => config } });
  for (let i = 1; i <= 9; i++) {
    const at = new Date(Date.UTC(2026, 10, 14 + i));
    const commit = `d${i}`;
    if (i % 2 === 1 && i < 9) {
      const message = 'nodepool_test.go:212: timed out waiting for the condition after 10m0s';
      const report = {
        runId: `a${i}`,
        job: 'unit',
        commit,
        attempt: 1,
        state: 'failure' as const,
        tests: [{ job: 'unit', test: 'TestNodePoolAutoRepair', status: 'failed' as const, message }],
      };
      if (i > 1)
        await ciKnowledge.classify({
          prUrl: 'https://github.com/openshift/hypershift/pull/9401',
          report,
          failures: report.tests,
          requiredJobs: ['unit'],
          retestsOnHead: 0,
        });
      await knowledge.experience.recordTestRun({
        test: 'TestNodePoolAutoRepair',
        job: 'unit',
        runId: `a${i}`,
        commit,
        attempt: 1,
        outcome: 'fail',
        message,
        at,
      });
      await knowledge.experience.recordTestRun({
        test: 'TestNodePoolAutoRepair',
        job: 'unit',
        runId: `a${i}-retest`,
        commit,
        attempt: 2,
        outcome: 'pass',
        at: new Date(at.getTime() + 600_000),
      });
    } else {
      await knowledge.experience.recordTestRun({ test: 'TestNodePoolAutoRepair', job: 'unit', runId: `a${i}`, commit, attempt: 1, outcome: 'pass', at });
    }
  }
  // The fifth failure, on the newest commit: classified by the port the CI watch calls, then recorded.
  const fifth = {
    runId: 'a10',
    job: 'unit',
    commit: 'd10',
    attempt: 1,
    state: 'failure' as const,
    tests: [
      {
        job: 'unit',
        test: 'TestNodePoolAutoRepair',
        status: 'failed' as const,
        message: 'nodepool_test.go:212: timed out waiting for the condition after 12m0s',
      },
    ],
  };
  await ciKnowledge.classify({
    prUrl: 'https://github.com/openshift/hypershift/pull/9401',
    report: fifth,
    failures: fifth.tests,
    requiredJobs: ['unit'],
    retestsOnHead: 0,
  });
  await knowledge.experience.recordTestRun({
    test: 'TestNodePoolAutoRepair',
    job: 'unit',
    runId: 'a10',
    commit: 'd10',
    attempt: 1,
    outcome: 'fail',
    message: fifth.tests[0]!.message,
    at: new Date(Date.UTC(2026, 10, 25)),
  });
  await knowledge.experience.recordTestRun({
    test: 'TestNodePoolAutoRepair',
    job: 'unit',
    runId: 'a10-retest',
    commit: 'd10',
    attempt: 2,
    outcome: 'pass',
    at: new Date(Date.UTC(2026, 10, 25, 1)),
  });
  await knowledge.experience.refreshTestExperience('TestNodePool/TestNodePoolReplaceUpgrade', policy, { files: ['test/e2e/nodepool_upgrade_test.go'] });
  await knowledge.experience.refreshTestExperience('TestNodePoolAutoRepair', policy);
  await knowledge.experience.recordPlanSlip({
    step: 'run make api after adding a condition constant',
    workItemKey: 'HOSTEDCP-2101',
    detail: 'forgotten twice',
    applicability: { files: ['api/hypershift/v1beta1/nodepool_conditions.go'] },
  });

  const p1 = await knowledge.proposals.proposeFromResolvedWorkItem({
    workItemKey: 'HOSTEDCP-2001',
    developerId: 'maria',
    draft: {
      id: 'azure-provider-errors',
      title: 'Azure provider errors reach the NodePool through Machine FailureReason',
      body: 'Map AzureMachine failures in azure.go only; <script>alert(1)</script> must render as text.',
      applicability: { files: ['hypershift-operator/controllers/nodepool/azure.go'], platforms: ['Azure'] },
    },
  });
  await knowledge.proposals.respondToProposal(p1.id, 'maria', 'edit', { ...p1.draft, body: `${p1.draft.body} Edited by Maria before review.` });
  proposalForBrowser = p1.id;
  const p2 = await knowledge.proposals.proposeFromResolvedWorkItem({
    workItemKey: 'HOSTEDCP-2002',
    developerId: 'sam',
    draft: {
      id: 'kubevirt-live-migration',
      title: 'KubeVirt live-migratable condition stays platform-local',
      body: 'setKubevirtConditions owns KubeVirtNodesLiveMigratable; do not add it to the shared chain.',
      applicability: { files: ['hypershift-operator/controllers/nodepool/kubevirt.go'] },
    },
  });
  await knowledge.proposals.respondToProposal(p2.id, 'sam', 'yes');
  proposalForHttp = p2.id;

  const calibration = new CalibrationStore(db);
  const strong = assessConfidence(
    ['unit-tests', 'new-code-covered', 'ci-green', 'adjacent-suites'].map((check) => ({
      check: check as 'unit-tests',
      status: 'pass' as const,
      detail: 'ok',
      source: 's',
      at,
    })),
  );
  for (let i = 1; i <= 4; i++)
    await calibration.recordMerge({
      prUrl: `https://github.com/openshift/hypershift/pull/${9300 + i}`,
      assessment: i === 4 ? confidence : strong,
      mergedAt: at,
    });
  await calibration.recordOutcome({ prUrl: 'https://github.com/openshift/hypershift/pull/9304', kind: 'follow-up-bug', reference: 'OCPBUGS-1234' });
}

beforeAll(async () => {
  store = await openTestStore();
  knowledge = new KnowledgeStore(store.db, { curators: curatorsFromConfig(config) });
  await seed();
  const displayNames = new Map([...config.roles.values()].map((r) => [r.developer, r.display_name]));
  server = await startHttpServer({ port: 0, routes: [createDashboardHandler({ db: store.db, knowledge, secret, displayNames })] });
});

afterAll(async () => {
  await server?.close();
  await store?.close();
});

async function login(developer: string): Promise<string> {
  const res = await fetch(dashboardLoginLink(server.url, secret, developer, new Date()), { redirect: 'manual' });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('set-cookie')!;
  expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
  return cookie.split(';')[0]!;
}

const csrfIn = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1];

describe('dashboard over HTTP', () => {
  it('is not served without a session, and a tampered or expired link is refused', async () => {
    expect((await fetch(`${server.url}/dashboard`)).status).toBe(401);
    const link = new URL(dashboardLoginLink(server.url, secret, 'priya', new Date()));
    link.searchParams.set('token', link.searchParams.get('token')!.replace(/^priya/, 'maria'));
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(401);
    const expired = dashboardLoginLink(server.url, secret, 'priya', new Date(Date.now() - 3_600_000));
    expect((await fetch(expired, { redirect: 'manual' })).status).toBe(401);
  });

  it('shows work items with phase status, pending decisions, CI flake rates, the knowledge feed, the review queue and calibration, all escaped', async () => {
    const html = await (await fetch(`${server.url}/dashboard`, { headers: { cookie: await login('maria') } })).text();
    expect(html).toContain('HOSTEDCP-2101');
    expect(html).toContain('Platform bridge: AWS and Azure mapping');
    expect(html).toMatch(/gate of phase platform-bridge/);
    expect(html).toMatch(/approve plan v0/);
    expect(html).toContain('Group AllMachinesReady message by &lt;reason&gt; &amp; count');
    const ciRow = (test: string) => new RegExp(`<li class="ci-test" data-test="${test.replaceAll('/', '\\/')}">[\\s\\S]*?</li>`).exec(html)?.[0] ?? '';
    expect(ciRow('TestNodePool/TestNodePoolReplaceUpgrade')).toMatch(/s-flaky">flaky<[\s\S]*11 same-SHA retries · 8\.3% pass over 12 runs \(watched runs\)/);
    // The demo's inconsistency is gone: the state and inputs are those of the retry decision.
    const autoRepair = ciRow('TestNodePoolAutoRepair');
    expect(autoRepair).toMatch(/s-flaky">flaky</);
    expect(autoRepair).toContain('5 same-SHA retries');
    expect(autoRepair).toContain('required job');
    expect(autoRepair).toMatch(/passed on retry of the same SHA; retry 1 of 2/);
    expect(autoRepair).not.toMatch(/stable|healthy/);
    expect(autoRepair).toMatch(/<svg class="trend" role="img" aria-label="last 10 runs: 5 passed, 5 passed on retry, 0 failed"/);
    expect(html).toContain('pattern library (curated)');
    expect(html).toContain('Often forgotten: run make api after adding a condition constant');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toMatch(
      /data-level="L2" data-grade="high"><div><strong>L2<\/strong> <span class="chip s-high">high<\/span><\/div>\n<div class="ci-body"><svg class="cal"[^>]*aria-label="L2 high: 0% needed a fix, promised at most 10%"[\s\S]*?0 of 3 needed a fix/,
    );
    // Maria is not a curator: she sees the queue but no review buttons.
    expect(html).toContain('Only a curator (tech lead or team approver) can review.');
    expect(html).not.toContain('value="approve"');
  });

  it('review actions need a curator and a valid CSRF token', async () => {
    const maria = await login('maria');
    const mariaPage = await (await fetch(`${server.url}/dashboard`, { headers: { cookie: maria } })).text();
    const post = (cookie: string, body: Record<string, string>) =>
      fetch(`${server.url}/dashboard/proposals/${proposalForHttp}/review`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body),
      });
    // No CSRF token is rendered for non-curators, and a made-up one is refused.
    expect(csrfIn(mariaPage)).toBeUndefined();
    expect((await post(maria, { decision: 'approve', csrf: 'forged' })).status).toBe(403);

    const priya = await login('priya');
    const priyaPage = await (await fetch(`${server.url}/dashboard`, { headers: { cookie: priya } })).text();
    const token = csrfIn(priyaPage)!;
    expect((await post(priya, { decision: 'approve' })).status).toBe(403); // no token
    expect((await post(maria, { decision: 'approve', csrf: token })).status).toBe(403); // token of another session
    const crossSite = await fetch(`${server.url}/dashboard/proposals/${proposalForHttp}/review`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: priya, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ decision: 'approve', csrf: token }),
    });
    expect(crossSite.status).toBe(403);
    expect(await knowledge.patterns.getPattern('kubevirt-live-migration')).toBeUndefined();

    const ok = await post(priya, { decision: 'reject', csrf: token, note: 'already covered by capi-error-propagation' });
    expect(ok.status).toBe(303);
    expect((await knowledge.proposals.getProposal(proposalForHttp))?.status).toBe('rejected');
    const audit = await store.db.select().from(decisions);
    expect(audit).toEqual([expect.objectContaining({ kind: 'reject-knowledge', actor: 'priya', surface: 'dashboard' })]);
    // A second submit of the same form is a conflict, not a second decision.
    expect((await post(priya, { decision: 'approve', csrf: token })).status).toBe(409);
  });
});

describe('dashboard in a browser at a phone viewport (390×844)', () => {
  const browserAvailable = needs('chromium').available;
  let browser: Browser;
  beforeAll(async () => {
    if (!browserAvailable) return;
    mkdirSync(artifacts, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());

  it('fits the screen, and a curator approves an edited proposal with one tap', async () => {
    const context = await browser.newContext(phoneScreen);
    const page = await context.newPage();
    await page.goto(dashboardLoginLink(server.url, secret, 'priya', new Date()));
    await expect.poll(() => page.url()).toBe(`${server.url}/dashboard`);
    await page.screenshot({ path: join(artifacts, 'dashboard-phone-top.png') });
    await page.screenshot({ path: join(artifacts, 'dashboard-phone-full.png'), fullPage: true });

    // Nothing wider than the phone: wide tables scroll inside their own box.
    // A string expression: the test project has no DOM types.
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
    expect(overflow).toBeLessThanOrEqual(0);
    expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(390);
    // Every CI row shows its state and its inputs within the screen: nothing is cut off.
    for (const test of ['TestNodePoolAutoRepair', 'TestNodePool/TestNodePoolReplaceUpgrade']) {
      const row = page.locator(`#ci li[data-test="${test}"]`);
      const chip = row.locator('.chip');
      expect(await chip.textContent()).toBe('flaky');
      expect(await chip.isVisible()).toBe(true);
      for (const part of [chip, row.locator('svg.trend'), row.locator('.ci-body .meta')]) {
        const b = (await part.boundingBox())!;
        expect(b.x + b.width).toBeLessThanOrEqual(390);
      }
    }
    await page.locator('#ci').screenshot({ path: join(artifacts, 'dashboard-phone-ci-health.png') });
    await page.locator('#calibration').screenshot({ path: join(artifacts, 'dashboard-phone-calibration.png') });
    const sections = await page.locator('main section h2').allTextContents();
    expect(sections).toEqual(['Active work', 'Pending decisions (2)', 'Review queue (1)', 'CI health', 'Knowledge feed', 'Confidence calibration']);

    const item = page.locator('#review li', { hasText: 'Azure provider errors reach the NodePool' });
    await item.locator('summary').tap();
    await expect.poll(() => item.locator('pre').textContent()).toContain('Edited by Maria before review.');
    const approve = item.getByRole('button', { name: 'Approve' });
    const box = (await approve.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(40); // a thumb-sized target
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await page.locator('#review').screenshot({ path: join(artifacts, 'dashboard-phone-review-queue.png') });
    await approve.tap();
    await page.waitForURL(/\/dashboard\?done=/);
    await expect.poll(() => page.locator('.flash').textContent()).toContain('is now pattern azure-provider-errors v1');
    expect(await page.locator('main section h2').nth(2).textContent()).toBe('Review queue (0)');
    await page.screenshot({ path: join(artifacts, 'dashboard-phone-after-approval.png') });
    expect(await knowledge.patterns.getPattern('azure-provider-errors')).toMatchObject({ state: 'approved', reviewer: 'priya', version: 1 });
    expect((await knowledge.proposals.getProposal(proposalForBrowser))?.status).toBe('approved');
    await context.close();
  });
});
