// The external capabilities RH-O's activities need, as small interfaces. The composition root
// (src/main/compose.ts) binds them to the agent, the integrations, the knowledge store and the domain model;
// tests bind them to the same real parts over loopback fakes.
import type { CiFailureSummary, CiRunReport, CiTestResult, CiWatchState, RetesterActivity } from './ci.js';
import type { NotificationPayload } from './notifications.js';
import type { Plan, PlannedPhase } from './plan.js';

export interface ExecutePhaseArgs {
  workItemKey: string;
  ownerId: string;
  phase: PlannedPhase;
  attempt: number;
  /** Re-push round within the attempt (after a CI fix). */
  round: number;
  feedback: string[];
  /** The owner approved spending past the work item's token warning threshold. */
  budgetApproved?: boolean;
  /** A paired phase handed back: the branch carries the developer's commits and the agent builds on them. */
  continueFromCommits?: boolean;
}

/** The commits on a phase branch that its base does not have (a developer's work while pairing). */
export interface PhaseBranchWork {
  branch: string;
  commits: Array<{ sha: string; author: string; subject: string; files: string[] }>;
}

export interface ExecutePhaseResult {
  branch: string;
  prUrl: string;
  /** Human-readable evidence lines: commands run and their outcome, checks passed, refusals. */
  evidence: string[];
  done: string[];
  requiredJobs: string[];
  /** True when CI results must be polled (local mode); false when a webhook pushes them. */
  pollCi: boolean;
  /** team.yaml ci.flake_handling.max_retries when the phase ran, so the CI watch retries as the team says. */
  ciMaxRetries?: number;
}

export interface ProgressNotes {
  done: string[];
  evidence: string[];
  next: string[];
}

/** RH-A as the orchestrator sees it. */
export interface AgentPort {
  draftPlan(args: { workItemKey: string; ownerId: string; intention: string; feedback?: string[] }): Promise<Plan>;
  /** Creates (or reuses) the phase's worktree and branch so a person can commit to it before the agent runs. */
  /** home: the repository the branch was pushed to (`owner/repo`) and its git URL, on a code host with forks. */
  preparePhaseBranch(args: {
    workItemKey: string;
    phase: PlannedPhase;
    attempt: number;
  }): Promise<{ branch: string; worktree: string; home?: { slug: string; gitUrl: string } }>;
  /** What is on the phase branch beyond its base: read when a developer hands a paired phase back. */
  phaseBranchWork(args: { workItemKey: string; phase: PlannedPhase; attempt: number }): Promise<PhaseBranchWork>;
  executePhase(args: ExecutePhaseArgs, heartbeat: (details: ProgressNotes) => void, signal: AbortSignal): Promise<ExecutePhaseResult>;
  diagnoseCi(args: { workItemKey: string; phaseId: string; prUrl: string; failures: CiFailureSummary[] }): Promise<{ summary: string }>;
  reviewPairMessage(args: {
    sessionId: string;
    developerId: string;
    workItemKey: string;
    phaseId: string;
    text: string;
  }): Promise<{ text: string; note: string }>;
  /** RH-A's own lessons from a resolved work item's phases (its knowledge proposal step), as lines for the draft. */
  proposeKnowledge?(args: { workItemKey: string; ownerId: string }): Promise<string[]>;
}

export interface CiPort {
  poll(prUrl: string, seenRunIds: string[]): Promise<CiRunReport[]>;
  /**
   * What Retester did on the PR's HEAD `head` (GitHub mode, from the PR's comments); absent where no
   * Retester runs (local mode), which reads as "nothing".
   */
  retesterActivity?(prUrl: string, head: string): Promise<RetesterActivity>;
  /** Posts the repository's retrigger comment ("/test <job>") once per idempotency key. */
  retrigger(prUrl: string, job: string, idempotencyKey: string): Promise<void>;
  /** Merges the phase's PR; a conflict with the default branch is reported, not thrown, so RH-O can re-run the phase. */
  merge(args: {
    workItemKey: string;
    phaseId: string;
    prUrl: string | null;
    branch: string | null;
  }): Promise<{ merged: boolean; base: string; conflict?: string[] }>;
}

export interface CiKnowledgePort {
  /** Classifies failures with the experience log (flake statistics and signatures). */
  classify(args: {
    prUrl: string;
    report: CiRunReport;
    failures: CiTestResult[];
    requiredJobs?: string[];
    retestsOnHead?: number;
    /** Retester's retests of this HEAD, read from the PR's comments. */
    retester?: RetesterActivity;
  }): Promise<CiFailureSummary[]>;
  /** Adds a CI run to the tier-2 experience log. */
  recordRun(args: { workItemKey: string; phaseId: string; prUrl: string; report: CiRunReport }): Promise<void>;
}

export interface ReviewInsightPort {
  /** Reviewers (developer ids and OWNERS handles) and confidence levels for a phase's PR. */
  prReady(args: {
    workItemKey: string;
    phaseId: string;
    prUrl: string;
    files: string[];
    evidence: string[];
    ci: CiWatchState;
  }): Promise<Extract<NotificationPayload, { kind: 'pr-ready' }>>;
  /** Components and approvers the domain model assigns to these files. */
  impact(files: string[]): { components: string[]; approverHandles: string[] };
}

export interface MemoryPort {
  savePairSummary(args: { developerId: string; workItemKey: string; phaseId: string; summary: string; messages: number }): Promise<void>;
  proposeKnowledge(args: {
    workItemKey: string;
    ownerId: string;
    agentNotes?: string[];
  }): Promise<Extract<NotificationPayload, { kind: 'knowledge-proposal' }> | undefined>;
  briefing(args: { developerId: string; at: string }): Promise<Extract<NotificationPayload, { kind: 'briefing' }>>;
}

/** A step that a real run showed was forgotten (e.g. CI failed on stale generated code: `make api` was not run). */
export interface ForgottenStep {
  step: string;
  workItemKey: string;
  phaseId: string;
  /** Which run showed it (attempt and round), so a retried activity counts it once. */
  runId: string;
  detail: string;
  files: string[];
}

/** Tier-2 experience written by runs, and the upkeep that turns it into proposals for the curators. */
export interface ExperiencePort {
  recordForgottenStep(step: ForgottenStep): Promise<{ key: string; occurrences: number; promotionProposed: boolean }>;
  /** Checks approved entries against the target repository; proposes retiring those that lost references. */
  scanStaleness(): Promise<{ checked: number; stale: string[]; proposed: Array<{ patternId: string; proposalId: number; missing: string[] }> }>;
}
