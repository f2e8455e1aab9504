import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/knowledge.js';
import { exampleTargetRepo, loadConfig } from '../../src/config/load.js';
import type { OpenStore } from '../../src/db/client.js';
import { loadTree } from '../../src/domain/index.js';
import { curatorsFromConfig } from '../../src/knowledge/access.js';
import { KnowledgeStore } from '../../src/knowledge/store.js';
import { storeBackends } from '../support/db.js';

/** A target repository whose library holds only the four curated HyperShift patterns (all resolve at the snapshot). */
function curatedRepo(): string {
  const repo = mkdtempSync(join(tmpdir(), 'sitroom-knowledge-cli-'));
  cpSync(join(exampleTargetRepo, '.rh-agentic'), join(repo, '.rh-agentic'), { recursive: true });
  for (const f of ['nodepool-condition.yaml', 'platform-error-propagation.yaml']) rmSync(join(repo, '.rh-agentic', 'patterns', f));
  return repo;
}

for (const backend of storeBackends()) {
  describe(`sitroom knowledge on ${backend.name}`, () => {
    let store: OpenStore;
    let repo: string;
    let lines: string[];
    const out = (l: string) => void lines.push(l);
    const exec = async (args: string[]) => {
      lines = [];
      const code = await run(args, { store, out });
      return { code, text: lines.join('\n') };
    };

    beforeAll(async () => {
      store = await backend.open();
      repo = curatedRepo();
    });
    afterAll(async () => {
      await store?.close();
      rmSync(repo, { recursive: true, force: true });
    });

    it('sync mirrors the target repository named by TARGET_REPO, and a second sync changes nothing', async () => {
      const before = process.env.TARGET_REPO;
      process.env.TARGET_REPO = repo;
      try {
        const first = await exec(['sync']);
        expect(first.code).toBe(0);
        expect(first.text).toContain(`4 entries in ${join(repo, '.rh-agentic/patterns')}`);
        expect(first.text).toMatch(/added: adapt-function-contract, capi-error-propagation, new-platform-checklist, nodepool-condition-conventions/);
        const again = await exec(['sync', '--json']);
        expect(JSON.parse(again.text)).toMatchObject({ added: [], updated: [], retired: [], unchanged: expect.arrayContaining(['capi-error-propagation']) });
      } finally {
        if (before === undefined) delete process.env.TARGET_REPO;
        else process.env.TARGET_REPO = before;
      }
    });

    it('stale passes against the pinned tree and flags the pattern whose file was deleted, with exit code 1', async () => {
      const ok = await exec(['stale']);
      expect(ok.text).toMatch(/^knowledge stale: every approved entry resolves against .*domain-models\/snapshot\/tree\.txt\.gz \(29460 paths\)/);
      expect(ok.code).toBe(0);

      const dir = mkdtempSync(join(tmpdir(), 'sitroom-tree-'));
      const tree = join(dir, 'tree.txt');
      // The same tree `knowledge stale` reads without --tree: the pinned snapshot in domain-models/snapshot.
      writeFileSync(
        tree,
        loadTree()
          .filter((p) => p !== 'hypershift-operator/controllers/nodepool/kubevirt.go')
          .join('\n'),
      );
      const stale = await exec(['stale', '--tree', tree]);
      expect(stale.code).toBe(1);
      expect(stale.text).toContain('capi-error-propagation: hypershift-operator/controllers/nodepool/kubevirt.go:35#setKubevirtConditions');
      expect(stale.text).not.toContain('adapt-function-contract:');
      rmSync(dir, { recursive: true, force: true });
    });

    it('stale flags the shipped example entry that names a function HyperShift does not have', async () => {
      await run(['sync'], { store, out: () => undefined, config: loadConfig(exampleTargetRepo) });
      lines = [];
      expect(await run(['stale', '--json'], { store, out, config: loadConfig(exampleTargetRepo) })).toBe(1);
      const report = JSON.parse(lines.join('\n')) as { stale: Array<{ id: string; missing: string[] }> };
      expect(report.stale.find((s) => s.id === 'nodepool-condition-type')?.missing).toContain(
        'hypershift-operator/controllers/nodepool/conditions.go#setMachineConditions',
      );
    });

    it('queue lists proposals waiting for a curator, not those still with their developer', async () => {
      expect((await exec(['queue'])).text).toBe('knowledge queue: nothing waiting for review');
      const knowledge = new KnowledgeStore(store.db, { curators: curatorsFromConfig(loadConfig(exampleTargetRepo)) });
      const draft = {
        id: 'kubevirt-capacity-errors',
        title: 'KubeVirt capacity errors surface through the CAPI machine',
        body: 'Read VMI capacity failures through the KubeVirtMachine conditions, never the KubeVirt API.',
        applicability: { components: ['nodepool-controller'], files: ['hypershift-operator/controllers/nodepool/kubevirt/**'], platforms: ['KubeVirt'] },
      };
      const waiting = await knowledge.proposals.proposeFromResolvedWorkItem({ workItemKey: 'HOSTEDCP-2300', developerId: 'maria', draft });
      await knowledge.proposals.proposeFromResolvedWorkItem({ workItemKey: 'HOSTEDCP-2301', developerId: 'sam', draft: { ...draft, id: 'still-with-sam' } });
      await knowledge.proposals.respondToProposal(waiting.id, 'maria', 'yes');

      const queue = await exec(['queue']);
      expect(queue.code).toBe(0);
      expect(queue.text).toContain('knowledge queue: 1 proposal waiting for a curator');
      expect(queue.text).toContain(
        `#${waiting.id} new-pattern "KubeVirt capacity errors surface through the CAPI machine" (kubevirt-capacity-errors) proposed by maria, from HOSTEDCP-2300`,
      );
      expect(queue.text).not.toContain('still-with-sam');
    });

    it('refuses unknown commands and misplaced options with a usage message', async () => {
      await expect(exec(['purge'])).rejects.toThrow(/unknown command "purge"/);
      await expect(exec(['queue', '--tree', 'x'])).rejects.toThrow(/--tree and --repo apply to "stale" only/);
      await expect(exec(['stale', '--tree', '/nonexistent/tree.txt'])).rejects.toThrow(/tree file not found/);
      expect((await exec([])).code).toBe(2);
    });
  });
}
