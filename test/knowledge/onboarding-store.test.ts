// Onboarding against the store: finishing the orientation is recorded once in personal memory, and the starter
// task comes from the work items that are really open, judged with the approved pattern library.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleTargetRepo, loadConfig } from '../../src/config/load.js';
import type { OpenStore } from '../../src/db/client.js';
import { personalMemory } from '../../src/db/schema/knowledge.js';
import { workItems } from '../../src/db/schema/core.js';
import { upsertDevelopers, upsertWorkItem } from '../../src/db/work-items.js';
import { firstMessageFor, starterCandidatesFrom } from '../../src/knowledge/onboarding.js';
import { loadPatternFiles } from '../../src/knowledge/patterns.js';
import { countExplained } from '../../src/db/personal-memory.js';
import { curatorsFromConfig } from '../../src/knowledge/access.js';
import { KnowledgeStore } from '../../src/knowledge/store.js';
import { createOnboarding } from '../../src/knowledge/onboarding-offers.js';
import { storeBackends } from '../support/db.js';

const config = loadConfig();
const unitTest = { command: 'go test ./hypershift-operator/controllers/nodepool/...', why: 'condition unit tests' };

/** A plan as work_items.plan stores it (validated Plan JSON). */
function plan(key: string, phases: Array<{ id: string; files: string[]; validation: Array<{ command: string; why: string }> }>) {
  return {
    workItemKey: key,
    intention: 'x',
    summary: '',
    phases: phases.map((p, i) => ({
      id: p.id,
      title: p.id,
      activity: 'implementation',
      files: p.files,
      constraints: [],
      validation: p.validation,
      dependsOn: [],
      mergeOrder: i + 1,
    })),
  };
}

async function seedWorkItem(store: OpenStore, key: string, title: string, status: string, planJson: unknown): Promise<void> {
  await upsertWorkItem(store.db, { key, ownerId: 'maria', title, intention: 'x', workflowId: `work-item:${key}`, status });
  await store.db.update(workItems).set({ plan: planJson }).where(eq(workItems.key, key));
}

for (const backend of storeBackends()) {
  describe(`onboarding in the store (${backend.name})`, () => {
    let store: OpenStore;
    let knowledge: KnowledgeStore;

    beforeAll(async () => {
      store = await backend.open();
      await upsertDevelopers(store.db, config.roles.values());
      knowledge = new KnowledgeStore(store.db, { curators: curatorsFromConfig(config) });
      await knowledge.patterns.syncPatternLibrary(loadPatternFiles(exampleTargetRepo));
      await knowledge.memory.readMemory('sam', 'sam', { familiar: [], learning: ['aws'], explanationLevel: 'beginner' });
      // Spread over two phases: the candidate is the whole work item, its files and validation steps together.
      await seedWorkItem(
        store,
        'HOSTEDCP-3102',
        'Group AllMachinesReady message by failure reason',
        'awaiting-plan-approval',
        plan('HOSTEDCP-3102', [
          { id: 'conditions', files: ['hypershift-operator/controllers/nodepool/conditions.go'], validation: [] },
          { id: 'tests', files: ['hypershift-operator/controllers/nodepool/nodepool_controller_test.go'], validation: [unitTest] },
        ]),
      );
      await seedWorkItem(
        store,
        'HOSTEDCP-3101',
        'Add MachineTemplate hash to the AWSMachineTemplate name',
        'planning',
        plan('HOSTEDCP-3101', [
          {
            id: 'capi',
            files: ['hypershift-operator/controllers/nodepool/capi.go', 'hypershift-operator/controllers/nodepool/aws.go'],
            validation: [unitTest],
          },
        ]),
      );
      await seedWorkItem(store, 'HOSTEDCP-3103', 'Report ValidPlatformConfig reason for Azure', 'planning', null);
      // Meets every criterion, but someone is already executing it.
      await seedWorkItem(
        store,
        'HOSTEDCP-3100',
        'Summarise AllNodesHealthy by count',
        'executing',
        plan('HOSTEDCP-3100', [{ id: 'conditions', files: ['hypershift-operator/controllers/nodepool/conditions.go'], validation: [unitTest] }]),
      );
    });
    afterAll(async () => {
      await store?.close();
    });

    it('candidates carry every file and validation step of the plan; items past planning are not open', async () => {
      const rows = await store.db.select().from(workItems);
      const byKey = new Map(starterCandidatesFrom(rows).map((c) => [c.key, c]));
      expect(byKey.get('HOSTEDCP-3102')).toEqual({
        key: 'HOSTEDCP-3102',
        title: 'Group AllMachinesReady message by failure reason',
        status: 'open',
        files: ['hypershift-operator/controllers/nodepool/conditions.go', 'hypershift-operator/controllers/nodepool/nodepool_controller_test.go'],
        validation: [unitTest],
      });
      expect(byKey.get('HOSTEDCP-3103')).toMatchObject({ status: 'open', files: [], validation: [] });
      expect(byKey.get('HOSTEDCP-3100')?.status).toBe('taken');
    });

    it('finishing the orientation records it once and offers the open item that meets every criterion, with the reasons', async () => {
      const onboarding = createOnboarding({ db: store.db, knowledge });
      const offer = await onboarding.completeOrientation('sam');
      expect(offer.chosen?.workItemKey).toBe('HOSTEDCP-3102');
      expect(offer.chosen?.ownerId).toBe('maria');
      expect(offer.chosen?.reasons.map((r) => r.criterion)).toEqual([
        'touches the NodePool controller',
        'changes status/conditions only',
        'follows an existing curated pattern',
        'has a clear validation step',
      ]);
      expect(offer.chosen?.reasons[1]?.why).toBe('only condition/status code, tests or docs');
      expect(offer.chosen?.reasons[2]?.why).toMatch(/^pattern ".+" applies$/);
      expect(offer.chosen?.reasons[3]?.why).toContain('go test ./hypershift-operator/controllers/nodepool/...');
      // The others, with what they lack; the executing item is not even considered.
      const considered = new Map(offer.considered.map((c) => [c.workItemKey, c]));
      expect([...considered.keys()].sort()).toEqual(['HOSTEDCP-3101', 'HOSTEDCP-3102', 'HOSTEDCP-3103']);
      expect(considered.get('HOSTEDCP-3101')?.missing).toEqual([
        {
          criterion: 'changes status/conditions only',
          why: 'also changes hypershift-operator/controllers/nodepool/capi.go, hypershift-operator/controllers/nodepool/aws.go',
        },
      ]);
      expect(considered.get('HOSTEDCP-3103')?.missing.map((m) => m.why)).toContain('no files listed yet');

      const memory = await knowledge.memory.readMemory('sam', 'sam');
      expect(memory.orientationCompletedAt?.toISOString()).toBe(offer.orientationCompletedAt);
      expect(firstMessageFor(config.roles.get('sam')!, memory).kind).toBe('briefing');
      // A second tap keeps the first time.
      await new Promise((r) => setTimeout(r, 5));
      expect((await onboarding.completeOrientation('sam')).orientationCompletedAt).toBe(offer.orientationCompletedAt);
      // Tier 3 stays private: nobody finishes someone else's orientation.
      await expect(knowledge.memory.completeOrientation('maria', 'sam')).rejects.toThrow(/private/);
    });

    it('with no open item meeting every criterion, nothing is chosen and the closest says what it lacks', async () => {
      await store.db.update(workItems).set({ status: 'executing' }).where(eq(workItems.key, 'HOSTEDCP-3102'));
      const offer = await createOnboarding({ db: store.db, knowledge }).completeOrientation('sam');
      expect(offer.chosen).toBeUndefined();
      expect(offer.considered[0]).toMatchObject({ workItemKey: 'HOSTEDCP-3101', met: 3 });
      await store.db.update(workItems).set({ status: 'awaiting-plan-approval' }).where(eq(workItems.key, 'HOSTEDCP-3102'));
    });

    it('counting explained concepts adds one per concept in one statement, so concurrent counts are not lost', async () => {
      await Promise.all([
        countExplained(store.db, 'sam', ['split-brain', 'split-brain', 'one-way-communication']),
        countExplained(store.db, 'sam', ['split-brain']),
      ]);
      const [row] = await store.db.select().from(personalMemory).where(eq(personalMemory.developerId, 'sam'));
      expect(row?.conceptExposure).toEqual({ 'split-brain': 2, 'one-way-communication': 1 });
      // Nobody's memory is created by counting: it is seeded from the role file when the briefing is assembled.
      await countExplained(store.db, 'nobody', ['split-brain']);
      expect(await store.db.select().from(personalMemory).where(eq(personalMemory.developerId, 'nobody'))).toEqual([]);
    });
  });
}
