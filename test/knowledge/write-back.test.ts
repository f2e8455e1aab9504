// An entry a curator approves is proposed back to the target repository's pattern library as a pull request,
// once per entry version: on GitHub through Octokit against the loopback GitHub (a real bare repository
// behind it), and in local mode as the local PR record the phases use. The knowledge store runs its real
// curator rule on PGlite; the branch is real git.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { openStore, type OpenStore } from '../../src/db/client.js';
import { createExampleRepo } from '../../src/integrations/example-repo.js';
import { git } from '../../src/integrations/git.js';
import { createGitHub } from '../../src/integrations/github.js';
import { createLocalCodeHost } from '../../src/integrations/local.js';
import { createPatternWriteBack, writeBackBranch } from '../../src/integrations/pattern-write-back.js';
import { curatorsFromConfig } from '../../src/knowledge/access.js';
import { loadPatternFiles, parsePatternFile } from '../../src/knowledge/patterns.js';
import { KnowledgeStore } from '../../src/knowledge/store.js';
import { startFakeGitHub, type FakeGitHub } from '../support/doubles/github.js';

const config = loadConfig();
const token = 'ghp_writebacktoken0000000000000000000';
const scratch = mkdtempSync(join(tmpdir(), 'sitroom-write-back-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const draft = {
  id: 'provider-error-per-platform',
  title: 'Map a provider error per platform before it reaches NodePool conditions',
  body: 'Each platform file maps only its own provider failure; the controller sets the condition from the machine list it already has, with counts in the message.',
  applicability: { components: ['nodepool-controller'], files: ['hypershift-operator/controllers/nodepool/*.go'], platforms: [] },
  references: ['hypershift-operator/controllers/nodepool/aws.go'],
  topics: [],
};

/** maria's entry offered after a resolved work item, accepted by her, waiting for a curator. */
async function proposalInReview(knowledge: KnowledgeStore, workItemKey: string, edit?: Partial<typeof draft>) {
  const offered = await knowledge.proposals.proposeFromResolvedWorkItem({ workItemKey, developerId: 'maria', draft: { ...draft, ...edit } });
  return knowledge.proposals.respondToProposal(offered.id, 'maria', edit ? 'edit' : 'yes', edit ? { ...draft, ...edit } : undefined);
}

describe('approved knowledge goes back to GitHub as a pull request', () => {
  let github: FakeGitHub;
  let bare: string;
  let repo: string;
  let store: OpenStore;
  let knowledge: KnowledgeStore;

  beforeAll(async () => {
    bare = join(scratch, 'hypershift.git');
    await git(scratch, ['init', '-q', '--bare', '-b', 'main', bare]);
    github = await startFakeGitHub({ owner: 'openshift', repo: 'hypershift', bareRepo: bare, token });
    repo = (await createExampleRepo(join(scratch, 'gh-target'))).dir;
    await git(repo, ['push', '-q', bare, 'main']);
    const host = createGitHub({ owner: 'openshift', repo: 'hypershift', token, baseUrl: github.url, pushUrl: bare });
    const writeBack = createPatternWriteBack({
      targetRepo: repo,
      host,
      scratchDir: join(scratch, 'gh-worktrees'),
      settings: () => ({ patternLibrary: config.team.pattern_library, defaultBranch: 'main' }),
      // As GitHub mode does: the branch starts from the remote's default branch.
      baseRef: async (branch) => {
        await git(repo, ['fetch', '-q', bare, `+refs/heads/${branch}:refs/remotes/sitroom-upstream/${branch}`]);
        return `refs/remotes/sitroom-upstream/${branch}`;
      },
    });
    store = await openStore({ dataDir: 'memory://' });
    knowledge = new KnowledgeStore(store.db, { curators: curatorsFromConfig(config), writeBack });
    await knowledge.patterns.syncPatternLibrary(loadPatternFiles(repo, config.team.pattern_library));
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await github?.close();
  });

  it("priya approves maria's entry: a PR on GitHub writes the pattern file; approving again or re-running opens no second one", async () => {
    const proposal = await proposalInReview(knowledge, 'OCPBUGS-1');
    const { pattern, writeBack } = await knowledge.proposals.reviewProposal(proposal.id, 'priya', 'approve', 'useful for every platform');
    expect(pattern).toMatchObject({ id: draft.id, version: 1, state: 'approved', reviewer: 'priya' });
    expect(writeBack).toMatchObject({ outcome: 'opened', path: `.rh-agentic/patterns/${draft.id}.yaml`, branch: `sitroom/knowledge/${draft.id}-v1` });

    expect(github.pulls).toHaveLength(1);
    const pull = github.pulls[0]!;
    expect(pull).toMatchObject({ head: `sitroom/knowledge/${draft.id}-v1`, base: 'main', state: 'open' });
    expect(pull.title).toBe(`Add team knowledge: ${draft.title} (v1)`);
    expect(pull.body).toContain('Approved by priya on proposal');
    expect(pull.body).toContain('proposed by maria from OCPBUGS-1');
    expect(pull.body).toContain('> useful for every platform');
    // The file on the pushed branch is a valid pattern file, the approved version with its reviewer.
    const file = await git(bare, ['show', `${pull.sha}:.rh-agentic/patterns/${draft.id}.yaml`]);
    expect(parsePatternFile('pushed', file)).toMatchObject({
      id: draft.id,
      version: 1,
      state: 'approved',
      reviewer: 'priya',
      title: draft.title,
      applicability: draft.applicability,
    });
    // Only the pattern file changes, on top of the remote's main.
    expect((await git(bare, ['diff', '--name-only', 'main', pull.sha])).trim()).toBe(`.rh-agentic/patterns/${draft.id}.yaml`);

    // The scheduled scan proposes approved entries again: the open PR is found, not duplicated.
    const again = await knowledge.proposals.proposeApprovedEntries();
    expect(again).toEqual([expect.objectContaining({ patternId: draft.id, version: 1, outcome: 'exists' })]);
    expect(github.pulls).toHaveLength(1);
  });

  it('a new version of the entry is a new PR; once a PR is merged the repository holds that version and nothing more is proposed', async () => {
    const proposal = await proposalInReview(knowledge, 'OCPBUGS-2', { body: `${draft.body} Run make api after adding a reason.` });
    const { writeBack } = await knowledge.proposals.reviewProposal(proposal.id, 'priya', 'approve');
    expect(writeBack).toMatchObject({ outcome: 'opened', branch: writeBackBranch({ id: draft.id, version: 2 }) });
    expect(github.pulls.map((p) => p.head)).toEqual([`sitroom/knowledge/${draft.id}-v1`, `sitroom/knowledge/${draft.id}-v2`]);
    expect(github.pulls[1]!.title).toBe(`Update team knowledge: ${draft.title} (v2)`);

    await github.mergePull(2);
    const afterMerge = await knowledge.proposals.proposeApprovedEntries();
    expect(afterMerge).toEqual([expect.objectContaining({ patternId: draft.id, version: 2, outcome: 'unchanged' })]);
    expect(github.pulls).toHaveLength(2);
  });

  it('a rejected proposal opens nothing', async () => {
    const proposal = await proposalInReview(knowledge, 'OCPBUGS-3', { id: 'rejected-entry', title: 'An entry the curator turns down' });
    const { writeBack } = await knowledge.proposals.reviewProposal(proposal.id, 'priya', 'reject', 'too narrow');
    expect(writeBack).toBeUndefined();
    expect(github.pulls.some((p) => p.head.includes('rejected-entry'))).toBe(false);
  });
});

describe('approved knowledge in local mode', () => {
  it('becomes a local PR record on a branch of the target repository, leaving its checkout alone', async () => {
    const repo = (await createExampleRepo(join(scratch, 'local-target'))).dir;
    const host = createLocalCodeHost(repo);
    const writeBack = createPatternWriteBack({
      targetRepo: repo,
      host,
      scratchDir: join(scratch, 'local-worktrees'),
      settings: () => ({ patternLibrary: '.rh-agentic/patterns', defaultBranch: 'main' }),
    });
    const store = await openStore({ dataDir: 'memory://' });
    try {
      const knowledge = new KnowledgeStore(store.db, { curators: curatorsFromConfig(config), writeBack });
      const proposal = await proposalInReview(knowledge, 'OCPBUGS-4');
      const { writeBack: result } = await knowledge.proposals.reviewProposal(proposal.id, 'priya', 'approve');
      expect(result).toMatchObject({ outcome: 'opened', branch: `sitroom/knowledge/${draft.id}-v1` });
      const pr = await host.findPullRequest(`sitroom/knowledge/${draft.id}-v1`);
      expect(pr?.number).toBe(1);
      expect(parsePatternFile('local', await git(repo, ['show', `sitroom/knowledge/${draft.id}-v1:.rh-agentic/patterns/${draft.id}.yaml`]))).toMatchObject({
        id: draft.id,
        version: 1,
        state: 'approved',
        reviewer: 'priya',
      });
      // The repository's own checkout stays on main, clean.
      expect((await git(repo, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim()).toBe('main');
      expect((await git(repo, ['status', '--porcelain'])).trim()).toBe('');
      expect(await knowledge.proposals.proposeApprovedEntries()).toEqual([expect.objectContaining({ outcome: 'exists' })]);
      expect(host.pull(2)).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
