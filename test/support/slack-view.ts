// What a person sees in the local Slack workspace, for end-to-end tests: a message's text with its blocks,
// the buttons on it, and waiting until something shows up.
import { expect } from 'vitest';
import type { LocalWorkspace, StoredMessage } from '../../src/local-slack/server.js';

/** Everything a person sees in a message: its text and the text inside its blocks. */
export const seen = (m: StoredMessage | undefined): string => (m ? `${m.text}\n${JSON.stringify(m.blocks ?? [])}` : '');

export const actionIds = (m: StoredMessage): string[] =>
  (m.blocks ?? []).flatMap((b) =>
    (b as { type: string }).type === 'actions' ? ((b as { elements: Array<{ action_id: string }> }).elements ?? []).map((e) => e.action_id) : [],
  );

type Probed<T> = T | undefined | null | false;

export async function until<T>(probe: () => Probed<T> | Promise<Probed<T>>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A blocking CI alert as a person sees it, in her DM or the team channel: the failing test, what it printed, the three options. */
export function expectBlockingCiAlert(alert: StoredMessage, failure: { test: string; message: string }): void {
  const text = seen(alert);
  expect(text).toContain('1 blocking failure');
  expect(text).toContain(failure.test);
  expect(text).toContain(failure.message);
  const ids = actionIds(alert);
  expect(ids.some((id) => id.includes('fix-and-repush'))).toBe(true);
  expect(ids.some((id) => id.includes('wait-for-me'))).toBe(true);
  expect(ids.some((id) => id.includes('skip-test'))).toBe(true);
  expect(JSON.stringify(alert.blocks)).toMatch(/Fix and re-push.*Wait for me.*Skip this test/);
}

/** Taps "Fix and re-push" on the alert in her DM and waits until the alert is the recorded decision, without buttons. */
export async function tapFixAndRepush(ws: LocalWorkspace, user: string, alert: StoredMessage): Promise<StoredMessage> {
  const fixId = actionIds(alert).find((id) => id.includes('fix-and-repush'))!;
  expect((await ws.tap(user, alert, fixId)).status).toBe(200);
  const decided = await until(() => ws.messagesIn(ws.dmChannel(ws.user(user).id)).find((m) => m.ts === alert.ts && m.edited), 'the alert updated in place');
  expect(actionIds(decided).some((id) => id.includes('fix-and-repush'))).toBe(false);
  expect(seen(decided)).toMatch(/fix-and-repush|fix and re-push/i);
  return decided;
}
