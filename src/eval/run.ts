// Asks an agent for a plan from each case's title and scores it against the real change. The agent is the
// product's own (offline, or Claude when a key is set), reached through the Agent interface.
import type { Agent } from '../agent/agent.js';
import type { StepUsage } from '../agent/types.js';
import type { DomainModel } from '../domain/schema.js';
import { workItemKeyPattern } from '../plan/schema.js';
import type { EvalCase } from './cases.js';
import { scorePlan, summarise, planFiles, type CaseScore, type Summary } from './score.js';

/** US dollars per million tokens. */
export interface TokenPrices {
  input: number;
  output: number;
}

// Claude Sonnet list prices; cache writes bill at 1.25x and cache reads at 0.1x the input price.
// https://docs.anthropic.com/en/docs/about-claude/pricing
export const sonnetPrices: TokenPrices = { input: 3, output: 15 };

export function costOf(u: StepUsage, prices: TokenPrices): number {
  if (u.model === 'offline') return 0;
  return (prices.input * (u.inputTokens + 1.25 * u.cacheCreationInputTokens + 0.1 * u.cacheReadInputTokens) + prices.output * u.outputTokens) / 1e6;
}

export interface CaseResult {
  pr: number;
  title: string;
  jira?: string;
  agent: Agent['kind'];
  planned: boolean;
  message: string;
  phases: number;
  files: string[];
  score: CaseScore;
  usage: StepUsage;
  costUsd: number;
  ms: number;
}

export interface EvalReport {
  kind: 'PlanEvalReport';
  agent: Agent['kind'];
  since: string;
  until: string;
  summary: Summary & { costUsd: number; inputTokens: number; outputTokens: number };
  cases: CaseResult[];
}

/** A key the plan schema accepts: the case's Jira key, else PR-<number>. */
export function workItemKeyFor(c: EvalCase): string {
  return c.jira && workItemKeyPattern.test(c.jira) ? c.jira : `PR-${c.pr}`;
}

export async function evaluatePlans(
  agent: Agent,
  model: DomainModel,
  cases: readonly EvalCase[],
  opts: { commands: { api: string; test: string }; since: string; until: string; prices?: TokenPrices; onCase?: (r: CaseResult, i: number) => void },
): Promise<EvalReport> {
  const prices = opts.prices ?? sonnetPrices;
  const results: CaseResult[] = [];
  for (const [i, c] of cases.entries()) {
    const started = performance.now();
    const r = await agent.plan({ workItemKey: workItemKeyFor(c), intention: c.title });
    const score = scorePlan(model, c, r.plan, opts.commands);
    const result: CaseResult = {
      pr: c.pr,
      title: c.title,
      ...(c.jira ? { jira: c.jira } : {}),
      agent: agent.kind,
      planned: !!r.plan,
      message: r.message,
      phases: r.plan?.phases.length ?? 0,
      files: planFiles(r.plan),
      score,
      usage: r.usage,
      costUsd: costOf(r.usage, prices),
      ms: Math.round(performance.now() - started),
    };
    results.push(result);
    opts.onCase?.(result, i);
  }
  const summary = summarise(results.map((r) => r.score));
  return {
    kind: 'PlanEvalReport',
    agent: agent.kind,
    since: opts.since,
    until: opts.until,
    summary: {
      ...summary,
      costUsd: results.reduce((n, r) => n + r.costUsd, 0),
      inputTokens: results.reduce((n, r) => n + r.usage.inputTokens + r.usage.cacheCreationInputTokens + r.usage.cacheReadInputTokens, 0),
      outputTokens: results.reduce((n, r) => n + r.usage.outputTokens, 0),
    },
    cases: results,
  };
}

/** The figures issue 19 sets for the development set. */
export const targets = { planRate: 0.9, folderRecall: 0.6, fileRecall: 0.4 } as const;

export function targetsMet(s: Summary): Record<keyof typeof targets, boolean> {
  return { planRate: s.planRate >= targets.planRate, folderRecall: s.folderRecall >= targets.folderRecall, fileRecall: s.fileRecall >= targets.fileRecall };
}
