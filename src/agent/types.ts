// The shapes every agent step shares, whether Claude or the offline agent runs it. Plain data: step
// results travel through Temporal activities and into the evidence of a PR.
import type { Plan, PlannedPhase } from '../plan/schema.js';
import type { CommandRun, Refusal, Scope } from './scope.js';
import type { ModelCitation, ModelFinding } from './model-port.js';

export interface StepUsage {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  turns: number;
  model: string;
}

export const zeroUsage = (model = 'offline'): StepUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationInputTokens: 0,
  cacheReadInputTokens: 0,
  turns: 0,
  model,
});

export function addUsage(a: StepUsage, b: Omit<StepUsage, 'model' | 'turns'> & { turns?: number }): StepUsage {
  return {
    model: a.model,
    turns: a.turns + (b.turns ?? 0),
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheCreationInputTokens: a.cacheCreationInputTokens + b.cacheCreationInputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
  };
}

export interface ToolCallRecord {
  tool: string;
  ok: boolean;
  summary: string;
}

/** What a step did, for the PR description, the audit log and the confidence model. */
export interface Evidence {
  refusals: Refusal[];
  commands: Array<Pick<CommandRun, 'command' | 'exitCode' | 'durationMs' | 'timedOut'> & { tail: string }>;
  filesWritten: string[];
  toolCalls: ToolCallRecord[];
  notes: string[];
}

export function emptyEvidence(): Evidence {
  return { refusals: [], commands: [], filesWritten: [], toolCalls: [], notes: [] };
}

export function evidenceFromScope(scope: Scope | undefined, base: Evidence = emptyEvidence()): Evidence {
  if (!scope) return base;
  return {
    ...base,
    refusals: [...scope.refusals],
    commands: scope.commands.map((c) => ({
      command: c.command,
      exitCode: c.exitCode,
      durationMs: c.durationMs,
      timedOut: c.timedOut,
      tail: c.output.slice(-1500),
    })),
    filesWritten: scope.writtenFiles,
  };
}

export interface StepContext {
  /** Called between turns and long operations so Temporal knows the activity is alive. */
  heartbeat?: (detail?: unknown) => void;
  signal?: AbortSignal;
  workItemKey?: string;
  stepId?: string;
}

/** Set when the offline agent cannot do the step without a model. */
export interface NeedsModel {
  needsModel: true;
  message: string;
}

/** Who is asking, from their tier-3 memory: how much context an explanation carries. */
export interface Audience {
  familiarPlatforms: string[];
  learningPlatforms: string[];
  explanationLevel: 'beginner' | 'intermediate' | 'expert';
}

export interface AnswerRequest {
  question: string;
  /** Who asks; without it the answer is the same for everyone. */
  audience?: Audience;
  /** What the asker is working on (e.g. the phase of a pair session), so knowledge for those files ranks first. */
  workingOn?: { workItemKey: string; phaseId?: string; files: string[] };
}
export interface AnswerResult {
  text: string;
  citations: ModelCitation[];
  /** offline: the kind of answer the domain model gave (path, impact, lifecycle, platform, explain, new-platform-checklist, fix-options, needs-model) */
  kind?: string;
  needsModel: boolean;
  usage: StepUsage;
  evidence: Evidence;
}

export interface PlanRequest {
  workItemKey: string;
  intention: string;
}
export interface PlanResult {
  plan?: Plan;
  needsModel: boolean;
  message: string;
  /** Problems found when checking the plan against the domain model and the tree. */
  warnings: string[];
  usage: StepUsage;
  evidence: Evidence;
}

export interface ExecuteRequest {
  workItemKey: string;
  phase: PlannedPhase;
  /** Free-text instruction for this phase, e.g. "add a NodePool condition type CapacityError". */
  instruction: string;
  /** Branch the commit lands on; RH-O created the worktree on it. */
  branch: string;
  /** Absolute path of the phase's git worktree. */
  worktree: string;
  /** Writable globs; defaults to the phase's files. */
  writable?: string[];
  tokenBudget?: number;
  /** A re-push after a real CI failure: the branch already carries the change, so only the fix is added. */
  fixRound?: boolean;
}
export interface ExecuteResult {
  status: 'committed' | 'failed' | 'needs-model';
  message: string;
  branch: string;
  commit?: string;
  /** Commands whose exit code decides the outcome (verification and tests). */
  checks: Array<{ command: string; passed: boolean }>;
  usage: StepUsage;
  evidence: Evidence;
}

export interface ReviewFinding {
  rule: string;
  severity: 'blocker' | 'warning';
  file: string;
  line?: number;
  message: string;
  /** The pattern to follow instead. */
  insteadDo?: string;
}
export interface ReviewRequest {
  diff: string;
}
export interface ReviewResult {
  findings: ReviewFinding[];
  summary: string;
  usage: StepUsage;
  evidence: Evidence;
}

export interface DiagnoseRequest {
  job: string;
  /** JUnit XML of the run, when the CI produced one. */
  junitXml?: string;
  /** Build log tail (untrusted data: never instructions). */
  log?: string;
  knownFlakes?: Array<{ test: string; pattern: string }>;
}
export interface DiagnoseResult {
  verdict: 'flake' | 'failure' | 'unknown';
  failingTests: Array<{ name: string; message: string; knownFlake: boolean }>;
  summary: string;
  needsModel: boolean;
  usage: StepUsage;
  evidence: Evidence;
}

export interface ProposeKnowledgeRequest {
  workItemKey: string;
  /** What happened, e.g. the evidence of an executed phase. */
  evidence: Evidence;
  outcome: string;
}
export interface KnowledgeProposal {
  tier: 'experience';
  title: string;
  body: string;
  references: string[];
}
export interface ProposeKnowledgeResult {
  proposals: KnowledgeProposal[];
  needsModel: boolean;
  usage: StepUsage;
  evidence: Evidence;
}

export type { ModelCitation, ModelFinding };
