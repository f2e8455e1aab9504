// Chromium as the browser tests drive it: headless, without the sandbox (the tests run as root in CI) and
// without the background traffic a fresh profile starts, which has nowhere to go on a machine with no internet.
import { chromium, type Browser } from 'playwright-core';
import { chromiumPath } from './requirement-table.js';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** The phone the product is checked on: 390×844 CSS pixels (an iPhone 12–15), touch, at 2× density. */
export const phoneScreen = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true } as const;
