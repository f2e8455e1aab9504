// A new developer's orientation through the real Bolt app and the local workspace: the briefing the memory
// port assembles is delivered by the outbox dispatcher, its explanations are counted once per delivered
// morning and shorten over the days, and "Done — show me a starter task" records the orientation finished and
// offers a real open work item with the reasons.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleTargetRepo, loadConfig } from '../../src/config/load.js';
import type { OpenStore } from '../../src/db/client.js';
import { notificationOutbox, workItems } from '../../src/db/schema/core.js';
import { upsertDevelopers, upsertWorkItem } from '../../src/db/work-items.js';
import { defaultOrientation } from '../../src/knowledge/onboarding.js';
import { loadPatternFiles } from '../../src/knowledge/patterns.js';
import { curatorsFromConfig } from '../../src/knowledge/access.js';
import { KnowledgeStore } from '../../src/knowledge/store.js';
import type { StarterTaskOffer } from '../../src/orchestrator/port.js';
import { createDomainInsight } from '../../src/knowledge/insight.js';
import { createMemoryPort } from '../../src/briefing/memory.js';
import { createOnboarding } from '../../src/knowledge/onboarding-offers.js';
import type { StoredMessage } from '../../src/local-slack/server.js';
import { storeBackends } from '../support/db.js';
import { RecordingOrchestrator, startHarness, type Harness } from './harness.js';

const config = loadConfig();
const doneButton = 'sitroom:onboarding:orientation-done';
const day = 86_400_000;

/** The Slack-layer recorder, with onboarding bound to the store as createOrchestrator binds it. */
class OnboardingOrchestrator extends RecordingOrchestrator {
  completions: string[] = [];
  constructor(private readonly onboarding: ReturnType<typeof createOnboarding>) {
    super();
  }
  async completeOrientation(developerId: string): Promise<StarterTaskOffer> {
    this.completions.push(developerId);
    return this.onboarding.completeOrientation(developerId);
  }
}

for (const backend of storeBackends()) {
  describe(`orientation and starter task in Slack (${backend.name})`, () => {
    let store: OpenStore;
    let knowledge: KnowledgeStore;
    let h: Harness;
    let orchestrator: OnboardingOrchestrator;
    let memoryPort: ReturnType<typeof createMemoryPort>;
    const start = Date.now();

    const samDm = () => h.workspace.messagesIn('sam');
    const buttonsOf = (m: StoredMessage) => JSON.stringify((m.blocks ?? []).filter((b) => (b as { type: string }).type === 'actions'));
    async function deliverBriefing(at: Date) {
      const payload = await memoryPort.briefing({ developerId: 'sam', at: at.toISOString() });
      const dedupeKey = `briefing:sam:${payload.date}`;
      await h.notify({ dedupeKey, developerId: 'sam', urgency: 'decision', payload });
      const [row] = await store.db.select().from(notificationOutbox).where(eq(notificationOutbox.dedupeKey, dedupeKey));
      expect(row?.status).toBe('delivered');
      const message = await h.workspace.waitFor(() => samDm().find((m) => m.ts === row!.slackTs));
      return { payload, dedupeKey, message };
    }
    const exposure = async () => (await knowledge.memory.readMemory('sam', 'sam')).conceptExposure;

    beforeAll(async () => {
      store = await backend.open();
      await upsertDevelopers(store.db, config.roles.values());
      knowledge = new KnowledgeStore(store.db, { curators: curatorsFromConfig(config) });
      await knowledge.patterns.syncPatternLibrary(loadPatternFiles(exampleTargetRepo));
      memoryPort = createMemoryPort({ db: store.db, knowledge, config: { current: () => config }, insight: createDomainInsight() });
      for (const [key, title, status, files] of [
        ['HOSTEDCP-3201', 'Add MachineTemplate hash to the AWSMachineTemplate name', 'planning', ['hypershift-operator/controllers/nodepool/capi.go']],
        [
          'HOSTEDCP-3202',
          'Group AllMachinesReady message by failure reason',
          'awaiting-plan-approval',
          ['hypershift-operator/controllers/nodepool/conditions.go'],
        ],
      ] as const) {
        await upsertWorkItem(store.db, { key, ownerId: 'maria', title, intention: 'x', workflowId: `work-item:${key}`, status });
        const plan = {
          workItemKey: key,
          intention: 'x',
          summary: '',
          phases: [
            {
              id: 'change',
              title,
              activity: 'implementation',
              files,
              constraints: [],
              validation: [{ command: 'go test ./hypershift-operator/controllers/nodepool/...', why: 'unit tests' }],
              dependsOn: [],
              mergeOrder: 1,
            },
          ],
        };
        await store.db.update(workItems).set({ plan }).where(eq(workItems.key, key));
      }
      orchestrator = new OnboardingOrchestrator(createOnboarding({ db: store.db, knowledge }));
      h = await startHarness(store, orchestrator);
    });
    afterAll(async () => {
      await h?.stop();
      await store?.close();
    });

    it('the briefing carries the orientation and its button; each delivered morning counts once, and the explanations shorten', async () => {
      const first = await deliverBriefing(new Date(start));
      expect(first.payload.orientation?.concepts).toEqual(['split-brain', 'one-way-communication', 'nodepool-capi-chain']);
      expect(first.message.text.startsWith('Briefing for') || first.message.text.startsWith('<@U0SAM0002> Briefing for')).toBe(true);
      expect(JSON.stringify(first.message.blocks)).toContain('Orientation before your first task (3 stops)');
      expect(JSON.stringify(first.message.blocks)).toContain(defaultOrientation[0]!.full.slice(0, 60));
      expect(buttonsOf(first.message)).toContain('Done — show me a starter task');
      expect(await exposure()).toEqual({ 'split-brain': 1, 'one-way-communication': 1, 'nodepool-capi-chain': 1 });

      // The same morning again (a catch-up run of the schedule, a second dispatcher pass): not counted again.
      await h.notify({ dedupeKey: first.dedupeKey, developerId: 'sam', urgency: 'decision', payload: first.payload });
      expect(await exposure()).toEqual({ 'split-brain': 1, 'one-way-communication': 1, 'nodepool-capi-chain': 1 });

      await deliverBriefing(new Date(start + day));
      const third = await deliverBriefing(new Date(start + 2 * day));
      // Explained twice to a beginner: the short form from now on.
      expect(third.payload.orientation?.steps[0]).toContain(defaultOrientation[0]!.short);
      expect(JSON.stringify(third.message.blocks)).not.toContain(defaultOrientation[0]!.full.slice(0, 60));
      expect(await exposure()).toEqual({ 'split-brain': 3, 'one-way-communication': 3, 'nodepool-capi-chain': 3 });
    });

    it('someone else cannot finish sam’s orientation', async () => {
      const briefing = samDm().findLast((m) => buttonsOf(m).includes(doneButton))!;
      await h.workspace.tap('maria', briefing, doneButton);
      const refusal = await h.workspace.waitFor(() => h.workspace.ephemeralsFor('maria').find((e) => e.text.includes('belongs to someone else')));
      // She is not in sam's DM, so the refusal reaches her privately in her own DM with the app.
      expect(refusal.channel).toBe(h.workspace.dmChannel('maria'));
      expect(orchestrator.completions).toEqual([]);
      expect((await knowledge.memory.readMemory('sam', 'sam')).orientationCompletedAt).toBeNull();
    });

    it('"Done" records the orientation once, removes the button in place and offers the open item that meets every criterion', async () => {
      const briefing = samDm().findLast((m) => buttonsOf(m).includes(doneButton))!;
      const [a, b] = await Promise.all([h.workspace.tap('sam', briefing, doneButton), h.workspace.tap('sam', briefing, doneButton)]);
      expect([a.status, b.status]).toEqual([200, 200]);
      const offer = await h.workspace.waitFor(() => samDm().find((m) => m.text.startsWith('Starter task:')));
      expect(offer.text).toBe('Starter task: HOSTEDCP-3202 Group AllMachinesReady message by failure reason');
      const shown = JSON.stringify(offer.blocks);
      expect(shown).toContain('touches the NodePool controller: changes hypershift-operator/controllers/nodepool/conditions.go');
      expect(shown).toContain('changes status/conditions only: only condition/status code, tests or docs');
      expect(shown).toMatch(/follows an existing curated pattern: pattern \\"[a-z-]+\\" applies/);
      expect(shown).toContain('Currently with <@U0MARIA01>');
      // The other open item, with what it lacks.
      expect(shown).toContain('HOSTEDCP-3201 Add MachineTemplate hash to the AWSMachineTemplate name — 3/4; misses changes status/conditions only');

      const updated = await h.workspace.waitFor(() => samDm().find((m) => m.ts === briefing.ts && m.edited));
      expect(buttonsOf(updated)).not.toContain(doneButton);
      expect(JSON.stringify(updated.blocks)).toContain('Orientation finished at');
      await new Promise((r) => setTimeout(r, 200));
      expect(orchestrator.completions).toEqual(['sam']);
      expect(samDm().filter((m) => m.text.startsWith('Starter task:'))).toHaveLength(1);

      // Tomorrow's briefing is the normal one: no orientation, no button.
      const memory = await knowledge.memory.readMemory('sam', 'sam');
      expect(memory.orientationCompletedAt).not.toBeNull();
      const next = await deliverBriefing(new Date(start + 3 * day));
      expect(next.payload.orientation).toBeUndefined();
      expect(buttonsOf(next.message)).not.toContain(doneButton);
    });
  });
}
