// Confidence and overlap from the real change, as people see them in Slack: the real Bolt app through the
// local workspace, the real Temporal dev server and worker, the offline RH-A and a copy of the example Go
// repository whose local CI runs `go test -coverprofile`.
//
// sam plans a condition and edits the plan's files (in the modal on its gate) to the NodePool spec types.
// maria plans another condition: same component as sam's (the api module), other files and invariants, so
// nobody is interrupted. She pairs on the phase and, by hand on its branch, removes an exported field from
// the NodePool spec types and adds a status helper whose test covers only the NodePool without conditions. Her push is checked
// again from the branch's real diff: now both items change nodepool_types.go, and both owners are told, with
// the file named. When CI is green, "PR ready" grades L1 down for the removed field and shows the coverage of
// her added lines from the real profile.
import { repoRoot } from '../../src/paths.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../src/integrations/git.js';
import type { TestRuntime } from '../support/runtime.js';
import { useSlackProduct } from '../support/slack-product.js';
import type { Surfaces } from '../support/surfaces.js';
import { seen, until } from '../support/slack-view.js';

// The product this file drives, started once before its tests (test/support/slack-product.ts).
const product = useSlackProduct();
const { dm, dmOf, current: latest } = product;
let rt: TestRuntime;
let ws: Surfaces['workspace'];
beforeAll(() => void ({ rt, ws } = product));
const overlapNotes = (user: string, key: string) => dmOf(user).filter((m) => seen(m).includes('overlaps with') && seen(m).includes(key));

const typesFile = 'api/hypershift/v1beta1/nodepool_types.go';
const helperTest = 'api/hypershift/v1beta1/nodepool_status_test.go';

/** Her hand edit: the unused Subnet field goes (a breaking API change) and a helper arrives with a test of one branch. */
function editTypes(source: string): string {
  const withoutSubnet = source.replace(/\n\tSubnet +string\n/, '\n');
  expect(withoutSubnet).not.toBe(source);
  return `${withoutSubnet.trimEnd()}

// ConditionIsTrue reports whether the condition of the given type is present and True.
func (s *NodePoolStatus) ConditionIsTrue(t string) bool {
	c := s.FindCondition(t)
	if c == nil {
		return false
	}
	status := c.Status
	return status == ConditionTrue
}
`;
}

const helperTestSource = `package v1beta1

import "testing"

func TestConditionIsTrue(t *testing.T) {
	s := &NodePoolStatus{}
	if s.ConditionIsTrue("Ready") {
		t.Fatal("a NodePool without conditions has no True condition")
	}
}
`;

describe('confidence and overlap from the branch, in Slack', () => {
  it('no alert for the same component with other files; her push is re-checked from its diff and both owners hear the shared file; PR ready grades L1 down for the removed field and shows coverage from go test -coverprofile', async () => {
    const samKey = `${rt.keyPrefix}-4101`;
    const mariaKey = `${rt.keyPrefix}-4102`;

    // sam's work item, its plan edited in the modal to the NodePool spec types.
    expect((await ws.slashCommand('sam', dm('sam'), '/sitroom', `plan ${samKey} Add NodePool condition type NodeSpread and reason NodesUneven`)).status).toBe(
      200,
    );
    const samGate = await until(() => dmOf('sam').find((m) => seen(m).includes(`Plan gate — ${samKey}`)), "sam's plan gate", 60_000);
    expect((await ws.tap('sam', samGate, 'sitroom:open:plan-edit')).status).toBe(200);
    await until(() => (ws.modalOf('sam') as { blocks?: Array<{ type: string }> } | undefined)?.blocks?.some((b) => b.type === 'input'), 'the plan edit form');
    expect((await ws.submitModal('sam', { plan_phase_files_0: typesFile, plan_note: 'the spread setting lives on the spec' })).status).toBe(200);
    await until(() => seen(latest('sam', samGate)).includes('edited the plan (v2)') || undefined, "sam's gate after the edit");

    // maria's work item: same component (api), other files and invariants. She makes the phase hers to pair on.
    expect(
      (await ws.slashCommand('maria', dm('maria'), '/sitroom', `plan ${mariaKey} Add NodePool condition type ZoneBalance and reason ZonesUneven`)).status,
    ).toBe(200);
    const gate = await until(() => dmOf('maria').find((m) => seen(m).includes(`Plan gate — ${mariaKey}`)), "maria's plan gate", 60_000);
    expect((await ws.tap('maria', gate, 'sitroom:decide:set-mode:collaborative:0')).status).toBe(200);
    const switched = await until(
      () => (seen(latest('maria', gate)).includes('to collaborative') ? latest('maria', gate) : undefined),
      'the gate after the mode switch',
    );
    expect((await ws.tap('maria', switched, 'sitroom:decide:approve-plan')).status).toBe(200);
    const phaseGate = await until(() => dmOf('maria').find((m) => seen(m).includes(`Phase gate — ${mariaKey}`)), 'the phase gate', 60_000);
    expect((await ws.tap('maria', phaseGate, 'sitroom:decide:approve-phase')).status).toBe(200);
    const invite = await until(
      () => dmOf('maria').find((m) => m.text.includes(`${mariaKey} phase api-surface is yours to pair on`)),
      'the pair invitation',
      60_000,
    );
    const branch = /Push your commits to (\S+?)\.?$/m.exec(invite.text)?.[1];
    expect(branch).toBe(`sitroom/${mariaKey.toLowerCase()}/api-surface-1`);

    // Both plans were checked (at the draft and at the edit): different files, different invariants, no alert.
    expect(overlapNotes('maria', samKey)).toEqual([]);
    expect(overlapNotes('sam', mariaKey)).toEqual([]);

    const { ts } = await ws.sendMessage('maria', dm('maria'), `pair with me on phase api-surface of ${mariaKey}`);
    await until(() => ws.threadReplies(dm('maria'), ts).find((m) => m.text.startsWith('Pairing on')), 'the pair thread');
    const worktrees = await git(rt.core.targetRepo, ['worktree', 'list', '--porcelain']);
    const mine = [...worktrees.matchAll(/worktree (.+)\nHEAD \w+\nbranch refs\/heads\/(.+)/g)].find((m) => m[2] === branch)?.[1];
    expect(mine, `a worktree on ${branch}`).toBeDefined();
    writeFileSync(join(mine!, typesFile), editTypes(readFileSync(join(mine!, typesFile), 'utf8')));
    writeFileSync(join(mine!, helperTest), helperTestSource);
    await git(mine!, ['add', typesFile, helperTest]);
    await git(mine!, [
      '-c',
      'user.name=Maria Alvarez',
      '-c',
      'user.email=maria@example.com',
      'commit',
      '-q',
      '-m',
      `${mariaKey}: ConditionIsTrue helper; drop the unused Subnet field`,
    ]);
    await ws.sendMessage('maria', dm('maria'), 'done', ts);

    // The push is checked from the branch's real diff: both items now change nodepool_types.go.
    const mariaNote = await until(() => overlapNotes('maria', samKey)[0], "maria's overlap alert after her push", 120_000);
    const samNote = await until(() => overlapNotes('sam', mariaKey)[0], "sam's overlap alert", 30_000);
    for (const note of [mariaNote, samNote]) {
      expect(seen(note)).toContain(typesFile);
      // Named from the diff, not the plan: maria's planned condition files are not what she pushed.
      expect(seen(note)).not.toContain('nodepool_conditions.go');
      expect(seen(note)).toContain('invariant platform-immutable');
    }
    expect(seen(mariaNote)).toContain(`*${mariaKey}* overlaps with *${samKey}*`);

    // CI runs go test with a coverage profile; "PR ready" shows the breaking change and the coverage figure.
    const ready = await until(() => dmOf('maria').find((m) => seen(m).includes(`PR ready — ${mariaKey} api-surface`)), '"PR ready"', 300_000);
    const text = seen(ready);
    // The removed field is named where it stood before her change (main may already hold her merged change).
    const subnetLine =
      readFileSync(join(repoRoot, 'examples', 'target-repo', typesFile), 'utf8')
        .split('\n')
        .findIndex((l) => /^\tSubnet +string$/.test(l)) + 1;
    expect(text).toContain(
      `*L1 structural* low — failing: API change is compatible (breaking: removed exported field AWSNodePoolPlatform.Subnet (${typesFile}:${subnetLine}))`,
    );
    expect(text).toMatch(
      /\*L3 architectural\* low — failing: [^•]*version skew considered \(a NodePool or control plane one version apart cannot read the change: removed exported field AWSNodePoolPlatform\.Subnet\)/,
    );
    const coverage = /new code is covered by tests \((\d+) of (\d+) added lines covered \((\d+)%\); not run by any test: ([^)]+)\)/.exec(text);
    expect(coverage, text.slice(0, 3_000)).not.toBeNull();
    const [, covered, coverable, pct, uncovered] = coverage!;
    expect(Number(covered)).toBeLessThan(Number(coverable));
    expect(Number(pct)).toBe(Math.round((Number(covered) / Number(coverable)) * 100));
    // The uncovered lines are the ones her test never reaches, from the profile CI wrote for the pushed commit.
    const head = (await git(rt.core.targetRepo, ['rev-parse', branch!])).trim();
    const profile = readFileSync(join(rt.core.targetRepo, '.git', 'sitroom', 'coverage', `${head}.out`), 'utf8');
    expect(profile).toMatch(/^mode: /);
    const source = (await git(rt.core.targetRepo, ['show', `${head}:${typesFile}`])).split('\n');
    const untested = source.findIndex((l) => l.trim() === 'status := c.Status') + 1;
    expect(uncovered).toContain(`${typesFile}:${untested}`);
  }, 600_000);
});
