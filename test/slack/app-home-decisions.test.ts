// Approvals tapped on App Home, through the local workspace and the real Bolt app. App Home keeps one view
// id across republishes, so each decision button must count as its own tap: two approvals for two items
// both apply, and the same button tapped twice applies once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenStore } from '../../src/db/client.js';
import type { Situation } from '../../src/orchestrator/port.js';
import { openTestStore } from '../support/db.js';
import { RecordingOrchestrator, startHarness, type Harness } from './harness.js';

/** Two gates waiting for maria; a gate disappears from her Home once it is approved. */
class TwoGates extends RecordingOrchestrator {
  pending = [
    { workItemKey: 'HOSTEDCP-3001', kind: 'approve-phase' as const, phaseId: 'api', title: 'Approve phase api', since: '2026-11-25T08:00:00Z' },
    { workItemKey: 'HOSTEDCP-3002', kind: 'approve-phase' as const, phaseId: 'nodepool', title: 'Approve phase nodepool', since: '2026-11-25T08:05:00Z' },
  ];
  override async situation(developerId: string): Promise<Situation> {
    const base = await super.situation(developerId);
    const decided = (d: { workItemKey: string; phaseId?: string }) =>
      this.decisions.some((r) => r.workItemKey === d.workItemKey && r.phaseId === d.phaseId && r.actor === developerId);
    return { ...base, pendingDecisions: this.pending.filter((d) => !decided(d)) };
  }
}

let store: OpenStore;
let h: Harness;
const orchestrator = new TwoGates();

beforeAll(async () => {
  store = await openTestStore();
  h = await startHarness(store, orchestrator);
}, 60_000);
afterAll(async () => {
  await h?.stop();
  await store?.close();
});

const homeText = () => JSON.stringify(h.workspace.homeOf('maria') ?? {});

describe('approvals on App Home', () => {
  it('two approvals for two items both apply, and the same tap twice applies once', async () => {
    await h.workspace.openHome('maria');
    await h.workspace.waitFor(() => homeText().includes('HOSTEDCP-3002') || undefined);
    const publishes = () => h.workspace.apiCalls.filter((c) => c.method === 'views.publish').length;

    // The second item's button, tapped twice at once: one decision.
    const before = publishes();
    const taps = await Promise.all([
      h.workspace.tapHome('maria', 'sitroom:decide:approve-phase', 'home-pending-1'),
      h.workspace.tapHome('maria', 'sitroom:decide:approve-phase', 'home-pending-1'),
    ]);
    expect(taps.map((t) => t.status)).toEqual([200, 200]);
    await h.workspace.waitFor(() => (publishes() > before && !homeText().includes('HOSTEDCP-3002')) || undefined);
    await new Promise((r) => setTimeout(r, 300));
    expect(orchestrator.decisions.filter((d) => d.workItemKey === 'HOSTEDCP-3002')).toHaveLength(1);

    // Then the first item's button on the republished Home (same view id): it applies too.
    const republished = publishes();
    await h.workspace.tapHome('maria', 'sitroom:decide:approve-phase', 'home-pending-0');
    await h.workspace.waitFor(() => (publishes() > republished && !homeText().includes('HOSTEDCP-3001')) || undefined);
    const made = orchestrator.decisions.map((d) => `${d.workItemKey}/${d.phaseId}/${d.kind}/${d.actor}`);
    expect(made).toEqual(['HOSTEDCP-3002/nodepool/approve-phase/maria', 'HOSTEDCP-3001/api/approve-phase/maria']);
    expect(new Set(orchestrator.decisions.map((d) => d.idempotencyKey)).size).toBe(2);
    expect(homeText()).toContain('Nothing is waiting for you.');
  });
});
