// Slack's agent surface as a person sees it on a phone (390×844, real Chromium) in the local workspace's page,
// with the real Bolt app behind it: opening the DM shows the prompts the app pinned; tapping one sends it as
// her message; while RH-A works the thread shows what it is doing; the answer arrives streamed, with thumbs
// up and down under it; a tap on 👍 shows it pressed and reaches the app as the feedback block action.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenStore } from '../../src/db/client.js';
import { decisions } from '../../src/db/schema/core.js';
import type { AskOptions } from '../../src/orchestrator/port.js';
import { createSlackApp, type SlackApp } from '../../src/slack/app.js';
import { startLocalWorkspace, type LocalWorkspace } from '../../src/local-slack/server.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/observability/logger.js';
import { repoRoot } from '../../src/paths.js';
import { openTestStore } from '../support/db.js';
import { launchChromium, phoneScreen } from '../support/browser.js';
import { needs } from '../support/requirements.js';
import { botToken, RecordingOrchestrator, seedTeam, signingSecret, workspaceUsers } from './harness.js';

const artifacts = join(repoRoot, 'test', 'artifacts');
const browserAvailable = needs('chromium').available;

/** RH-A reports what it reads, and answers only once the test has seen that status on the phone. */
class PacedOrchestrator extends RecordingOrchestrator {
  private release: (() => void) | undefined;
  readonly statusSeen = new Promise<void>((resolve) => (this.release = resolve));
  statusWasSeen(): void {
    this.release?.();
  }
  override async ask(_developerId: string, question: string, options?: AskOptions) {
    options?.onProgress?.('is reading capi.go…');
    await this.statusSeen;
    const paragraph = (n: number) =>
      `Paragraph ${n} about "${question}": the platform machine status feeds the Machine conditions, which the NodePool controller aggregates.`;
    return { text: Array.from({ length: 12 }, (_, i) => paragraph(i + 1)).join('\n\n'), citations: ['hypershift-operator/controllers/nodepool/capi.go'] };
  }
}

let store: OpenStore;
let workspace: LocalWorkspace;
let slack: SlackApp;
let orchestrator: PacedOrchestrator;
let browser: Browser;

beforeAll(async () => {
  if (!browserAvailable) return;
  mkdirSync(artifacts, { recursive: true });
  store = await openTestStore();
  await seedTeam(store);
  orchestrator = new PacedOrchestrator();
  workspace = await startLocalWorkspace({ appUrl: 'http://127.0.0.1:1/slack/events', signingSecret, botToken, users: workspaceUsers });
  const config = loadConfig();
  slack = createSlackApp({
    orchestrator,
    store,
    botToken,
    signingSecret,
    slackApiUrl: workspace.apiUrl,
    port: 0,
    logger: createLogger('slack-browser-test', 'silent'),
    dashboardUrl: 'https://sitroom.example.com/dashboard',
    dashboardSecret: 'a-dashboard-secret-of-at-least-32-characters',
    currentConfig: () => config,
  });
  const { requestUrl } = await slack.start();
  workspace.setAppUrl(requestUrl!);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await slack?.stop();
  await workspace?.stop();
  await store?.close();
});

const noSidewaysScroll = async (page: Page) =>
  expect(Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'))).toBeLessThanOrEqual(0);

describe('the agent surface in the local workspace page, on a phone', () => {
  it('prompts on opening the DM, a status while RH-A works, the streamed answer, and 👍 pressed', async () => {
    const dm = workspace.dmChannel('maria');
    const page = await browser.newPage(phoneScreen);
    // A script error on the page is a failure too: it would leave the person looking at a stale screen.
    const scriptErrors: string[] = [];
    page.on('pageerror', (e) => scriptErrors.push(String(e)));
    await page.goto(`${workspace.url}/?user=U0MARIA01&conv=${dm}`);

    // Opening the DM told the app (app_home_opened on the Messages tab), and the prompts it pinned are shown.
    const prompts = page.locator('#prompts button.prompt');
    await prompts.first().waitFor({ timeout: 15_000 });
    expect(workspace.deliveries.some((d) => d.type === 'app_home_opened' && d.ok)).toBe(true);
    const pinned = workspace.suggestedPromptsIn(dm)!;
    expect(await prompts.allTextContents()).toEqual(pinned.prompts.map((p) => p.title));
    if (pinned.title) expect(await page.locator('#prompts .ptitle').textContent()).toBe(pinned.title);
    expect(await prompts.first().isVisible()).toBe(true);
    await noSidewaysScroll(page);
    await page.screenshot({ path: join(artifacts, 'agent-surface-prompts.png') });

    // A tap on a prompt sends its message as hers.
    const chosen = pinned.prompts[0]!;
    await prompts.first().tap();
    const asked = page.locator('#messages .msg', { hasText: chosen.message });
    await asked.waitFor({ timeout: 15_000 });
    expect(await asked.locator('.who').textContent()).toBe('Maria Alvarez');

    // While RH-A works, the DM shows what it is doing under her message.
    const status = asked.locator('.status');
    await status.waitFor({ timeout: 15_000 });
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe('Situation Room is reading capi.go…');
    await page.screenshot({ path: join(artifacts, 'agent-surface-status.png') });
    orchestrator.statusWasSeen();

    // The answer, streamed into her message's thread: the status goes; the thread shows all of it, then 👍 👎.
    await status.waitFor({ state: 'detached', timeout: 15_000 });
    const replies = asked.locator('.replies', { hasText: '1 reply' });
    await replies.waitFor({ timeout: 15_000 });
    await replies.tap();
    const answer = page.locator('#threadMessages .msg', { hasText: 'Paragraph 1 about' });
    await answer.waitFor({ timeout: 15_000 });
    await expect.poll(() => answer.textContent(), { timeout: 15_000 }).toContain('Paragraph 12 about');
    expect(await answer.locator('.streaming').count()).toBe(0);
    const stored = workspace.threadReplies(dm, workspace.messagesIn(dm).find((m) => m.text === chosen.message)!.ts).find((m) => m.stream);
    expect(stored?.stream).toMatchObject({ state: 'completed' });
    expect(stored!.stream!.appended).toBeGreaterThan(0);
    const up = answer.getByRole('button', { name: 'This answer helped' });
    const down = answer.getByRole('button', { name: 'This answer did not help' });
    await up.waitFor({ timeout: 15_000 });
    expect(await up.textContent()).toBe('👍');
    expect(await down.isVisible()).toBe(true);
    await noSidewaysScroll(page);

    // 👍: shown pressed at once, and recorded by the app from the feedback block action.
    await up.tap();
    expect(await up.getAttribute('aria-pressed')).toBe('true');
    expect(await down.getAttribute('aria-pressed')).toBe('false');
    const recorded = () =>
      store.db
        .select()
        .from(decisions)
        .where(and(eq(decisions.kind, 'answer-feedback'), eq(decisions.actor, 'maria')));
    await expect
      .poll(async () => (await recorded()).map((r) => r.detail), { timeout: 15_000 })
      .toEqual([expect.objectContaining({ rating: 'helpful', answerTs: stored!.ts })]);
    expect(workspace.deliveries.some((d) => d.kind === 'interactive' && d.type === 'block_actions' && d.ok)).toBe(true);
    await page.screenshot({ path: join(artifacts, 'agent-surface-answer.png') });
    expect(scriptErrors).toEqual([]);
    await page.close();
  });

  it('draws what the app sends as text, never as markup', async () => {
    // In #general, where opening the conversation tells the app nothing, so what is pinned stays as sent.
    const general = workspace.channelId('general');
    const { ts } = await workspace.sendMessage('maria', general, 'a note for the team');
    const call = (method: string, args: Record<string, unknown>) =>
      fetch(`${workspace.apiUrl}${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${botToken}`, 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(args),
      }).then((r) => r.json() as Promise<{ ok: boolean }>);
    expect(
      (
        await call('assistant.threads.setSuggestedPrompts', {
          channel_id: general,
          title: '<img src=x onerror=alert(1)>',
          prompts: [{ title: '<b>bold</b>', message: '<script>alert(1)</script>' }],
        })
      ).ok,
    ).toBe(true);
    expect((await call('assistant.threads.setStatus', { channel_id: general, thread_ts: ts, status: 'is reading <i>x</i>…' })).ok).toBe(true);
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.goto(`${workspace.url}/?user=U0MARIA01&conv=${general}`);
    const prompt = page.locator('#prompts button.prompt');
    await prompt.waitFor({ timeout: 15_000 });
    expect(await prompt.textContent()).toBe('<b>bold</b>');
    expect(await page.locator('#prompts .ptitle').textContent()).toBe('<img src=x onerror=alert(1)>');
    expect(await page.locator('#prompts img, #prompts b, #prompts script').count()).toBe(0);
    const status = page.locator('#messages .msg', { hasText: 'a note for the team' }).locator('.status');
    await status.waitFor({ timeout: 15_000 });
    expect(await status.textContent()).toBe('Situation Room is reading <i>x</i>…');
    expect(await status.locator('i').count()).toBe(0);
    await page.close();
  });
});
