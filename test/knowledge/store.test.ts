import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { OpenStore } from '../../src/db/client.js';
import { loadPatternFiles, type LoadedPattern } from '../../src/knowledge/patterns.js';
import { KnowledgeAccessError, curatorsFromConfig } from '../../src/knowledge/access.js';
import { KnowledgeStore } from '../../src/knowledge/store.js';
import { modelVerifyResolver } from '../../src/knowledge/staleness.js';
import { loadDomainModel, loadTree } from '../../src/domain/index.js';
import { exampleTargetRepo } from '../../src/config/load.js';
import { storeBackends } from '../support/db.js';

const config = loadConfig();
const curators = curatorsFromConfig(config);
const hypershiftTree = loadTree(); // the pinned snapshot committed in domain-models/snapshot
const snapshot = loadDomainModel().snapshot;
const verifyRefs = (tree: readonly string[]) => modelVerifyResolver(tree, snapshot);
const realPatternIds = ['capi-error-propagation', 'new-platform-checklist', 'adapt-function-contract', 'nodepool-condition-conventions'];

describe('the example pattern library', () => {
  it('parses, and the four HyperShift patterns pass the domain model verification (path, line, symbol) at the pinned commit', () => {
    const patterns = loadPatternFiles(exampleTargetRepo);
    const resolve = verifyRefs(loadTree());
    for (const id of realPatternIds) {
      const p = patterns.find((x) => x.id === id);
      expect(p, id).toBeDefined();
      expect(p!.state).toBe('approved');
      const unresolved = p!.references.filter((r) => !resolve(r));
      expect(unresolved, `${id} references`).toEqual([]);
    }
  });

  it('the adapt-function pattern states the Reader-client contract and does not claim purity', () => {
    const p = loadPatternFiles(exampleTargetRepo).find((x) => x.id === 'adapt-function-contract')!;
    expect(p.body).toMatch(/only a Reader client/);
    expect(p.body).not.toMatch(/adapt functions must be pure/i);
  });
});

for (const backend of storeBackends()) {
  describe(`knowledge store on ${backend.name}`, () => {
    let store: OpenStore;
    let knowledge: KnowledgeStore;
    let patterns: LoadedPattern[];

    beforeAll(async () => {
      store = await backend.open();
      knowledge = new KnowledgeStore(store.db, { curators });
      patterns = loadPatternFiles(exampleTargetRepo);
      await knowledge.patterns.syncPatternLibrary(patterns);
    });
    afterAll(async () => store?.close());

    it('mirrors the repository pattern library, idempotently, and retires an entry whose file was deleted', async () => {
      const again = await knowledge.patterns.syncPatternLibrary(patterns);
      expect(again.added).toEqual([]);
      expect(again.unchanged.sort()).toEqual(patterns.map((p) => p.id).sort());
      const approved = await knowledge.patterns.listPatterns('approved');
      expect(approved.map((p) => p.id)).toEqual(expect.arrayContaining(realPatternIds));

      const withoutOne = patterns.filter((p) => p.id !== 'nodepool-condition-type');
      const afterDelete = await knowledge.patterns.syncPatternLibrary(withoutOne);
      expect(afterDelete.retired).toEqual(['nodepool-condition-type']);
      expect((await knowledge.patterns.getPattern('nodepool-condition-type'))?.state).toBe('retired');
      await knowledge.patterns.syncPatternLibrary(patterns); // restored by a later commit: back to approved
      expect((await knowledge.patterns.getPattern('nodepool-condition-type'))?.state).toBe('approved');
    });

    it('a tier 2 entry is surfaced for a plan touching a matching file and not for another file', async () => {
      await knowledge.experience.recordPlanSlip({
        step: 'run make api after adding a condition constant',
        workItemKey: 'HOSTEDCP-2101',
        detail: 'Two plans this month added a NodePool condition and forgot make api; verify failed on the stale CRDs.',
        applicability: { files: ['api/hypershift/v1beta1/nodepool_conditions.go'], components: [] },
      });
      const matching = await knowledge.relevantKnowledge({ files: ['api/hypershift/v1beta1/nodepool_conditions.go'] });
      const slip = matching.find((k) => k.id === 'plan-slip:run-make-api-after-adding-a-condition-constant');
      expect(slip?.tier).toBe(2);
      expect(slip?.tierLabel).toBe('experience log (learned)');
      // Curated entries for the same file come first.
      expect(matching[0]?.tier).toBe(1);
      expect(matching.findIndex((k) => k.tier === 2)).toBeGreaterThan(matching.findIndex((k) => k.id === 'nodepool-condition-conventions'));

      const other = await knowledge.relevantKnowledge({ files: ['control-plane-operator/controllers/hostedcontrolplane/v2/kas/deployment.go'] });
      expect(other.map((k) => k.id)).not.toContain('plan-slip:run-make-api-after-adding-a-condition-constant');
      expect(other.map((k) => k.id)).toContain('adapt-function-contract');
    });

    it('a recurring slip counts its occurrences', async () => {
      const input = {
        step: 'regenerate CRDs',
        workItemKey: 'HOSTEDCP-1',
        detail: 'forgot to regenerate CRDs after an API change',
        applicability: { files: ['api/**'] },
      };
      await knowledge.experience.recordPlanSlip(input);
      const second = await knowledge.experience.recordPlanSlip({ ...input, workItemKey: 'HOSTEDCP-2' });
      expect(second.occurrences).toBe(2);
    });

    it('a proposal accepted with an edit enters tier 1 only after a curator approves it', async () => {
      const proposal = await knowledge.proposals.proposeFromResolvedWorkItem({
        workItemKey: 'HOSTEDCP-2200',
        developerId: 'maria',
        draft: {
          id: 'kubevirt-live-migration-condition',
          title: 'KubeVirt live-migratable nodes condition',
          body: 'KubeVirt reports KubeVirtNodesLiveMigratable from setKubevirtConditions; keep it platform-local.',
          applicability: { components: ['nodepool-controller'], files: ['hypershift-operator/controllers/nodepool/kubevirt.go'], platforms: ['KubeVirt'] },
          references: ['hypershift-operator/controllers/nodepool/kubevirt.go:35#setKubevirtConditions'],
        },
      });
      expect(proposal.status).toBe('awaiting-developer');
      // Asking twice for the same work item (a replayed activity) gives the same proposal.
      expect((await knowledge.proposals.proposeFromResolvedWorkItem({ workItemKey: 'HOSTEDCP-2200', developerId: 'maria', draft: proposal.draft })).id).toBe(
        proposal.id,
      );
      await expect(knowledge.proposals.respondToProposal(proposal.id, 'sam', 'yes')).rejects.toThrow(KnowledgeAccessError);

      const edited = await knowledge.proposals.respondToProposal(proposal.id, 'maria', 'edit', {
        ...proposal.draft,
        body: 'KubeVirt reports KubeVirtNodesLiveMigratable from setKubevirtConditions (kubevirt.go:35). Keep the check platform-local; other platforms do not set it.',
      });
      expect(edited.status).toBe('in-review');
      const surfacedBefore = await knowledge.relevantKnowledge({ files: ['hypershift-operator/controllers/nodepool/kubevirt.go'], platforms: ['KubeVirt'] });
      expect(surfacedBefore.map((k) => k.id)).not.toContain('kubevirt-live-migration-condition');
      expect(await knowledge.patterns.getPattern('kubevirt-live-migration-condition')).toBeUndefined();
      expect((await knowledge.proposals.reviewQueue()).map((p) => p.id)).toContain(proposal.id);

      await expect(knowledge.proposals.reviewProposal(proposal.id, 'sam', 'approve')).rejects.toThrow(/not a knowledge curator/);
      const { pattern } = await knowledge.proposals.reviewProposal(proposal.id, 'priya', 'approve', 'good catch');
      expect(pattern).toMatchObject({ id: 'kubevirt-live-migration-condition', state: 'approved', version: 1, reviewer: 'priya', origin: 'proposal' });
      expect(pattern!.body).toContain('other platforms do not set it');
      const surfacedAfter = await knowledge.relevantKnowledge({ files: ['hypershift-operator/controllers/nodepool/kubevirt.go'], platforms: ['KubeVirt'] });
      expect(surfacedAfter.find((k) => k.id === 'kubevirt-live-migration-condition')?.tier).toBe(1);
      // Not for an AWS-only query: its platform does not apply.
      const aws = await knowledge.relevantKnowledge({ files: ['hypershift-operator/controllers/nodepool/kubevirt.go'], platforms: ['AWS'] });
      expect(aws.map((k) => k.id)).not.toContain('kubevirt-live-migration-condition');
      expect(await knowledge.patterns.patternHistory('kubevirt-live-migration-condition')).toEqual([
        expect.objectContaining({ version: 1, state: 'approved', reviewer: 'priya' }),
      ]);
    });

    it('a declined proposal never reaches the review queue', async () => {
      const p = await knowledge.proposals.proposeFromResolvedWorkItem({
        workItemKey: 'HOSTEDCP-2300',
        developerId: 'sam',
        draft: {
          id: 'one-off-note',
          title: 'A one-off observation',
          body: 'Something that only mattered for this ticket and nowhere else.',
          applicability: { files: ['docs/**'] },
        },
      });
      const declined = await knowledge.proposals.respondToProposal(p.id, 'sam', 'no');
      expect(declined.status).toBe('declined');
      expect((await knowledge.proposals.reviewQueue()).map((q) => q.id)).not.toContain(p.id);
    });

    it('promotes CI experience to a pattern through review, and curated policy outranks the experience on the same topic', async () => {
      const policy = config.team.ci.flake_handling;
      for (let i = 1; i <= 6; i++) {
        await knowledge.experience.recordTestRun({
          test: 'TestNodePoolAutoRepair',
          runId: `r${i}`,
          commit: `c${i}`,
          attempt: 1,
          outcome: i % 2 ? 'fail' : 'pass',
          message: `timed out waiting for the condition after ${i}m0s`,
          at: new Date(Date.UTC(2026, 10, i)),
        });
        if (i % 2)
          await knowledge.experience.recordTestRun({
            test: 'TestNodePoolAutoRepair',
            runId: `r${i}`,
            commit: `c${i}`,
            attempt: 2,
            outcome: 'pass',
            at: new Date(Date.UTC(2026, 10, i, 1)),
          });
      }
      // A redelivered result is recorded once.
      await knowledge.experience.recordTestRun({
        test: 'TestNodePoolAutoRepair',
        runId: 'r1',
        commit: 'c1',
        attempt: 1,
        outcome: 'fail',
        message: 'timed out waiting for the condition',
        at: new Date(Date.UTC(2026, 10, 1)),
      });
      const stats = await knowledge.experience.refreshTestExperience('TestNodePoolAutoRepair', policy, {
        files: ['test/e2e/nodepool_autorepair_test.go', 'hypershift-operator/controllers/nodepool/capi.go'],
      });
      expect(stats).toMatchObject({ runs: 6, firstAttemptFailures: 3, passedOnRetry: 3, health: 'flaky' });

      const promotion = await knowledge.proposals.proposePromotion({
        experienceKey: 'ci-test:TestNodePoolAutoRepair',
        proposerId: 'maria',
        draft: {
          id: 'autorepair-e2e-timeouts',
          title: 'TestNodePoolAutoRepair timeouts are retried, not debugged',
          body: 'The MachineHealthCheck remediation in TestNodePoolAutoRepair can exceed the wait; retry once before looking at capi.go.',
          applicability: { files: ['hypershift-operator/controllers/nodepool/capi.go'] },
          topics: ['ci:TestNodePoolAutoRepair'],
        },
      });
      expect(promotion.status).toBe('in-review');
      await expect(knowledge.proposals.reviewProposal(promotion.id, 'maria', 'approve')).rejects.toThrow();
      await knowledge.proposals.reviewProposal(promotion.id, 'priya', 'approve');
      const ranked = await knowledge.relevantKnowledge({ files: ['hypershift-operator/controllers/nodepool/capi.go'] });
      const curated = ranked.findIndex((k) => k.id === 'autorepair-e2e-timeouts');
      const learned = ranked.find((k) => k.id === 'ci-test:TestNodePoolAutoRepair');
      expect(curated).toBeGreaterThanOrEqual(0);
      expect(learned?.outrankedBy).toBe('autorepair-e2e-timeouts');
      expect(ranked.indexOf(learned!)).toBeGreaterThan(curated);
      expect((await knowledge.experience.experienceByKeys(['ci-test:TestNodePoolAutoRepair']))[0]?.promotedTo).toBe('autorepair-e2e-timeouts');
    });

    it('a pattern referencing a deleted file is flagged stale, and un-flagged when the file is back', async () => {
      const tree = new Set(hypershiftTree);
      tree.delete('support/controlplane-component/builder.go');
      const stale = await knowledge.patterns.checkStaleness(verifyRefs([...tree]));
      const adapt = stale.find((s) => s.id === 'adapt-function-contract');
      expect(adapt?.missing).toEqual([
        'support/controlplane-component/builder.go:69#controlPlaneWorkloadBuilder.WithAdaptFunction',
        'support/controlplane-component/builder.go:79#controlPlaneWorkloadBuilder.WithManifestAdapter',
      ]);
      expect(stale.map((s) => s.id)).not.toContain('new-platform-checklist');
      // The seed pattern written for the example mini repository names a function real HyperShift does not have.
      expect(stale.find((s) => s.id === 'nodepool-condition-type')?.missing).toContain(
        'hypershift-operator/controllers/nodepool/conditions.go#setMachineConditions',
      );
      const surfaced = await knowledge.relevantKnowledge({ files: ['support/controlplane-component/builder.go'] });
      expect(surfaced.find((k) => k.id === 'adapt-function-contract')?.stale).toBe(true);

      const healthy = await knowledge.patterns.checkStaleness(verifyRefs(hypershiftTree));
      expect(healthy.map((s) => s.id)).not.toContain('adapt-function-contract');
      expect((await knowledge.patterns.getPattern('adapt-function-contract'))?.staleRefs).toEqual([]);
    });

    it('retirement goes through review too', async () => {
      const p = await knowledge.proposals.proposeRetirement({
        patternId: 'platform-error-propagation',
        proposerId: 'maria',
        reason: 'Superseded by capi-error-propagation, which is grounded in the real tree.',
      });
      expect((await knowledge.patterns.getPattern('platform-error-propagation'))?.state).toBe('approved');
      await knowledge.proposals.reviewProposal(p.id, 'priya', 'approve');
      expect((await knowledge.patterns.getPattern('platform-error-propagation'))?.state).toBe('retired');
      const surfaced = await knowledge.relevantKnowledge({ files: ['hypershift-operator/controllers/nodepool/aws.go'] });
      expect(surfaced.map((k) => k.id)).not.toContain('platform-error-propagation');
    });

    it('personal memory is readable only by its developer', async () => {
      await knowledge.memory.readMemory('sam', 'sam', { familiar: [], learning: ['aws'], explanationLevel: 'beginner' });
      await knowledge.memory.updateMemory('sam', 'sam', {
        hypothesis: 'the MachineHealthCheck is remediating before ignition is reached',
        leftOff: 'reading capi.go reconcileMachineHealthCheck',
      });
      await expect(knowledge.memory.readMemory('maria', 'sam')).rejects.toThrow(/private/);
      await expect(knowledge.memory.sessionNotes('priya', 'sam')).rejects.toThrow(KnowledgeAccessError);
      const mine = await knowledge.memory.readMemory('sam', 'sam');
      expect(mine).toMatchObject({ learningPlatforms: ['aws'], explanationLevel: 'beginner', leftOff: 'reading capi.go reconcileMachineHealthCheck' });

      const forSam = await knowledge.relevantKnowledge({ files: ['hypershift-operator/controllers/nodepool/capi.go'], requesterId: 'sam' });
      expect(forSam.find((k) => k.tier === 3)?.body).toContain('MachineHealthCheck');
      const forMaria = await knowledge.relevantKnowledge({ files: ['hypershift-operator/controllers/nodepool/capi.go'], requesterId: 'maria' });
      expect(forMaria.some((k) => k.tier === 3)).toBe(false);
    });
  });
}
