// Shared set-up for agent tests: a fresh example repository, its config, the domain model port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { repoRoot } from '../../src/paths.js';
import { patternKnowledge } from '../../src/agent/knowledge.js';
import { loadModelPort } from '../../src/agent/domain-port.js';
import { createExampleRepo } from '../../src/integrations/example-repo.js';

export async function exampleWorkspace() {
  const base = mkdtempSync(join(tmpdir(), 'sitroom-agent-'));
  const repo = await createExampleRepo(join(base, 'repo'));
  const { team } = loadConfig(repo.dir);
  return {
    base,
    repo,
    team,
    model: loadModelPort(join(repoRoot, 'domain-models')),
    knowledge: patternKnowledge(repo.dir),
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}
