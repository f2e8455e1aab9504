// The offline agent: RH-A's steps without a model. It answers what the domain model covers, plans
// from the pattern library's recipes, executes pattern recipes inside the step's scope, reviews diffs
// with the model's rules and the team's conventions, and says plainly when a step needs a model.
import { readFileSync, writeFileSync } from 'node:fs';
import type { TeamConfig } from '../config/schema.js';
import { Plan } from '../plan/schema.js';
import { parseJUnit, type JUnitCase } from '../integrations/junit.js';
import { redactSecrets } from '../observability/logger.js';
import { findPath, impactOf, type DomainModel, type PathStep } from '../domain/index.js';
import { needsModelMessage, type Agent } from './agent.js';
import { verifyAndCommit } from './finish.js';
import { changedPaths, currentBranch } from './git.js';
import type { DomainModelPort, KnowledgePort } from './model-port.js';
import {
  addConditionConstants, conditionTestPath, conditionTestSource, conditionsFile, fileProblems, parseConditionRequest, planRecipes, RecipeError,
} from './recipes.js';
import { reviewDiff, summariseFindings } from './review.js';
import { Scope, ScopeRefusal } from './scope.js';
import {
  emptyEvidence, evidenceFromScope, zeroUsage, type AnswerRequest, type AnswerResult, type DiagnoseRequest, type DiagnoseResult, type ExecuteRequest,
  type ExecuteResult, type PlanRequest, type PlanResult, type ProposeKnowledgeRequest, type ProposeKnowledgeResult, type ReviewRequest,
  type ReviewResult, type StepContext,
} from './types.js';

export interface OfflineAgentDeps {
  model: DomainModelPort;
  knowledge: KnowledgePort;
  team: TeamConfig;
  targetRepo: string;
}

/** Questions that ask for judgement rather than facts the model records. */
const judgementQuestion = /\b(should|why|better|recommend|design|trade-?offs?|opinion|refactor|write|implement)\b/i;

export function createOfflineAgent(deps: OfflineAgentDeps): Agent {
  const allowed = deps.team.agent.allowed_commands;

  /**
   * A re-push after a real CI failure. The one failure the offline agent can repair is a stale generated
   * file (someone committed the constants without running the code generation): regenerate, verify, test
   * and commit what changed. The branch already carries the change, so the recipe is not applied again.
   */
  async function fixRound(req: ExecuteRequest, ctx: StepContext): Promise<ExecuteResult> {
    const scope = new Scope({ worktree: req.worktree, writable: req.writable ?? req.phase.files, allowedCommands: allowed, tokenBudget: req.tokenBudget ?? deps.team.agent.token_budget_per_work_item });
    const evidence = emptyEvidence();
    const checks: ExecuteResult['checks'] = [];
    const fail = (message: string): ExecuteResult => ({ status: 'failed', message, branch: req.branch, checks, usage: zeroUsage(), evidence: evidenceFromScope(scope, evidence) });
    const beat = (what: string) => ctx.heartbeat?.({ step: 'execute', what });
    const codegen = deps.team.codegen.api;
    try {
      const branch = await currentBranch(req.worktree);
      if (branch !== req.branch) return fail(`the worktree is on branch "${branch}", expected "${req.branch}"`);
      beat(codegen);
      const run = await scope.runCommand(codegen);
      if (run.exitCode !== 0) return fail(`${codegen} failed (exit ${run.exitCode}):\n${run.output.slice(-2000)}`);
      const regenerated = await changedPaths(req.worktree);
      if (regenerated.length === 0) {
        return fail(`${codegen} changed nothing, so the CI failure is not stale generated code; the offline agent has no other fix. ${needsModelMessage}`);
      }
      evidence.notes.push(`CI failed on stale generated code: \`${codegen}\` regenerated ${regenerated.join(', ')}`);
      const finished = await verifyAndCommit({
        scope,
        team: deps.team,
        model: deps.model,
        evidence,
        heartbeat: beat,
        commitMessage: `${req.workItemKey}: regenerate with \`${codegen}\` after CI failed\n\nThe branch had the hand-written change without the generated code.\nPhase: ${req.phase.id}`,
      });
      checks.push(...finished.checks);
      if (!finished.ok) return fail(finished.message);
      return { status: 'committed', message: `Regenerated with ${codegen} and committed ${finished.commit.slice(0, 12)} on ${req.branch}`, branch: req.branch, commit: finished.commit, checks, usage: zeroUsage(), evidence: evidenceFromScope(scope, evidence) };
    } catch (err) {
      if (err instanceof ScopeRefusal) return fail(err.message);
      throw err;
    }
  }

  return {
    kind: 'offline',

    async answer(req: AnswerRequest): Promise<AnswerResult> {
      const options = fixOptions(req.question, deps);
      if (options) return { ...options, needsModel: false, usage: zeroUsage(), evidence: emptyEvidence() };
      const fromModel = deps.model.answer(req.question);
      const patterns = deps.knowledge.lookup(req.question, 2);
      if (!fromModel) {
        return { text: needsModelMessage, citations: [], needsModel: true, usage: zeroUsage(), evidence: emptyEvidence() };
      }
      const parts = [fromModel.text];
      if (patterns.length) parts.push('', 'Team patterns that apply:', ...patterns.map((p) => `- ${p.title} (${p.source})`));
      const needsModel = judgementQuestion.test(req.question);
      if (needsModel) parts.push('', `For options and a recommendation: ${needsModelMessage}`);
      return {
        text: parts.join('\n'),
        citations: [...fromModel.citations, ...patterns.map((p) => ({ node: `pattern:${p.id}`, ref: p.source }))],
        needsModel,
        usage: zeroUsage(),
        evidence: emptyEvidence(),
      };
    },

    async plan(req: PlanRequest): Promise<PlanResult> {
      const recipe = planRecipes.find((r) => r.matches(req.intention));
      if (!recipe) {
        return { needsModel: true, message: `No recipe in the pattern library matches "${req.intention}". ${needsModelMessage}`, warnings: [], usage: zeroUsage(), evidence: emptyEvidence() };
      }
      const phases = recipe.phases({ intention: req.intention, targetRepo: deps.targetRepo, allowedCommands: allowed });
      const parsed = Plan.safeParse({ workItemKey: req.workItemKey, intention: req.intention, summary: `From pattern "${recipe.pattern}" (offline recipe ${recipe.id}).`, phases });
      if (!parsed.success) {
        return { needsModel: false, message: `recipe ${recipe.id} produced an invalid plan: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, warnings: [], usage: zeroUsage(), evidence: emptyEvidence() };
      }
      const warnings = checkPlan(parsed.data, deps);
      return { plan: parsed.data, needsModel: false, message: `Plan with ${parsed.data.phases.length} phase(s) from pattern "${recipe.pattern}".`, warnings, usage: zeroUsage(), evidence: emptyEvidence() };
    },

    async execute(req: ExecuteRequest, ctx: StepContext = {}): Promise<ExecuteResult> {
      if (req.fixRound) return fixRound(req, ctx);
      const condition = parseConditionRequest(req.instruction);
      if (!condition) {
        return { status: 'needs-model', message: `No offline recipe for "${req.instruction}". ${needsModelMessage}`, branch: req.branch, checks: [], usage: zeroUsage(), evidence: emptyEvidence() };
      }
      const scope = new Scope({
        worktree: req.worktree,
        writable: req.writable ?? req.phase.files,
        allowedCommands: allowed,
        tokenBudget: req.tokenBudget ?? deps.team.agent.token_budget_per_work_item,
      });
      const evidence = emptyEvidence();
      const checks: ExecuteResult['checks'] = [];
      const fail = (message: string): ExecuteResult => ({ status: 'failed', message, branch: req.branch, checks, usage: zeroUsage(), evidence: evidenceFromScope(scope, evidence) });
      const beat = (what: string) => ctx.heartbeat?.({ step: 'execute', what });
      try {
        const branch = await currentBranch(req.worktree);
        if (branch !== req.branch) return fail(`the worktree is on branch "${branch}", expected "${req.branch}"`);

        beat('edit');
        const conditionsPath = scope.resolveForWrite(conditionsFile);
        writeFileSync(conditionsPath, addConditionConstants(readFileSync(conditionsPath, 'utf8'), condition));
        scope.noteWrite(conditionsPath);
        evidence.notes.push(`added condition type ${condition.conditionType} and reason ${condition.reason} to ${conditionsFile} (pattern nodepool-condition-type)`);

        for (const command of [deps.team.codegen.api]) {
          beat(command);
          const run = await scope.runCommand(command);
          if (run.exitCode !== 0) return fail(`${command} failed (exit ${run.exitCode}):\n${run.output.slice(-2000)}`);
        }

        beat('test');
        const testPath = scope.resolveForWrite(conditionTestPath(condition));
        writeFileSync(testPath, conditionTestSource(condition));
        scope.noteWrite(testPath);
        evidence.notes.push(`added ${conditionTestPath(condition)}: fails unless the constant is generated into the known lists`);

        const finished = await verifyAndCommit({
          scope,
          team: deps.team,
          model: deps.model,
          evidence,
          heartbeat: beat,
          commitMessage: `${req.workItemKey}: add NodePool condition type ${condition.conditionType}\n\nReason ${condition.reason}; generated list refreshed with \`${deps.team.codegen.api}\`.\nPhase: ${req.phase.id}`,
        });
        checks.push(...finished.checks);
        if (!finished.ok) return fail(finished.message);
        return { status: 'committed', message: `Committed ${finished.commit.slice(0, 12)} on ${req.branch}`, branch: req.branch, commit: finished.commit, checks, usage: zeroUsage(), evidence: evidenceFromScope(scope, evidence) };
      } catch (err) {
        if (err instanceof ScopeRefusal || err instanceof RecipeError) return fail(err.message);
        throw err;
      }
    },

    async review(req: ReviewRequest): Promise<ReviewResult> {
      const findings = reviewDiff(req.diff, deps.model);
      return { findings, summary: summariseFindings(findings), usage: zeroUsage(), evidence: emptyEvidence() };
    },

    async diagnose(req: DiagnoseRequest): Promise<DiagnoseResult> {
      const known = [...(req.knownFlakes ?? []), ...deps.team.ci.flake_handling.known_signatures];
      let cases: JUnitCase[] = [];
      if (req.junitXml) cases = parseJUnit(req.junitXml).cases.filter((c) => c.status === 'failed');
      const failingTests = cases.map((c) => ({
        name: c.name,
        message: redactSecrets(c.message.slice(0, 2000)),
        knownFlake: known.some((k) => (c.name === k.test || c.name.startsWith(`${k.test}/`)) && c.message.includes(k.pattern)),
      }));
      if (failingTests.length === 0) {
        return { verdict: 'unknown', failingTests, summary: req.junitXml ? `${req.job}: the JUnit report has no failed test; the job failed outside the tests. ${needsModelMessage}` : `${req.job}: no JUnit report to read. ${needsModelMessage}`, needsModel: true, usage: zeroUsage(), evidence: emptyEvidence() };
      }
      const real = failingTests.filter((t) => !t.knownFlake);
      const verdict = real.length === 0 ? 'flake' : 'failure';
      const summary =
        verdict === 'flake'
          ? `${req.job}: ${failingTests.length} failing test(s), all matching known flake signatures (${failingTests.map((t) => t.name).join(', ')}).`
          : `${req.job}: ${real.length} failing test(s) not explained by a known flake: ${real.map((t) => t.name).join(', ')}. First failure:\n${real[0]!.message.split('\n').slice(0, 8).join('\n')}`;
      return { verdict, failingTests, summary, needsModel: false, usage: zeroUsage(), evidence: emptyEvidence() };
    },

    async proposeKnowledge(req: ProposeKnowledgeRequest): Promise<ProposeKnowledgeResult> {
      const commands = req.evidence.commands;
      if (commands.length === 0 && req.evidence.filesWritten.length === 0) {
        return { proposals: [], needsModel: true, usage: zeroUsage(), evidence: emptyEvidence() };
      }
      const steps = commands.map((c) => `- \`${c.command}\`: ${c.exitCode === 0 ? 'passed' : `failed (exit ${c.exitCode})`} in ${Math.round(c.durationMs / 1000)} s`);
      const failedFirst = commands.filter((c, i) => c.exitCode !== 0 && commands.slice(i + 1).some((d) => d.command === c.command && d.exitCode === 0));
      const body = [
        `Outcome of ${req.workItemKey}: ${req.outcome}`,
        '',
        'Steps as executed:',
        ...steps,
        ...(failedFirst.length ? ['', `Needed a second attempt: ${failedFirst.map((c) => c.command).join(', ')}.`] : []),
        ...(req.evidence.refusals.length ? ['', `Scope refusals during the work: ${req.evidence.refusals.map((r) => r.kind).join(', ')}.`] : []),
      ].join('\n');
      return {
        proposals: [{ tier: 'experience', title: `${req.workItemKey}: how the change was verified`, body, references: req.evidence.filesWritten }],
        needsModel: false,
        usage: zeroUsage(),
        evidence: emptyEvidence(),
      };
    },
  };
}

/** Plan checks against the tree and the model: files exist or are new in an existing directory, commands are allowed. */
export function checkPlan(plan: Plan, deps: Pick<OfflineAgentDeps, 'model' | 'team' | 'targetRepo'>): string[] {
  const warnings: string[] = [];
  for (const phase of plan.phases) {
    for (const p of fileProblems(deps.targetRepo, phase.files)) warnings.push(`phase ${phase.id}: ${p}`);
    for (const v of phase.validation) {
      if (!deps.team.agent.allowed_commands.includes(v.command)) warnings.push(`phase ${phase.id}: validation command "${v.command}" is not on the agent allow-list`);
    }
    const components = new Set(phase.files.map((f) => deps.model.componentFor(f)).filter(Boolean));
    if (components.size > 2) warnings.push(`phase ${phase.id}: touches ${components.size} components (${[...components].join(', ')}); consider splitting`);
  }
  return warnings;
}

// ---------------------------------------------------------------------------------------------------
// "What are the options to fix the lossy step from an Azure machine to NodePool conditions, inside this
// repository only?": one option per lossy hop of the propagation path, each with its impact (impactOf on
// the code that performs the hop), precedent (curated patterns) and constraints (who owns the code, the
// boundary rules it touches), and a recommendation computed from those — no model needed.

const optionsQuestion = /\b(options?|alternatives?|ways?)\b.*\b(fix|improve|address|solve|keep|preserve)\b/i;
const pathInQuestion = /\bfrom\s+(?:an?\s+|the\s+)?(.+?)\s+to\s+(?:the\s+)?(.+?)(?:[,;(]|\s+(?:inside|within|in this|only|without)\b|[?.!]*$)/i;
const thisRepoOnly = /\b(inside|within|in)\s+this\s+(repo|repository|code ?base)\b|\bonly (in|inside) (the|this) (repo|repository)\b/i;

export interface FixOption {
  hop: string;
  owner: string;
  files: string[];
  inRepository: boolean;
  impact: string;
  precedent: string[];
  constraints: string[];
  /** Lower is better: platforms affected, components touched, boundary rules in play; no precedent costs one. */
  cost: number;
}

function engineModel(port: DomainModelPort): DomainModel | undefined {
  const model = (port as { model?: unknown }).model;
  return model && typeof model === 'object' && 'map' in model ? (model as DomainModel) : undefined;
}

export function fixOptionsFor(model: DomainModel, steps: PathStep[], knowledge: KnowledgePort): FixOption[] {
  return steps
    .filter((s) => s.lossy)
    .map((step) => {
      const files = [...new Set(step.via.map((v) => v.replace(/[:#].*$/, '')))];
      const inRepository = files.length > 0 && files.every((f) => !f.startsWith('vendor/'));
      const impact = impactOf(model, files);
      const platforms = impact.platforms.scope === 'generic' ? `generic: every platform (${impact.platforms.affected.length})` : impact.platforms.scope === 'platform-specific' ? `platform-specific: ${impact.platforms.specific.join(', ')}` : 'no platform';
      const precedent = knowledge.lookup(`${step.actor.name} ${step.to.name} ${step.loss ?? ''} error propagation condition`, 3).map((p) => `${p.title} (${p.source})`);
      const constraints = [
        inRepository ? `owned by ${step.actor.name}, inside this repository` : `owned by ${step.actor.name} upstream (${files.join(', ')} is vendored): a change there lands in another project first`,
        ...impact.boundaryRules.map((r) => `boundary rule ${r}`),
        ...impact.invariants.slice(0, 3).map((i) => `re-check invariant ${i.id}`),
      ];
      const cost = impact.platforms.affected.length + impact.components.length + impact.boundaryRules.length + (precedent.length ? 0 : 1) + (inRepository ? 0 : 10);
      return {
        hop: `${step.from.name} -> ${step.to.name}`,
        owner: step.actor.name,
        files,
        inRepository,
        impact: `${impact.components.map((c) => c.name).join(', ') || 'no modelled component'}; ${platforms}; ${impact.invariants.length} invariant(s) to re-check`,
        precedent,
        constraints,
        cost,
      };
    });
}

function fixOptions(question: string, deps: OfflineAgentDeps): Pick<AnswerResult, 'text' | 'citations'> | undefined {
  if (!optionsQuestion.test(question)) return undefined;
  const model = engineModel(deps.model);
  const ends = pathInQuestion.exec(question);
  if (!model || !ends) return undefined;
  let path;
  try {
    path = findPath(model, ends[1]!, ends[2]!);
  } catch {
    return undefined;
  }
  const all = fixOptionsFor(model, path.steps, deps.knowledge);
  if (all.length === 0) return { text: `${path.from.name} -> ${path.to.name} loses nothing on the way, so there is nothing to fix on this path.`, citations: [{ node: `concept:${path.to.id}`, ref: path.to.ref }] };
  const repoOnly = thisRepoOnly.test(question);
  const options = repoOnly ? all.filter((o) => o.inRepository) : all;
  const excluded = all.filter((o) => !options.includes(o));
  const best = [...options].sort((a, b) => a.cost - b.cost)[0];
  const lines = [`Options to fix the lossy steps from ${path.from.name} to ${path.to.name}${repoOnly ? ' (inside this repository only)' : ''}:`];
  options.forEach((o, i) => {
    lines.push(
      '',
      `${i + 1}. Fix the ${o.hop} step (${o.owner})`,
      `   impact: ${o.impact}`,
      `   precedent: ${o.precedent.length ? o.precedent.join('; ') : 'none in the pattern library'}`,
      `   constraints: ${o.constraints.join('; ')}`,
      `   code: ${o.files.join(', ')}`,
    );
  });
  if (excluded.length) lines.push('', `Left out: ${excluded.map((o) => `the ${o.hop} step (${o.constraints[0]})`).join('; ')}.`);
  lines.push('', best ? `Recommendation: option ${options.indexOf(best) + 1}, fix the ${best.hop} step — ${best.precedent.length ? 'it follows a curated pattern and ' : ''}${options.length > 1 ? 'it has the smallest blast radius of the options' : 'it is the only lossy step that can be fixed here'} (${best.impact}).` : 'No option stays inside this repository: every lossy step is owned upstream.');
  const citations = [...new Set(options.flatMap((o) => o.files))].map((ref) => ({ node: 'file', ref }));
  return { text: lines.join('\n'), citations };
}
