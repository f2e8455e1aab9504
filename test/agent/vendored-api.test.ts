// HyperShift's operator builds against a vendored copy of its own API module, so a condition constant added
// under api/ reaches the controllers only with the copy refreshed (make update runs go mod vendor). In a
// repository laid out that way, the condition recipe plans the vendored file into the API phase and writes
// the same bytes there; in one without vendor/ (the example) it plans and writes nothing of the sort.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOfflineAgent } from '../../src/agent/offline.js';
import { conditionsFile, vendoredConditionsFile } from '../../src/agent/recipes.js';
import { addWorktree, git } from '../../src/integrations/git.js';
import { exampleWorkspace } from './helpers.js';

let ws: Awaited<ReturnType<typeof exampleWorkspace>>;
const intention = 'add a NodePool condition type CapacityError';

beforeAll(async () => {
  ws = await exampleWorkspace();
}, 60_000);
afterAll(() => ws?.cleanup());

describe('a target that vendors its API module', () => {
  it('without vendor/, the API phase names only the API files', async () => {
    const agent = createOfflineAgent({ model: ws.model, knowledge: ws.knowledge, team: ws.team, targetRepo: ws.repo.dir });
    const planned = await agent.plan({ workItemKey: 'HOSTEDCP-2103', intention });
    expect(planned.plan!.phases[0]!.files).not.toContain(vendoredConditionsFile);
  });

  it('with the vendored copy, plans it into the API phase and commits it identical to the API file', async () => {
    const vendored = join(ws.repo.dir, vendoredConditionsFile);
    mkdirSync(dirname(vendored), { recursive: true });
    writeFileSync(vendored, readFileSync(join(ws.repo.dir, conditionsFile)));
    await git(ws.repo.dir, ['add', vendoredConditionsFile]);
    await git(ws.repo.dir, ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'vendor the API module']);

    const agent = createOfflineAgent({ model: ws.model, knowledge: ws.knowledge, team: ws.team, targetRepo: ws.repo.dir });
    const planned = await agent.plan({ workItemKey: 'HOSTEDCP-2103', intention });
    const phase = planned.plan!.phases[0]!;
    expect(phase.files).toContain(vendoredConditionsFile);
    expect(phase.constraints.join('\n')).toContain('make update (go mod vendor)');

    const worktree = join(ws.base, 'vendored');
    const branch = 'sitroom/hostedcp-2103-api';
    await addWorktree(ws.repo.dir, worktree, branch);
    const result = await agent.execute({ workItemKey: 'HOSTEDCP-2103', phase, instruction: intention, branch, worktree });
    expect(result.status, result.message).toBe('committed');
    const committed = (await git(worktree, ['show', '--name-only', '--format=', 'HEAD'])).trim().split('\n').sort();
    expect(committed).toEqual(['api/hypershift/v1beta1/nodepool_condition_capacity_error_test.go', conditionsFile, vendoredConditionsFile].sort());
    const api = await git(worktree, ['show', `HEAD:${conditionsFile}`]);
    expect(api).toContain('\tNodePoolCapacityErrorConditionType = "CapacityError"\n');
    expect(await git(worktree, ['show', `HEAD:${vendoredConditionsFile}`])).toBe(api);
    expect(result.evidence.notes.join('\n')).toContain(`refreshed the vendored API copy ${vendoredConditionsFile}`);
  }, 240_000);
});
