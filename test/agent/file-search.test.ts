// search_files over a tree shaped like HyperShift's: the team's code is found, vendored code is not, and a
// search through many files leaves the event loop free for other work (heartbeats, other people's taps).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { staticKnowledge, type DomainModelPort } from '../../src/agent/model-port.js';
import { Scope } from '../../src/agent/scope.js';
import { createToolRunner } from '../../src/agent/tools.js';

const root = mkdtempSync(join(tmpdir(), 'sitroom-file-search-'));
const outside = mkdtempSync(join(tmpdir(), 'sitroom-file-search-outside-'));
const write = (rel: string, text: string) => {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), text);
};
write('hypershift-operator/controllers/nodepool/capi.go', 'package nodepool\n\nfunc reconcileMachineDeployment() { // NodePoolReady\n}\n');
write('api/hypershift/v1beta1/nodepool_conditions.go', 'package v1beta1\n\nconst NodePoolReadyConditionType = "Ready" // NodePoolReady\n');
write('vendor/sigs.k8s.io/cluster-api/api/v1beta1/machine_types.go', 'package v1beta1\n// NodePoolReady mentioned by vendored code\n');
write('api/vendor/github.com/other/thing.go', 'package thing\n// NodePoolReady in a nested vendor tree\n');
write('bin/tool', 'NodePoolReady\0binary');
writeFileSync(join(outside, 'secret.go'), '// NodePoolReady outside the worktree\n');
symlinkSync(outside, join(root, 'linked'));
// Enough files that a synchronous walk would hold the event loop for a visible time.
for (let i = 0; i < 2_000; i++) write(`control-plane-operator/generated/zz_file_${i}.go`, `package generated\n// file ${i}\n${'x := 1\n'.repeat(200)}`);
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const noModel = { answer: () => undefined } as unknown as DomainModelPort;
const tools = () =>
  createToolRunner({ scope: new Scope({ worktree: root, writable: [], allowedCommands: [], tokenBudget: 1 }), model: noModel, knowledge: staticKnowledge([]) });

describe('search_files', () => {
  it.each([false, true])('finds the team code and skips vendor/, binaries and symlinks out of the tree (regex=%s)', async (regex) => {
    const result = await tools().run('search_files', { pattern: regex ? 'NodePool(Ready)' : 'NodePoolReady', regex });
    expect(result.isError).toBe(false);
    const files = result.content.split('\n').map((l) => l.split(':')[0]);
    expect(files.sort()).toEqual(['api/hypershift/v1beta1/nodepool_conditions.go', 'hypershift-operator/controllers/nodepool/capi.go']);
    expect(result.content).toContain('capi.go:3: func reconcileMachineDeployment() { // NodePoolReady');
  });

  it('keeps the event loop turning while it reads thousands of files', async () => {
    let last = performance.now();
    let worstGap = 0;
    let turns = 0;
    const tick = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
      turns++;
    }, 5);
    try {
      const result = await tools().run('search_files', { pattern: 'no such text anywhere' });
      expect(result.content).toBe('no matches');
    } finally {
      clearInterval(tick);
    }
    // Each file is its own asynchronous read: the timer keeps firing throughout the search.
    expect(turns).toBeGreaterThan(3);
    expect(worstGap).toBeLessThan(200);
  });
});
