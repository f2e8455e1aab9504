// With a key the Claude planner runs (here against a loopback Messages API that speaks the real wire
// format): each case records the tokens it used and what they cost.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent } from '../../src/agent/steps.js';
import { loadConfig } from '../../src/config/load.js';
import { loadDomainModel } from '../../src/domain/index.js';
import { evaluatePlans, sonnetPrices } from '../../src/eval/run.js';
import type { EvalCase } from '../../src/eval/cases.js';
import { startFakeAnthropic, text } from '../support/doubles/anthropic.js';
import { repoRoot } from '../../src/paths.js';

const teamRepo = join(repoRoot, 'examples', 'target-repo');
const { team } = loadConfig(teamRepo);
const theCase: EvalCase = {
  pr: 7,
  title: 'OCPBUGS-7: AWS NodePools',
  jira: 'OCPBUGS-7',
  mergedAt: '2024-05-01T00:00:00Z',
  commit: 'c',
  files: { source: ['hypershift-operator/controllers/nodepool/aws.go'], tests: [], generated: [] },
};
const planJson = JSON.stringify({
  workItemKey: 'OCPBUGS-7',
  intention: theCase.title,
  summary: 's',
  phases: [
    {
      id: 'aws',
      title: 'AWS',
      activity: 'implementation',
      files: ['hypershift-operator/controllers/nodepool/aws.go'],
      constraints: [],
      validation: [{ command: 'make test', why: 'unit tests' }],
      dependsOn: [],
      mergeOrder: 1,
    },
  ],
});

let server: Awaited<ReturnType<typeof startFakeAnthropic>>;
beforeAll(async () => {
  server = await startFakeAnthropic(() => ({ stop_reason: 'end_turn', content: [text(`\`\`\`json\n${planJson}\n\`\`\``)] }));
});
afterAll(() => server.close());

describe('eval with the Claude planner', () => {
  it('records usage and cost per case', async () => {
    const agent = createAgent({ targetRepo: teamRepo, team, anthropic: { apiKey: 'sk-ant-test-000000', baseUrl: server.url, model: 'claude-test' } });
    expect(agent.kind).toBe('claude');
    const report = await evaluatePlans(agent, loadDomainModel(), [theCase], { commands: team.codegen, since: '2024-01-01', until: '2025-06-01' });
    const [c] = report.cases;
    expect(c!.agent).toBe('claude');
    expect(c!.score.fileRecall).toBe(1);
    expect(c!.usage.inputTokens + c!.usage.cacheCreationInputTokens + c!.usage.cacheReadInputTokens).toBeGreaterThan(0);
    expect(c!.usage.outputTokens).toBeGreaterThan(0);
    const expected =
      (sonnetPrices.input * (c!.usage.inputTokens + 1.25 * c!.usage.cacheCreationInputTokens + 0.1 * c!.usage.cacheReadInputTokens) +
        sonnetPrices.output * c!.usage.outputTokens) /
      1e6;
    expect(c!.costUsd).toBeCloseTo(expected, 10);
    expect(report.summary.costUsd).toBeCloseTo(expected, 10);
  });
});
