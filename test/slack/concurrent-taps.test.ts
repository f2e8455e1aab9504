// A burst of taps through the local workspace and the real Bolt app: every tap is acknowledged once its
// intent is stored (taps that arrive together are stored together), each decision is applied once, a double
// tap collapses, and a tap whose row the store refuses fails alone: the person is told, the rest of its
// burst is stored and applied.
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenStore } from '../../src/db/client.js';
import { slackIntents } from '../../src/db/schema/core.js';
import type { StoredMessage } from '../../src/local-slack/server.js';
import { renderNotification } from '../../src/slack/blocks/notifications.js';
import { openTestStore } from '../support/db.js';
import { botToken, startHarness, type Harness } from './harness.js';

let store: OpenStore;
let h: Harness;

beforeAll(async () => {
  store = await openTestStore();
  // This file is about what happens to each tap, not how fast: the speed of acknowledgements is measured by
  // the ask and slack benchmarks, so a loaded machine gets more than Slack's 3 s here.
  h = await startHarness(store, undefined, { deliveryTimeoutMs: 60_000 });
});
afterAll(async () => {
  await h?.stop();
  await store?.close();
});

const approve = 'sitroom:decide:approve-phase';
const buttonsOf = (m: StoredMessage) => (m.blocks ?? []).filter((b) => (b as { type: string }).type === 'actions');

/** Phase gates in maria's DM, posted by the app's bot as the dispatcher would. */
async function gates(prefix: string, count: number, text = (phaseId: string) => `Phase ${phaseId} is ready`): Promise<StoredMessage[]> {
  const posted: StoredMessage[] = [];
  for (let i = 0; i < count; i++) {
    const phaseId = `${prefix}-${i}`;
    const gate = renderNotification(
      { kind: 'gate', workItemKey: 'HOSTEDCP-2101', phaseId, title: text(phaseId), summary: 'make verify passed' },
      { dashboardUrl: 'http://127.0.0.1:3000', mention: (id) => id },
    );
    const res = await fetch(`${h.workspace.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${botToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: h.workspace.user('maria').id, text: gate.text, blocks: gate.blocks }),
    });
    const { ok, ts } = (await res.json()) as { ok: boolean; ts: string };
    expect(ok).toBe(true);
    posted.push(h.workspace.messagesIn('maria').find((m) => m.ts === ts)!);
  }
  return posted;
}

const decisionsOn = (prompt: StoredMessage) => h.orchestrator.decisions.filter((d) => d.idempotencyKey.includes(prompt.ts));

describe('a burst of taps', () => {
  it('acknowledges every tap, applies each decision once and collapses double taps', async () => {
    const prompts = await gates('burst', 60);
    // Every prompt tapped twice at once, all 120 taps in flight together.
    const answers = await Promise.all([...prompts, ...prompts].map((p) => h.workspace.tap('maria', p, approve)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(answers.every((a) => a.attempts === 1)).toBe(true);

    // Each prompt updated in place to say who decided, with no buttons left.
    for (const prompt of prompts) {
      const updated = await h.workspace.waitFor(() => h.workspace.messagesIn('maria').find((m) => m.ts === prompt.ts && m.edited), 30_000);
      expect(buttonsOf(updated)).toHaveLength(0);
    }
    await new Promise((r) => setTimeout(r, 300)); // a second application, were there one, would show by now
    for (const prompt of prompts) expect(decisionsOn(prompt), prompt.ts).toHaveLength(1);
    const rows = await store.db
      .select()
      .from(slackIntents)
      .where(
        inArray(
          slackIntents.idempotencyKey,
          prompts.map((p) => decisionsOn(p)[0]!.idempotencyKey),
        ),
      );
    expect(rows).toHaveLength(prompts.length);
    expect(rows.every((r) => r.status === 'applied')).toBe(true);
  });

  it('tells the one person whose tap the store refused, and stores and applies the others of the burst', async () => {
    // PostgreSQL's jsonb cannot hold U+0000: the prompt's text travels in the tap and is kept in the row, so the
    // store refuses that row (and, with it, any statement it shares with other taps).
    const prompts = await gates('refused', 30, (phaseId) => (phaseId === 'refused-11' ? `Phase ${phaseId} is \u0000 ready` : `Phase ${phaseId} is ready`));
    const refused = prompts[11]!;
    const before = h.workspace.ephemeralsFor('maria').length;
    const answers = await Promise.all(prompts.map((p) => h.workspace.tap('maria', p, approve)));
    // Acknowledged all the same: Slack must not show an error; the person is told instead.
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const told = await h.workspace.waitFor(
      () =>
        h.workspace
          .ephemeralsFor('maria')
          .slice(before)
          .find((e) => e.text.startsWith('Could not record that decision')),
      30_000,
    );
    // The failure names the refused tap's key: its prompt's ts is part of it.
    expect(told.text).toContain(refused.ts);
    expect(
      h.workspace
        .ephemeralsFor('maria')
        .slice(before)
        .filter((e) => e.text.startsWith('Could not record')),
    ).toHaveLength(1);

    for (const prompt of prompts.filter((p) => p !== refused)) {
      await h.workspace.waitFor(() => h.workspace.messagesIn('maria').find((m) => m.ts === prompt.ts && m.edited), 30_000);
    }
    await new Promise((r) => setTimeout(r, 300));
    for (const prompt of prompts.filter((p) => p !== refused)) expect(decisionsOn(prompt), prompt.ts).toHaveLength(1);
    expect(decisionsOn(refused)).toHaveLength(0);
    expect(buttonsOf(h.workspace.messagesIn('maria').find((m) => m.ts === refused.ts)!)).not.toHaveLength(0);
  });
});
