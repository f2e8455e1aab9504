// RH-A: offline answer and plan latency against loading the domain model alone, and billed input
// tokens per step on the scripted Messages API with prompt caching on versus off (target ≤ 0.3).
// Growth (issue 18 item 7): the billed tokens of a plan step grow with its conversation, so the caching
// figure is measured with 2, 4 and 8 tool calls before the answer (sizes count tool calls per step;
// `--sizes`), five steps each; the target holds at every size. Uncached, a step resends its whole
// conversation every turn, so its tokens grow faster than its calls: past about a dozen calls of these file
// reads a step spends its 200,000-token budget and stops, as the product means it to. The offline answer and plan read the domain
// model and the pattern library, whose size the repository fixes: growth n/a.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { figure, growthOf, measure, sizesFor, summarise, type BenchFigure, type BenchSuite } from '../lib.js';
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

const suite: BenchSuite = async (opts) => {
  const toolCalls = sizesFor(opts, [2, 4, 8]);
  const offlineNa = 'answers from the domain model and the pattern library, whose size the repository fixes';
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
        growthNotApplicable: offlineNa,
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
        growthNotApplicable: offlineNa,
      }),
    );

    // Five plan steps of `calls` tool calls each, then the answer, as one work item would run.
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
    let calls = toolCalls[0]!;
    const server = await startFakeAnthropic((req) => {
      const turn = req.messages.filter((m) => m.role === 'assistant').length;
      if (turn < calls && turn % 2 === 0)
        return { stop_reason: 'tool_use', content: [toolUse('read_file', { path: 'api/hypershift/v1beta1/nodepool_conditions.go' })] };
      if (turn < calls) return { stop_reason: 'tool_use', content: [toolUse('lookup_knowledge', { query: 'condition' })] };
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
        return { billed, stats: summarise(durations) };
      };
      const at: { calls: number; cached: Awaited<ReturnType<typeof run>>; uncached: Awaited<ReturnType<typeof run>> }[] = [];
      for (const n of toolCalls) {
        calls = n;
        const uncached = await run(false);
        const cached = await run(true);
        at.push({ calls: n, cached, uncached });
      }
      const ratioOf = (a: (typeof at)[number]) => a.cached.billed / a.uncached.billed;
      const top = at[at.length - 1]!;
      figures.push(
        figure({
          suite: 'agent',
          name: `plan step on scripted API, caching on, ${top.calls} tool calls`,
          baseline: 'same steps, caching off',
          subject: top.cached.stats,
          base: top.uncached.stats,
          target: 'billed input tokens cached/uncached ≤ 0.3 at every size',
          met: at.every((a) => ratioOf(a) <= 0.3),
          extra: {
            billedInputTokensPerStepCached: Math.round(top.cached.billed / 5),
            billedInputTokensPerStepUncached: Math.round(top.uncached.billed / 5),
            billedInputRatio: Number(ratioOf(top).toFixed(3)),
            billedInputRatioAtEachSize: at.map((a) => ratioOf(a).toFixed(3)).join(' '),
            billedInputTokensPerStepUncachedAtEachSize: at.map((a) => Math.round(a.uncached.billed / 5)).join(' '),
          },
          growth: growthOf(
            'tool calls per step',
            at.map((a) => a.calls),
            at.map((a) => a.cached.billed / 5),
            'billed input tokens per step, cached',
          ),
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
