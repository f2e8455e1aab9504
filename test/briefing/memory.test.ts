import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleTargetRepo, loadConfig } from '../../src/config/load.js';
import { migrationsFolder, type Database, type OpenStore } from '../../src/db/client.js';
import * as schema from '../../src/db/schema/index.js';
import { appendDecision, decisionsFor, savePlan, upsertDevelopers, upsertWorkItem } from '../../src/db/work-items.js';
import { loadPatternFiles } from '../../src/knowledge/patterns.js';
import { curatorsFromConfig } from '../../src/knowledge/access.js';
import { KnowledgeStore } from '../../src/knowledge/store.js';
import type { Plan } from '../../src/plan/schema.js';
import type { PhaseState, PhaseStatus } from '../../src/contracts/plan.js';
import { createDomainInsight } from '../../src/knowledge/insight.js';
import { localDate, previousEvening } from '../../src/briefing/local-time.js';
import { createMemoryPort, teamWideCi } from '../../src/briefing/memory.js';
import { storeBackends } from '../support/db.js';

const config = loadConfig(exampleTargetRepo);
const insight = createDomainInsight();
const conditions = 'hypershift-operator/controllers/nodepool/conditions.go';
const kubevirt = 'hypershift-operator/controllers/nodepool/kubevirt/kubevirt.go';

function planFor(key: string, files: { api: string[]; bridge: string[] }): Plan {
  return {
    workItemKey: key,
    intention: 'NodePool should report capacity errors per platform',
    summary: 'API condition first, then the platform bridge.',
    phases: [
      {
        id: 'api',
        title: 'Add the CapacityError condition type',
        activity: 'api_changes',
        files: files.api,
        constraints: ['reason names follow the NodePool condition conventions'],
        validation: [{ command: 'make verify', why: 'generated code in sync' }],
        dependsOn: [],
        mergeOrder: 1,
      },
      {
        id: 'bridge',
        title: 'Surface provider capacity errors',
        activity: 'implementation',
        files: files.bridge,
        constraints: [],
        validation: [{ command: 'go test ./...', why: 'unit tests' }],
        dependsOn: ['api'],
        mergeOrder: 2,
      },
    ],
  };
}

function phaseState(id: string, title: string, status: PhaseStatus, mergeOrder: number, prUrl?: string): PhaseState {
  return {
    id,
    title,
    activity: 'implementation',
    dependsOn: [],
    mergeOrder,
    mode: 'autonomous',
    modeSource: 'role',
    status,
    rejections: [],
    handoffs: [],
    attempts: 1,
    ...(prUrl ? { prUrl, branch: `sitroom/${id}` } : {}),
  };
}

async function seedItem(
  db: Database,
  args: {
    key: string;
    ownerId: string;
    title: string;
    status: string;
    phases: PhaseState[];
    files?: { api: string[]; bridge: string[] };
    approvers?: Record<string, string[]>;
  },
) {
  await upsertWorkItem(db, {
    key: args.key,
    ownerId: args.ownerId,
    title: args.title,
    intention: 'NodePool should report capacity errors per platform',
    workflowId: `work-item:${args.key}`,
    status: args.status,
  });
  await savePlan(db, {
    key: args.key,
    plan: planFor(args.key, args.files ?? { api: ['api/hypershift/v1beta1/nodepool_conditions.go'], bridge: [conditions] }),
    version: 1,
    status: args.status,
    phases: args.phases,
    ...(args.approvers ? { approvers: args.approvers } : {}),
  });
}

describe('time of the briefing', () => {
  it('overnight starts at the previous local evening, across a daylight-saving change', () => {
    // Madrid is UTC+1 in March: 08:00 local → since 18:00 local the day before.
    expect(previousEvening(new Date('2026-03-10T07:00:00Z'), 'Europe/Madrid').toISOString()).toBe('2026-03-09T17:00:00.000Z');
    // After 18:00 local the evening is today's.
    expect(previousEvening(new Date('2026-03-10T19:00:00Z'), 'Europe/Madrid').toISOString()).toBe('2026-03-10T17:00:00.000Z');
    // New York moved to EDT on 2026-03-08: 18:00 EDT that day is 22:00Z.
    expect(previousEvening(new Date('2026-03-09T12:00:00Z'), 'America/New_York').toISOString()).toBe('2026-03-08T22:00:00.000Z');
    // Late evening in New York is already the next day in Madrid.
    expect(localDate(new Date('2026-03-10T03:30:00Z'), 'America/New_York')).toBe('2026-03-09');
    expect(localDate(new Date('2026-03-10T03:30:00Z'), 'Europe/Madrid')).toBe('2026-03-10');
  });
});

for (const backend of storeBackends()) {
  describe(`memory port on ${backend.name}`, () => {
    let store: OpenStore;
    let knowledge: KnowledgeStore;
    let memory: ReturnType<typeof createMemoryPort>;
    const prApi = 'https://github.com/openshift/hypershift/pull/7001';

    beforeAll(async () => {
      store = await backend.open();
      await upsertDevelopers(store.db, config.roles.values());
      knowledge = new KnowledgeStore(store.db, { curators: curatorsFromConfig(config) });
      await knowledge.patterns.syncPatternLibrary(loadPatternFiles(exampleTargetRepo));
      memory = createMemoryPort({ db: store.db, knowledge, config: { current: () => config }, insight });

      await seedItem(store.db, {
        key: 'HOSTEDCP-2101',
        ownerId: 'maria',
        title: 'Capacity errors per platform',
        status: 'executing',
        phases: [
          phaseState('api', 'Add the CapacityError condition type', 'ci', 1, prApi),
          phaseState('bridge', 'Surface provider capacity errors', 'awaiting-approval', 2),
        ],
      });
      // Resolved later than the active one: must not become the "active work item".
      await seedItem(store.db, {
        key: 'HOSTEDCP-1999',
        ownerId: 'maria',
        title: 'Old condition cleanup',
        status: 'resolved',
        phases: [phaseState('api', 'Cleanup', 'merged', 1, 'https://github.com/openshift/hypershift/pull/6000')],
      });
      // Someone else's plan waiting for the team approver.
      await seedItem(store.db, {
        key: 'HOSTEDCP-2200',
        ownerId: 'sam',
        title: 'Starter: condition message',
        status: 'awaiting-plan-approval',
        phases: [phaseState('api', 'Message text', 'blocked', 1)],
      });
    });
    afterAll(async () => store?.close());

    it('the senior engineer sees her active ticket, saved hypothesis, related PR, gate, overnight flake retry and tiered knowledge', async () => {
      await memory.savePairSummary({
        developerId: 'maria',
        workItemKey: 'HOSTEDCP-2101',
        phaseId: 'api',
        messages: 9,
        summary: 'Walked through setMachineAndNodeConditions.\nhypothesis: the capacity error is lost in the MachineSet hop, not in the provider',
      });
      await appendDecision(store.db, {
        idempotencyKey: 'ci-retry:test:1',
        workItemKey: 'HOSTEDCP-2101',
        phaseId: 'api',
        kind: 'ci-retry',
        actor: 'rh-o',
        surface: 'automatic',
        detail: { job: 'unit', tests: ['TestNodePoolAutoRepair'], signatures: ['timed out waiting for the condition'] },
      });
      // A retry decided on Prow's terms records its state and inputs; the briefing says them.
      await appendDecision(store.db, {
        idempotencyKey: 'ci-retry:test:2',
        workItemKey: 'HOSTEDCP-2101',
        phaseId: 'api',
        kind: 'ci-retry',
        actor: 'rh-o',
        surface: 'automatic',
        detail: {
          job: 'e2e-aws',
          tests: ['TestNodePoolDay2Tags'],
          decisions: [
            {
              test: 'TestNodePoolDay2Tags',
              action: 'retry',
              state: 'flaky',
              band: 'low',
              sameShaRetries: 0,
              requiredJob: true,
              passPercentage: 70,
              historyRuns: 400,
              historySource: 'sippy',
            },
          ],
        },
      });
      await knowledge.experience.recordPlanSlip({
        step: 'run make api after adding a condition',
        workItemKey: 'HOSTEDCP-2000',
        detail: 'Two plans forgot make api; verify failed on stale CRDs.',
        applicability: { files: ['api/hypershift/v1beta1/**'] },
      });

      const b = await memory.briefing({ developerId: 'maria', at: new Date().toISOString() });
      expect(b.kind).toBe('briefing');
      expect(b.date).toBe(localDate(new Date(), 'Europe/Madrid'));
      expect(b.activeWorkItem).toEqual({ key: 'HOSTEDCP-2101', title: 'Capacity errors per platform', status: 'executing', phase: 'bridge' });
      expect(b.hypothesis).toBe('the capacity error is lost in the MachineSet hop, not in the provider');
      // The last session: the phase paired on, with what was settled there (the hypothesis has its own line).
      expect(b.lastContext).toBe('worked on HOSTEDCP-2101 phase api (paired, 9 messages: Walked through setMachineAndNodeConditions.).');
      expect(b.relatedPrs).toEqual([{ title: 'HOSTEDCP-2101 · Add the CapacityError condition type', url: prApi, state: 'ci' }]);
      expect(b.pendingDecisions).toEqual([
        { workItemKey: 'HOSTEDCP-2101', phaseId: 'bridge', kind: 'approve-phase', title: 'Phase bridge: Surface provider capacity errors — gate open' },
      ]);
      expect(b.overnightCi).toEqual([
        { pr: prApi, job: 'unit', result: 'TestNodePoolAutoRepair failed, retried', classification: 'known-flake' },
        {
          pr: prApi,
          job: 'e2e-aws',
          result: 'TestNodePoolDay2Tags failed, retried (flaky: 0 same-SHA retries · 70% pass over 400 runs (Sippy) · required job)',
          classification: 'known-flake',
        },
      ]);
      const titles = b.knowledge.map((k) => `${k.tier}:${k.title}`);
      expect(titles).toContain('1:Error propagation through the Cluster API abstraction');
      expect(titles).toContain('2:Often forgotten: run make api after adding a condition');
      // Curated before learned, and the hypothesis is not repeated as a note.
      expect(b.knowledge[0]!.tier).toBe(1);
      expect(b.knowledge.every((k) => k.tier !== 3)).toBe(true);
      expect(b.orientation).toBeUndefined();
    });

    it('the new engineer gets the orientation walk, dated in her own time zone', async () => {
      const at = '2026-03-10T03:30:00Z'; // 22:30 on the 9th in New York
      const b = await memory.briefing({ developerId: 'sam', at });
      expect(b.date).toBe('2026-03-09');
      expect(b.orientation?.steps).toHaveLength(3);
      expect(b.orientation!.steps[0]).toMatch(/^Two clusters: management and data plane: A hosted cluster is split in two/);
      expect(b.orientation!.steps[2]).toMatch(/NodePool → Cluster API → provider → node/);
      expect(b.activeWorkItem?.key).toBe('HOSTEDCP-2200');

      await knowledge.memory.updateMemory('sam', 'sam', { orientationCompletedAt: new Date() });
      expect((await memory.briefing({ developerId: 'sam', at })).orientation).toBeUndefined();
    });

    it('the tech lead sees the plan waiting for her approval, and the team-wide overnight CI when none of it is hers', async () => {
      const now = new Date();
      await knowledge.experience.recordTestRun({
        test: 'TestNodePoolUpgrade',
        job: 'e2e-aws',
        runId: 'r-1',
        commit: 'abc',
        attempt: 1,
        outcome: 'fail',
        message: 'timed out waiting for the condition',
        at: new Date(now.getTime() - 60_000),
      });
      await knowledge.experience.recordTestRun({
        test: 'TestNodePoolUpgrade',
        job: 'e2e-aws',
        runId: 'r-1',
        commit: 'abc',
        attempt: 2,
        outcome: 'pass',
        at: new Date(now.getTime() - 30_000),
      });
      await knowledge.experience.recordTestRun({
        test: 'TestCreateCluster',
        job: 'e2e-aws',
        runId: 'r-2',
        commit: 'abc',
        attempt: 1,
        outcome: 'pass',
        at: new Date(now.getTime() - 30_000),
      });
      await knowledge.experience.recordTestRun({
        test: 'TestAncient',
        job: 'unit',
        runId: 'r-0',
        commit: 'old',
        attempt: 1,
        outcome: 'fail',
        message: 'boom',
        at: new Date(now.getTime() - 3 * 86_400_000),
      });

      const b = await memory.briefing({ developerId: 'priya', at: now.toISOString() });
      expect(b.activeWorkItem).toBeUndefined();
      expect(b.pendingDecisions).toContainEqual({
        workItemKey: 'HOSTEDCP-2200',
        kind: 'approve-plan',
        title: "Sam Okafor's plan v1 for Starter: condition message",
      });
      expect(b.overnightCi.every((c) => c.pr === teamWideCi)).toBe(true);
      expect(b.overnightCi).toContainEqual({
        pr: teamWideCi,
        job: 'e2e-aws',
        result: 'TestNodePoolUpgrade failed 1 of 2 attempts, passed on retry',
        classification: 'unknown',
      });
      expect(b.overnightCi).toContainEqual({ pr: teamWideCi, job: 'e2e-aws', result: 'success' });
      expect(b.overnightCi.some((c) => c.result.includes('TestAncient'))).toBe(false);
      // The tech lead is not OWNERS-mapped and owns nothing: sam's hypothesis or memory never leaks into her briefing.
      expect(b.hypothesis).toBeUndefined();
    });

    it("an OWNERS approver sees another person's open gate on files they approve; nobody else who is not a team approver does", async () => {
      const key = 'HOSTEDCP-2400';
      // As the work item workflow stores it: the OWNERS approvers of each phase, from its settings.
      await seedItem(store.db, {
        key,
        ownerId: 'maria',
        title: 'Azure capacity errors',
        status: 'executing',
        phases: [
          phaseState('api', 'Add the CapacityError condition type', 'merged', 1),
          phaseState('bridge', 'Surface provider capacity errors', 'awaiting-approval', 2),
        ],
        approvers: { api: [], bridge: ['sam'] },
      });
      const at = new Date().toISOString();
      const forSam = (await memory.briefing({ developerId: 'sam', at })).pendingDecisions.filter((d) => d.workItemKey === key);
      expect(forSam).toEqual([
        {
          workItemKey: key,
          phaseId: 'bridge',
          kind: 'approve-phase',
          title: "Maria Alvarez's phase bridge: Surface provider capacity errors — gate open (you approve these files in OWNERS)",
        },
      ]);
      // priya decides every gate as the team approver, with no OWNERS note.
      const forPriya = (await memory.briefing({ developerId: 'priya', at })).pendingDecisions.filter((d) => d.workItemKey === key);
      expect(forPriya.map((d) => d.title)).toEqual(["Maria Alvarez's phase bridge: Surface provider capacity errors — gate open"]);
      // Once the phase's approvers no longer name sam, the gate is not his to decide.
      await seedItem(store.db, {
        key,
        ownerId: 'maria',
        title: 'Azure capacity errors',
        status: 'executing',
        phases: [
          phaseState('api', 'Add the CapacityError condition type', 'merged', 1),
          phaseState('bridge', 'Surface provider capacity errors', 'awaiting-approval', 2),
        ],
        approvers: { api: [], bridge: [] },
      });
      expect((await memory.briefing({ developerId: 'sam', at })).pendingDecisions.filter((d) => d.workItemKey === key)).toEqual([]);
      await seedItem(store.db, {
        key,
        ownerId: 'maria',
        title: 'Azure capacity errors',
        status: 'resolved',
        phases: [phaseState('api', 'Add the CapacityError condition type', 'merged', 1), phaseState('bridge', 'Surface provider capacity errors', 'merged', 2)],
        approvers: { api: [], bridge: [] },
      });
    });

    it('a pair summary is written once to personal memory and the audit log, even when the activity is retried', async () => {
      const args = {
        developerId: 'maria',
        workItemKey: 'HOSTEDCP-2101',
        phaseId: 'bridge',
        messages: 4,
        summary: 'Agreed to map InsufficientCapacity to a NodePool reason.',
      };
      await memory.savePairSummary(args);
      await memory.savePairSummary(args);
      const notes = await knowledge.memory.sessionNotes('maria', 'maria', 10);
      expect(notes.filter((n) => n.summary.includes('InsufficientCapacity'))).toHaveLength(1);
      const mem = await knowledge.memory.readMemory('maria', 'maria');
      expect(mem.leftOff).toBe('HOSTEDCP-2101 phase bridge: Agreed to map InsufficientCapacity to a NodePool reason.');
      // No "hypothesis:" line this time: the earlier hypothesis stays.
      expect(mem.hypothesis).toBe('the capacity error is lost in the MachineSet hop, not in the provider');
      const audit = (await decisionsFor(store.db, 'HOSTEDCP-2101')).filter((d) => d.kind === 'pair-session' && d.phaseId === 'bridge');
      expect(audit).toHaveLength(1);
      expect(audit[0]!.actor).toBe('maria');
      expect(JSON.stringify(audit[0]!.detail)).not.toContain('InsufficientCapacity');
    });

    it('after a resolved item, a proposal is drafted from its plan, rejection, CI and evidence, once', async () => {
      const key = 'HOSTEDCP-2300';
      await seedItem(store.db, {
        key,
        ownerId: 'maria',
        title: 'KubeVirt capacity errors',
        status: 'resolved',
        files: { api: [kubevirt], bridge: [kubevirt] },
        phases: [
          phaseState('api', 'Add the CapacityError condition type', 'merged', 1, 'https://github.com/openshift/hypershift/pull/7100'),
          phaseState('bridge', 'Surface provider capacity errors', 'merged', 2, 'https://github.com/openshift/hypershift/pull/7101'),
        ],
      });
      await store.db
        .update(schema.phases)
        .set({ evidence: { attempt: 1, done: [], evidence: ['passed: make verify', 'check_diff: no boundary or convention findings'], next: [] } });
      await appendDecision(store.db, {
        idempotencyKey: `${key}:reject`,
        workItemKey: key,
        phaseId: 'bridge',
        kind: 'reject-phase',
        actor: 'priya',
        surface: 'slack-modal',
        detail: { reason: 'read the VMI status through the CAPI machine, never from the KubeVirt API directly' },
      });

      const first = await memory.proposeKnowledge({ workItemKey: key, ownerId: 'maria' });
      expect(first).toMatchObject({ kind: 'knowledge-proposal', workItemKey: key, title: 'HOSTEDCP-2300: KubeVirt capacity errors' });
      expect(first!.proposalId).toMatch(/^\d+$/);
      expect(first!.body).toContain('priya: read the VMI status through the CAPI machine');
      expect(first!.body).toContain('passed: make verify');
      const stored = await knowledge.proposals.getProposal(Number(first!.proposalId));
      expect(stored?.status).toBe('awaiting-developer');
      expect(stored?.draft.applicability).toEqual({ components: ['nodepool-controller'], files: [kubevirt], platforms: ['KubeVirt'] });
      expect((await memory.proposeKnowledge({ workItemKey: key, ownerId: 'maria' }))?.proposalId).toBe(first!.proposalId);
      // Nothing enters tier 1 by proposing.
      expect(await knowledge.patterns.getPattern(stored!.draft.id)).toBeUndefined();

      await upsertWorkItem(store.db, {
        key: 'HOSTEDCP-2301',
        ownerId: 'maria',
        title: 'No plan',
        intention: 'x',
        workflowId: 'work-item:HOSTEDCP-2301',
        status: 'resolved',
      });
      expect(await memory.proposeKnowledge({ workItemKey: 'HOSTEDCP-2301', ownerId: 'maria' })).toBeUndefined();
    });
  });
}

describe('briefing cost', () => {
  let client: PGlite;
  let queries = 0;
  let db: Database;

  beforeAll(async () => {
    client = new PGlite('memory://');
    await client.waitReady;
    db = drizzle(client, { schema, logger: { logQuery: () => void (queries += 1) } }) as unknown as Database;
    await migrate(drizzle(client, { schema }), { migrationsFolder });
    await upsertDevelopers(db, config.roles.values());
  });
  afterAll(async () => client?.close());

  it('uses the same number of queries for 1 and for 20 work items', async () => {
    const knowledge = new KnowledgeStore(db, { curators: curatorsFromConfig(config) });
    await knowledge.patterns.syncPatternLibrary(loadPatternFiles(exampleTargetRepo));
    const memory = createMemoryPort({ db, knowledge, config: { current: () => config }, insight });
    const seed = async (i: number) => {
      const key = `HOSTEDCP-${3000 + i}`;
      await seedItem(db, {
        key,
        ownerId: 'maria',
        title: `Item ${i}`,
        status: 'executing',
        phases: [
          phaseState('api', 'API', 'ci', 1, `https://github.com/openshift/hypershift/pull/${8000 + i}`),
          phaseState('bridge', 'Bridge', 'awaiting-approval', 2),
        ],
      });
      await appendDecision(db, {
        idempotencyKey: `retry:${key}`,
        workItemKey: key,
        phaseId: 'api',
        kind: 'ci-retry',
        actor: 'rh-o',
        surface: 'automatic',
        detail: { job: 'unit', tests: ['TestNodePoolAutoRepair'] },
      });
    };
    const count = async () => {
      queries = 0;
      const b = await memory.briefing({ developerId: 'maria', at: new Date().toISOString() });
      return { queries, b };
    };

    await seed(0);
    await count(); // first briefing creates the personal memory row
    const one = await count();
    for (let i = 1; i < 20; i++) await seed(i);
    const twenty = await count();

    expect(one.b.relatedPrs).toHaveLength(1);
    expect(twenty.b.relatedPrs).toHaveLength(20);
    expect(twenty.b.pendingDecisions).toHaveLength(20);
    expect(twenty.b.overnightCi).toHaveLength(20);
    expect(one.queries).toBeGreaterThan(0);
    expect(twenty.queries).toBe(one.queries);
  });
});
