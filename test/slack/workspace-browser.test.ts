// A person on a phone: maria opens her DM in the local workspace page at 390×844, taps Approve on a phase
// gate, and sees the prompt turn into the recorded decision. Screenshots go to test/artifacts/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenStore } from '../../src/db/client.js';
import { repoRoot } from '../../src/paths.js';
import { openTestStore } from '../support/db.js';
import { startHarness, type Harness } from './harness.js';
import { launchChromium, phoneScreen } from '../support/browser.js';
import { needs } from '../support/requirements.js';

const artifacts = join(repoRoot, 'test', 'artifacts');

let store: OpenStore;
let h: Harness;
let browser: Browser;

const browserAvailable = needs('chromium').available;

beforeAll(async () => {
  if (!browserAvailable) return;
  mkdirSync(artifacts, { recursive: true });
  store = await openTestStore();
  h = await startHarness(store);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
  await store?.close();
});

describe('local workspace in a phone browser', () => {
  it('maria taps Approve on a phase gate and sees the message change', async () => {
    await h.notify({
      dedupeKey: 'gate:HOSTEDCP-2101:platform-bridge',
      developerId: 'maria',
      urgency: 'decision',
      payload: {
        kind: 'gate',
        workItemKey: 'HOSTEDCP-2101',
        phaseId: 'platform-bridge',
        title: 'Platform bridge is ready for review',
        summary: 'Azure and AWS machine capacity errors now map to one NodePool condition reason. make verify passed.',
        mode: 'approval-required',
      },
    });
    const page = await browser.newPage(phoneScreen);
    await page.goto(`${h.workspace.url}/?user=U0MARIA01&conv=${h.workspace.dmChannel('maria')}`);
    const prompt = page.locator('.msg', { hasText: 'Platform bridge is ready for review' });
    await prompt.waitFor();
    const approve = prompt.getByRole('button', { name: 'Approve' });
    expect(await approve.isVisible()).toBe(true);
    // Nothing overflows sideways on a phone: the page is as wide as the screen.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(artifacts, 'slack-gate-before.png') });

    // Another message arriving while her thumb is on the button leaves that button where it is (the page
    // redraws only what changed), so the tap lands on the gate she was looking at.
    const button = await approve.elementHandle();
    await h.notify({
      dedupeKey: 'gate:HOSTEDCP-2102:docs',
      developerId: 'maria',
      urgency: 'decision',
      payload: {
        kind: 'gate',
        workItemKey: 'HOSTEDCP-2102',
        phaseId: 'docs',
        title: 'Docs are ready for review',
        summary: 'The README documents the condition.',
        mode: 'approval-required',
      },
    });
    await page.locator('.msg', { hasText: 'Docs are ready for review' }).waitFor();
    expect(await button!.evaluate((el) => el.isConnected)).toBe(true);

    await approve.tap();
    await prompt.getByText('Phase platform-bridge approved').waitFor({ timeout: 10_000 });
    expect(await prompt.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await prompt.textContent()).toContain('Maria Alvarez');
    await page.screenshot({ path: join(artifacts, 'slack-gate-after.png') });

    expect(h.orchestrator.decisions).toHaveLength(1);
    expect(h.orchestrator.decisions[0]).toMatchObject({ kind: 'approve-phase', phaseId: 'platform-bridge', actor: 'maria', surface: 'slack-button' });
    await page.close();
  });
});
