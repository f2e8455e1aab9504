// The limit validator tests use: the same rules the local workspace answers `invalid_blocks` with, which are
// written from Slack's reference pages independently of the builders under test (src/slack/blocks).
import { expect } from 'vitest';
import { blockKitErrors, messageErrors, viewErrors, type Surface } from '../../src/local-slack/block-kit-rules.js';

export { blockKitErrors, messageErrors, viewErrors, type Surface };

export function expectValidMessage(label: string, message: { text: string; blocks: unknown[] }): void {
  expect(messageErrors(message), `${label} breaks Slack's limits`).toEqual([]);
  expect(message.text.length, `${label} has no notification text`).toBeGreaterThan(0);
}

export function expectValidView(label: string, view: unknown): void {
  expect(viewErrors(view), `${label} breaks Slack's limits`).toEqual([]);
}
