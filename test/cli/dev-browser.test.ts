// A newcomer's first minute: `npm run dev` (its start function, on free ports and a fresh data folder)
// prints a workspace URL; opened exactly as printed in a phone browser (390×844, real Chromium) it shows
// the first developer's DM with a welcome that says what to try, and the picker says who you are. The
// screenshot is the one the README's "Getting started" shows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev, type RunningDev } from '../../src/cli/dev.js';
import { exampleTargetRepo, loadConfig } from '../../src/config/load.js';
import { repoRoot } from '../../src/paths.js';
import { freePort } from '../../src/temporal/dev-server.js';
import { launchChromium, phoneScreen } from '../support/browser.js';
import { needs } from '../support/requirements.js';

const browserAvailable = needs('chromium').available;
const readmeScreenshot = join(repoRoot, 'docs', 'getting-started-phone.png');
const developers = [...loadConfig(exampleTargetRepo).roles.values()].filter((r) => r.slack_user_id);
const first = developers[0]!;

let dev: RunningDev | undefined;
let browser: Browser | undefined;
let dataDir = '';
let workspacePort = 0;
const printed: string[] = [];

beforeAll(async () => {
  if (!browserAvailable) return;
  dataDir = mkdtempSync(join(tmpdir(), 'sitroom-dev-browser-'));
  workspacePort = await freePort();
  // What a newcomer's shell has: none of the variables that point the product at real services.
  const {
    ANTHROPIC_API_KEY: _a,
    GITHUB_TOKEN: _g,
    TARGET_REPO: _t,
    DATABASE_URL: _d,
    TEMPORAL_ADDRESS: _ta,
    SLACK_BOT_TOKEN: _s,
    SITROOM_DASHBOARD_SECRET: _ds,
    ...shell
  } = process.env;
  dev = await startDev({
    env: { ...shell, PORT: String(await freePort()), SLACK_PORT: String(await freePort()), WORKSPACE_PORT: String(workspacePort), LOG_LEVEL: 'warn' },
    dataDir,
    say: (line) => printed.push(line),
  });
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await dev?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function phone(url: string): Promise<Page> {
  const page = await browser!.newPage(phoneScreen);
  await page.goto(url);
  return page;
}

describe('the workspace URL `npm run dev` prints', () => {
  it('opens the first developer’s DM with a welcome that says what to try; the picker shows who you are', async () => {
    const url = /Slack workspace \(local\):\s+(\S+)/.exec(printed.join('\n'))?.[1];
    expect(url).toBe(`http://127.0.0.1:${workspacePort}`);
    const page = await phone(url!);
    const welcome = page.locator('#welcome');
    await welcome.waitFor();
    expect(await welcome.locator('h2').textContent()).toBe(`Welcome, ${first.display_name}`);
    expect(await welcome.textContent()).toContain('/sitroom help');
    expect(await welcome.textContent()).toContain('npm run demo');
    expect(await page.locator('#title').textContent()).toBe('Situation Room');
    expect(await page.locator('#conv').inputValue()).toMatch(/^D/);
    expect(await page.locator('#user').inputValue()).toBe(first.slack_user_id);
    expect(await page.locator('#user option:checked').textContent()).toBe(`${first.display_name} (@${first.developer})`);
    expect(await page.locator('#banner').isHidden()).toBe(true);
    // Nothing overflows sideways on a phone: the page is as wide as the screen.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: readmeScreenshot });

    // The first suggestion works: a tap puts it in the message box, Send runs it, the help comes back.
    await page.locator('[data-try="/sitroom help"]').tap();
    expect(await page.locator('#text').inputValue()).toBe('/sitroom help');
    await page.locator('#composer button').tap();
    await page.locator('.ephemeral', { hasText: '/sitroom plan' }).waitFor({ timeout: 15_000 });
    await page.close();
  });

  it('takes ?user= as a name or an id, and names the people it knows when it does not know one', async () => {
    const other = developers.find((d) => d.developer !== first.developer)!;
    for (const ref of [other.developer, other.slack_user_id!]) {
      const page = await phone(`http://127.0.0.1:${workspacePort}/?user=${encodeURIComponent(ref)}`);
      await page.locator('#welcome').waitFor();
      expect(await page.locator('#welcome h2').textContent()).toBe(`Welcome, ${other.display_name}`);
      expect(await page.locator('#user').inputValue()).toBe(other.slack_user_id);
      await page.close();
    }
    const page = await phone(`http://127.0.0.1:${workspacePort}/?user=nobody`);
    const banner = page.locator('#banner');
    await banner.waitFor();
    expect(await banner.textContent()).toBe(`no user "nobody"; try one of: ${developers.map((d) => d.developer).join(', ')}`);
    await page.close();
  });
});
