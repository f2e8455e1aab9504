// RH-A: offline answer and plan latency against loading the domain model alone, and billed input
// tokens per step on the scripted Messages API with prompt caching on versus off (target ≤ 0.3).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { figure, measure, type BenchFigure, type BenchSuite } from '../lib.js';
import { loadConfig } from '../../src/config/load.js';
import { repoRoot } from '../../src/paths.js';
import { loadDomainModel } from '../../src/domain/index.js';
import { createClaudeAgent } from '../../src/agent/claude.js';
import { patternKnowledge } from '../../src/agent/knowledge.js';
import { loadModelPort } from '../../src/agent/domain-port.js';
import { createOfflineAgent } from '../../src/agent/offline.js';
import type { StepUsage } from '../../src/agent/types.js';
import { createExampleRepo } from '../../src/integrations/example-repo.js';
import { startFakeAnthropic, text, toolUse } from '../../test/support/doubles/anthropic.js';

// Anthropic bills cache writes at 1.25x and cache reads at 0.1x the base input price.
// https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#pricing
const billedInput = (u: StepUsage) => u.inputTokens + 1.25 * u.cacheCreationInputTokens + 0.1 * u.cacheReadInputTokens;

const suite: BenchSuite = async () => {
  const base = mkdtempSync(join(tmpdir(), 'sitroom-bench-agent-'));
  const figures: BenchFigure[] = [];
  try {
    const repo = await createExampleRepo(join(base, 'repo'));
    const { team } = loadConfig(repo.dir);
    const modelsDir = join(repoRoot, 'domain-models');
    const model = loadModelPort(modelsDir);
    const knowledge = patternKnowledge(repo.dir);
    const offline = createOfflineAgent({ model, knowledge, team, targetRepo: repo.dir });

    const baseline = await measure(() => loadDomainModel(modelsDir, { fresh: true }), 30);
    const answer = await measure(() => offline.answer({ question: 'show me the error propagation path from an Azure machine to NodePool conditions' }), 200);
    figures.push(
      figure({
        suite: 'agent',
        name: 'offline answer (propagation path)',
        baseline: 'loadDomainModel',
        subject: answer,
        base: baseline,
        target: 'median < 50 ms',
        met: answer.medianMs < 50,
      }),
    );
    const plan = await measure(() => offline.plan({ workItemKey: 'HOSTEDCP-2101', intention: 'NodePool should report capacity errors per platform' }), 200);
    figures.push(
      figure({
        suite: 'agent',
        name: 'offline plan (4 phases from pattern)',
        baseline: 'loadDomainModel',
        subject: plan,
        base: baseline,
        target: 'median < 50 ms',
        met: plan.medianMs < 50,
      }),
    );

    // Five plan steps of three turns each (two tool calls, then the answer), as one work item would run.
    const planJson = JSON.stringify({
      workItemKey: 'HOSTEDCP-2101',
      intention: 'x',
      summary: '',
      phases: [
        {
          id: 'api-surface',
          title: 't',
          activity: 'api_changes',
          files: ['api/hypershift/v1beta1/nodepool_conditions.go'],
          constraints: [],
          validation: [],
          dependsOn: [],
          mergeOrder: 1,
        },
      ],
    });
    const server = await startFakeAnthropic((req) => {
      const turn = req.messages.filter((m) => m.role === 'assistant').length;
      if (turn === 0) return { stop_reason: 'tool_use', content: [toolUse('read_file', { path: 'api/hypershift/v1beta1/nodepool_conditions.go' })] };
      if (turn === 1) return { stop_reason: 'tool_use', content: [toolUse('lookup_knowledge', { query: 'condition' })] };
      return { stop_reason: 'end_turn', content: [text(`\`\`\`json\n${planJson}\n\`\`\``)] };
    });
    try {
      const run = async (promptCaching: boolean) => {
        const agent = createClaudeAgent({
          apiKey: 'sk-ant-bench-000000',
          baseURL: server.url,
          domain: model,
          knowledge,
          team,
          targetRepo: repo.dir,
          promptCaching,
          model: promptCaching ? 'bench-cached' : 'bench-uncached',
        });
        let billed = 0;
        const durations: number[] = [];
        for (let i = 0; i < 5; i++) {
          const t = performance.now();
          const r = await agent.plan({ workItemKey: 'HOSTEDCP-2101', intention: `step ${i}: NodePool should report capacity errors per platform` });
          durations.push(performance.now() - t);
          if (!r.plan) throw new Error(`bench plan step failed: ${r.message}`);
          billed += billedInput(r.usage);
        }
        return {
          billed,
          stats: await measure(async () => undefined, 1, 0).then(() => ({
            samples: durations.length,
            medianMs: [...durations].sort((a, b) => a - b)[2]!,
            p99Ms: Math.max(...durations),
            meanMs: durations.reduce((a, b) => a + b, 0) / durations.length,
          })),
        };
      };
      const uncached = await run(false);
      const cached = await run(true);
      const tokenRatio = cached.billed / uncached.billed;
      figures.push(
        figure({
          suite: 'agent',
          name: 'plan step on scripted API, caching on',
          baseline: 'same steps, caching off',
          subject: cached.stats,
          base: uncached.stats,
          target: 'billed input tokens cached/uncached ≤ 0.3',
          met: tokenRatio <= 0.3,
          extra: {
            billedInputTokensPerStepCached: Math.round(cached.billed / 5),
            billedInputTokensPerStepUncached: Math.round(uncached.billed / 5),
            billedInputRatio: Number(tokenRatio.toFixed(3)),
          },
        }),
      );
    } finally {
      await server.close();
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
  return figures;
};

export default suite;
