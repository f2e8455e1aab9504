// The agent's view of the domain model: the engine when the models load, and when they do not, a port that
// knows nothing and says why instead of a second, looser reader of the same YAML.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DomainEnginePort, loadModelPort, UnavailableModelPort } from '../../src/agent/domain-port.js';
import { reviewDiff } from '../../src/agent/review.js';
import { repoRoot } from '../../src/paths.js';

const base = mkdtempSync(join(tmpdir(), 'sitroom-domain-port-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('loadModelPort', () => {
  it('serves the domain model engine when the models load', () => {
    const port = loadModelPort(join(repoRoot, 'domain-models'));
    expect(port).toBeInstanceOf(DomainEnginePort);
    expect(port.componentFor('hypershift-operator/controllers/nodepool/nodepool_controller.go')).toBeTruthy();
  });

  it('falls back to a port that names the problem when a model file is broken, and tells the caller', () => {
    const dir = join(base, 'broken');
    cpSync(join(repoRoot, 'domain-models'), dir, { recursive: true });
    writeFileSync(join(dir, 'platform-matrix.yaml'), 'platforms: [unclosed\n');
    const heard: unknown[] = [];
    const port = loadModelPort(dir, (err) => heard.push(err));
    expect(port).toBeInstanceOf(UnavailableModelPort);
    expect(heard).toHaveLength(1);
    expect(port.summary()).toMatch(/^Domain model unavailable \(.*platform-matrix\.yaml/);
    expect(port.answer('what owns the NodePool?')).toBeUndefined();
    // The team's hand-written conventions still run on a diff without the model.
    const diff = [
      'diff --git a/hypershift-operator/controllers/nodepool/x.go b/hypershift-operator/controllers/nodepool/x.go',
      '--- a/hypershift-operator/controllers/nodepool/x.go',
      '+++ b/hypershift-operator/controllers/nodepool/x.go',
      '@@ -1,1 +1,2 @@',
      ' package nodepool',
      '+\tFooReason = "not camel"',
      '',
    ].join('\n');
    expect(reviewDiff(diff, port)).toEqual([
      expect.objectContaining({ rule: 'condition-value-camelcase', file: 'hypershift-operator/controllers/nodepool/x.go', line: 2 }),
    ]);
  });
});
