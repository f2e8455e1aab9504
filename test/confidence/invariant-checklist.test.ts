// Invariants touched are listed in the PR description with a checkbox each; a reviewer ticks them on the code
// host, and the "invariants re-checked" check counts them when the description is read back. The GitHub side
// is the loopback fake speaking GitHub's REST wire format (PATCH /repos/:o/:r/pulls/:n edits the body).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleTargetRepo, loadConfig } from '../../src/config/load.js';
import { assessPhase, renderPrDescription, tickedInvariants } from '../../src/confidence/pr-ready.js';
import { createExampleRepo } from '../../src/integrations/example-repo.js';
import { git } from '../../src/integrations/git.js';
import { createGitHub } from '../../src/integrations/github.js';
import { createDomainInsight } from '../../src/knowledge/insight.js';
import { startFakeGitHub, type FakeGitHub } from '../support/doubles/github.js';

const config = loadConfig(exampleTargetRepo);
const { model } = createDomainInsight();
const files = ['hypershift-operator/controllers/nodepool/conditions.go'];
const at = new Date('2026-11-30T12:00:00Z');
const token = 'ghp_faketoken000000000000000000000';

let base: string;
let github: FakeGitHub;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'sitroom-checklist-'));
  const repo = join(base, 'repo');
  await createExampleRepo(repo);
  const bare = join(base, 'remote.git');
  await git(base, ['init', '-q', '--bare', bare]);
  await git(repo, ['push', '-q', bare, 'main', 'main:refs/heads/sitroom/hostedcp-1/core-1']);
  github = await startFakeGitHub({ owner: 'openshift', repo: 'hypershift', bareRepo: bare, token });
}, 60_000);

afterAll(async () => {
  await github?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('the invariant checklist', () => {
  const first = assessPhase({ team: config.team, model, files, evidence: [], at });
  const body = renderPrDescription({
    workItemKey: 'HOSTEDCP-1',
    phaseTitle: 'Summarise machine conditions',
    files,
    evidence: [],
    assessment: first.assessment,
    impact: first.impact,
  });
  const touched = first.impact.invariants.map((i) => i.id);

  it('lists one unticked box per invariant the change touches, and the check stays missing', () => {
    expect(touched).toEqual(['new-ready-before-old-deleted', 'version-forward-only', 'conditions-summarise']);
    for (const id of touched) expect(body).toContain(`- [ ] \`${id}\`: `);
    expect(tickedInvariants(body)).toEqual([]);
    const l3 = first.assessment.levels.find((l) => l.level === 'L3')!;
    expect(l3.missing).toContain('lifecycle invariants touched are re-checked');
  });

  it('counts the boxes a reviewer ticked on GitHub, and passes only when every one is ticked', async () => {
    const host = createGitHub({ owner: 'openshift', repo: 'hypershift', token, baseUrl: github.url, pushUrl: join(base, 'remote.git') });
    const pr = await host.openPullRequest({ branch: 'sitroom/hostedcp-1/core-1', base: 'main', title: 'HOSTEDCP-1: summarise machine conditions', body });
    // The reviewer edits the description in GitHub's UI, which sends the whole new body.
    const tick = async (ids: string[]) => {
      let text = await host.pullRequestBody!(pr.number);
      for (const id of ids) text = text.replace(`- [ ] \`${id}\``, `- [x] \`${id}\``);
      const res = await fetch(`${github.url}/repos/openshift/hypershift/pulls/${pr.number}`, {
        method: 'PATCH',
        headers: { authorization: `token ${token}`, 'content-type': 'application/json', accept: 'application/vnd.github+json' },
        body: JSON.stringify({ body: text }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { body: string }).body).toBe(text);
    };
    const l3 = async () =>
      assessPhase({
        team: config.team,
        model,
        files,
        evidence: [],
        pr: { url: pr.url, body: await host.pullRequestBody!(pr.number) },
        at,
      }).assessment.levels.find((l) => l.level === 'L3')!;

    await tick(['conditions-summarise']);
    expect(tickedInvariants(await host.pullRequestBody!(pr.number))).toEqual(['conditions-summarise']);
    expect((await l3()).checks.find((c) => c.id === 'invariants-checked')!.status).toBe('missing');

    await tick(['new-ready-before-old-deleted', 'version-forward-only']);
    const done = (await l3()).checks.find((c) => c.id === 'invariants-checked')!;
    expect(done).toMatchObject({
      status: 'pass',
      detail: 're-checked by a reviewer: new-ready-before-old-deleted, version-forward-only, conditions-summarise',
    });
    expect(done.source).toContain(`/pull/${pr.number}`);
  });
});
