// The offline agent: RH-A's steps without a model. It answers what the domain model covers, plans
// from the pattern library's recipes, executes pattern recipes inside the step's scope, reviews diffs
// with the model's rules and the team's conventions, and says plainly when a step needs a model.
import type { TeamConfig } from '../config/schema.js';
import { Plan } from '../plan/schema.js';
import { parseJUnit, type JUnitCase } from '../integrations/ci/junit.js';
import { redactSecrets } from '../observability/logger.js';
import { findPath, impactOf, matchGlob, loadOwnersIndex, loadTree, type DomainModel, type OwnersIndex, type PathStep } from '../domain/index.js';
import { planFromModel } from './model-planner.js';
import { checkPlan } from './plan-check.js';
import { needsModelMessage, type Agent } from './agent.js';
import { overlap, tokenize, type DomainModelPort, type KnowledgePort } from './model-port.js';
import { forAudience } from './audience.js';
import { parseBridgeRequest, parseConditionRequest, parseDocsRequest, planRecipes } from './recipes.js';
import { reviewDiff, summariseFindings } from './review.js';
import {
  emptyEvidence,
  zeroUsage,
  type AnswerRequest,
  type AnswerResult,
  type DiagnoseRequest,
  type DiagnoseResult,
  type ExecuteRequest,
  type ExecuteResult,
  type PlanRequest,
  type PlanResult,
  type ProposeKnowledgeRequest,
  type ProposeKnowledgeResult,
  type ReviewRequest,
  type ReviewResult,
  type StepContext,
} from './types.js';
import type { SandboxPlacement } from './sandbox.js';
import { createRecipeSteps } from './offline-recipes.js';

export interface OfflineAgentDeps {
  model: DomainModelPort;
  knowledge: KnowledgePort;
  team: TeamConfig;
  targetRepo: string;
  /** Paths the command sandbox masks and where it keeps build caches (the mode comes from team.yaml). */
  sandbox?: SandboxPlacement;
  /** OWNERS of the pinned HyperShift tree; defaults to the copies under domain-models/snapshot/owners. */
  owners?: OwnersIndex;
}

const firstParagraph = (text: string) => {
  const flat = text
    .split(/\n\s*\n/)[0]!
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > 400 ? `${flat.slice(0, 399)}…` : flat;
};

/** Questions that ask for judgement rather than facts the model records. */
const judgementQuestion = /\b(should|why|better|recommend|design|trade-?offs?|opinion|refactor|write|implement)\b/i;

export function createOfflineAgent(deps: OfflineAgentDeps): Agent {
  const allowed = deps.team.agent.allowed_commands;

  const { fixRound, addCondition, platformBridge, documentCondition, needsModel } = createRecipeSteps(deps);

  let owners: OwnersIndex | null | undefined = deps.owners;
  const ownersIndex = (): OwnersIndex | undefined => {
    if (owners === undefined) {
      try {
        owners = loadOwnersIndex();
      } catch {
        owners = null; // no OWNERS copies: plans name no approvers
      }
    }
    return owners ?? undefined;
  };

  let tree: string[] | null | undefined;
  const snapshotTree = (): string[] | undefined => {
    if (tree === undefined) {
      try {
        tree = loadTree();
      } catch {
        tree = null; // no snapshot listing: plans name only the files the model cites
      }
    }
    return tree ?? undefined;
  };

  /** No recipe fits: a grounded skeleton from the domain model, with what it cannot fill named as open. */
  const planFromDomainModel = (req: PlanRequest): PlanResult => {
    const model = engineModel(deps.model);
    if (!model) {
      return {
        needsModel: true,
        message: `No recipe in the pattern library matches "${req.intention}", and the domain model engine is not loaded. ${needsModelMessage}`,
        warnings: [],
        usage: zeroUsage(),
        evidence: emptyEvidence(),
      };
    }
    const owners = ownersIndex();
    const paths = snapshotTree();
    const skeleton = planFromModel(model, req.intention, { commands: deps.team.codegen, ...(owners ? { owners } : {}), ...(paths ? { tree: paths } : {}) });
    const parsed = Plan.safeParse({ workItemKey: req.workItemKey, intention: req.intention, summary: skeleton.summary, phases: skeleton.phases });
    if (!parsed.success) {
      return {
        needsModel: false,
        message: `the model-grounded plan is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        warnings: [],
        usage: zeroUsage(),
        evidence: emptyEvidence(),
      };
    }
    const evidence = emptyEvidence();
    evidence.notes.push(
      ...skeleton.concepts.map((c) => `${c.kind} ${c.id} (named by: ${c.matchedBy.join(', ') || 'its file'})`),
      ...skeleton.open.map((o) => `open: ${o}`),
    );
    const plan = withLearnedKnowledge(parsed.data);
    return {
      plan,
      needsModel: false,
      message: `Plan with ${plan.phases.length} phase(s) grounded in the domain model (no recipe matched). Open: ${skeleton.open.join('; ')}.`,
      warnings: checkPlan(plan, deps),
      usage: zeroUsage(),
      evidence,
    };
  };

  /**
   * Entries the team learned since the recipes were written (approved from proposals or promotions) ride along
   * as constraints on the phases whose files they apply to, and the summary names them.
   */
  const withLearnedKnowledge = (plan: Plan): Plan => {
    const learned = (deps.knowledge.entries?.() ?? []).filter((e) => e.learned && (e.files ?? []).length > 0);
    if (learned.length === 0) return plan;
    const applied = new Set<string>();
    const phases = plan.phases.map((phase) => {
      const hits = learned.filter((e) => e.files!.some((g) => phase.files.some((f) => matchGlob(g, f) || f === g)));
      for (const h of hits) applied.add(`${h.title} (${h.source})`);
      return hits.length
        ? { ...phase, constraints: [...phase.constraints, ...hits.map((h) => `team knowledge "${h.title}": ${firstParagraph(h.body)}`)] }
        : phase;
    });
    if (applied.size === 0) return plan;
    return { ...plan, phases, summary: `${plan.summary}${plan.summary ? ' ' : ''}Team knowledge applied: ${[...applied].join('; ')}.` };
  };

  /** Entries for the question; when the asker is on a phase, entries for that phase's files come first. */
  const knowledgeFor = (req: AnswerRequest) => {
    const byWords = deps.knowledge.lookup(req.question, 2);
    const files = req.workingOn?.files ?? [];
    if (files.length === 0) return byWords;
    const words = tokenize(req.question);
    const byFiles = (deps.knowledge.entries?.() ?? []).filter(
      (e) => (e.files ?? []).some((g) => files.some((f) => matchGlob(g, f))) && overlap(words, tokenize(`${e.title} ${e.body}`)) > 0,
    );
    return [...new Map([...byFiles, ...byWords].map((e) => [e.id, e])).values()].slice(0, 3);
  };

  return {
    kind: 'offline',

    async answer(req: AnswerRequest): Promise<AnswerResult> {
      const options = fixOptions(req.question, deps);
      if (options) return { ...options, kind: 'fix-options', needsModel: false, usage: zeroUsage(), evidence: emptyEvidence() };
      const fromModel = deps.model.answer(req.question);
      const patterns = knowledgeFor(req);
      const recognised = fromModel && fromModel.kind !== 'needs-model' ? fromModel : undefined;
      if (!recognised && patterns.length === 0) {
        // say what the model did recognise, so the asker can rephrase with the model's own names
        return {
          text: [fromModel?.text, needsModelMessage].filter(Boolean).join('\n\n'),
          citations: fromModel?.citations ?? [],
          kind: 'needs-model',
          needsModel: true,
          usage: zeroUsage(),
          evidence: emptyEvidence(),
        };
      }
      const parts: string[] = [];
      if (recognised) {
        parts.push(recognised.text);
        if (patterns.length) parts.push('', 'Team patterns that apply:', ...patterns.map((p) => `- ${p.title} (${p.source})`));
      } else {
        // The model has no node for this, but the team wrote something down: say what the model found, show the
        // entries, and keep the answer marked as one the model lacks.
        if (fromModel?.text) parts.push(fromModel.text, '');
        parts.push('From the team knowledge:', ...patterns.map((p) => `- *${p.title}* (${p.source}): ${firstParagraph(p.body)}`));
      }
      // the checklist is the model's answer to "what must I implement"; elsewhere judgement words ask for more than facts
      const needsModel = !recognised || (recognised.kind !== 'new-platform-checklist' && judgementQuestion.test(req.question));
      if (!recognised) parts.push('', needsModelMessage);
      else if (needsModel) parts.push('', `For options and a recommendation: ${needsModelMessage}`);
      return {
        text: forAudience(parts.join('\n'), req.question, req.audience, deps.model),
        citations: [...(recognised?.citations ?? []), ...patterns.map((p) => ({ node: `pattern:${p.id}`, ref: p.source }))],
        kind: recognised?.kind ?? 'needs-model',
        needsModel,
        usage: zeroUsage(),
        evidence: emptyEvidence(),
      };
    },

    async plan(req: PlanRequest): Promise<PlanResult> {
      const recipe = planRecipes.find((r) => r.matches(req.intention));
      if (!recipe) return planFromDomainModel(req);
      const phases = recipe.phases({ intention: req.intention, targetRepo: deps.targetRepo, allowedCommands: allowed });
      const parsed = Plan.safeParse({
        workItemKey: req.workItemKey,
        intention: req.intention,
        summary: `From pattern "${recipe.pattern}" (offline recipe ${recipe.id}).`,
        phases,
      });
      if (!parsed.success) {
        return {
          needsModel: false,
          message: `recipe ${recipe.id} produced an invalid plan: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
          warnings: [],
          usage: zeroUsage(),
          evidence: emptyEvidence(),
        };
      }
      const plan = withLearnedKnowledge(parsed.data);
      const warnings = checkPlan(plan, deps);
      return {
        plan,
        needsModel: false,
        message: `Plan with ${plan.phases.length} phase(s) from pattern "${recipe.pattern}".`,
        warnings,
        usage: zeroUsage(),
        evidence: emptyEvidence(),
      };
    },

    async execute(req: ExecuteRequest, ctx: StepContext = {}): Promise<ExecuteResult> {
      if (req.fixRound) return fixRound(req, ctx);
      // The plan recipes word their phase titles so the agent that planned them recognises them here.
      const bridge = parseBridgeRequest(req.phase.title);
      if (bridge) return platformBridge(req, ctx, bridge.conditionType);
      const docs = parseDocsRequest(req.phase.title);
      if (docs) return documentCondition(req, ctx, docs.conditionType);
      const condition = parseConditionRequest(req.instruction);
      if (condition) return addCondition(req, ctx, condition);
      return needsModel(req, `No offline recipe for "${req.instruction}".`);
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
        return {
          verdict: 'unknown',
          failingTests,
          summary: req.junitXml
            ? `${req.job}: the JUnit report has no failed test; the job failed outside the tests. ${needsModelMessage}`
            : `${req.job}: no JUnit report to read. ${needsModelMessage}`,
          needsModel: true,
          usage: zeroUsage(),
          evidence: emptyEvidence(),
        };
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
      const steps = commands.map(
        (c) =>
          `- \`${c.command}\`: ${c.exitCode === 0 ? 'passed' : `failed (exit ${c.exitCode})`}${c.durationMs > 0 ? ` in ${Math.round(c.durationMs / 1000)} s` : ''}`,
      );
      const failedFirst = commands.filter((c, i) => c.exitCode !== 0 && commands.slice(i + 1).some((d) => d.command === c.command && d.exitCode === 0));
      const body = [
        `Outcome of ${req.workItemKey}: ${req.outcome}`,
        '',
        'Steps as executed:',
        ...steps,
        ...(failedFirst.length ? ['', `Needed a second attempt: ${failedFirst.map((c) => c.command).join(', ')}.`] : []),
        ...(req.evidence.refusals.length ? ['', `Scope refusals during the work: ${req.evidence.refusals.map((r) => r.kind).join(', ')}.`] : []),
        ...(req.evidence.notes.some((n) => /stale generated code/.test(n))
          ? ['', `CI failed on stale generated code before it passed: run \`${deps.team.codegen.api}\` before pushing API changes.`]
          : []),
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
      const platforms =
        impact.platforms.scope === 'generic'
          ? `generic: every platform (${impact.platforms.affected.length})`
          : impact.platforms.scope === 'platform-specific'
            ? `platform-specific: ${impact.platforms.specific.join(', ')}`
            : 'no platform';
      const precedent = knowledge
        .lookup(`${step.actor.name} ${step.to.name} ${step.loss ?? ''} error propagation condition`, 3)
        .map((p) => `${p.title} (${p.source})`);
      const constraints = [
        inRepository
          ? `owned by ${step.actor.name}, inside this repository`
          : `owned by ${step.actor.name} upstream (${files.join(', ')} is vendored): a change there lands in another project first`,
        ...impact.boundaryRules.map((r) => `boundary rule ${r}`),
        ...impact.invariants.slice(0, 3).map((i) => `re-check invariant ${i.id}`),
      ];
      const cost =
        impact.platforms.affected.length + impact.components.length + impact.boundaryRules.length + (precedent.length ? 0 : 1) + (inRepository ? 0 : 10);
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
  if (all.length === 0)
    return {
      text: `${path.from.name} -> ${path.to.name} loses nothing on the way, so there is nothing to fix on this path.`,
      citations: [{ node: `concept:${path.to.id}`, ref: path.to.ref }],
    };
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
  lines.push(
    '',
    best
      ? `Recommendation: option ${options.indexOf(best) + 1}, fix the ${best.hop} step — ${best.precedent.length ? 'it follows a curated pattern and ' : ''}${options.length > 1 ? 'it has the smallest blast radius of the options' : 'it is the only lossy step that can be fixed here'} (${best.impact}).`
      : 'No option stays inside this repository: every lossy step is owned upstream.',
  );
  const citations = [...new Set(options.flatMap((o) => o.files))].map((ref) => ({ node: 'file', ref }));
  return { text: lines.join('\n'), citations };
}
