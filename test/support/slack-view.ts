// What a person sees in the local Slack workspace, for end-to-end tests: a message's text with its blocks,
// the buttons on it, and waiting until something shows up.
import type { StoredMessage } from '../../src/slack/workspace/server.js';

/** Everything a person sees in a message: its text and the text inside its blocks. */
export const seen = (m: StoredMessage | undefined): string => (m ? `${m.text}\n${JSON.stringify(m.blocks ?? [])}` : '');

export const actionIds = (m: StoredMessage): string[] =>
  (m.blocks ?? []).flatMap((b) => ((b as { type: string }).type === 'actions' ? ((b as { elements: Array<{ action_id: string }> }).elements ?? []).map((e) => e.action_id) : []));

export async function until<T>(probe: () => T | undefined | null | false, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
