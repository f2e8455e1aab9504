// What the surfaces (Slack, dashboard, CLI) may ask of RH-O. Implemented over Temporal in
// src/orchestrator/temporal.ts; the surfaces depend on this interface only.
import type { ExecutionMode } from '../contracts/vocabulary.js';
import type { CiRunReport } from '../contracts/ci.js';
import type { GitHubEvent, GitHubEventHandling } from '../contracts/github-events.js';
import type { DecisionKind, DecisionRequest, DecisionResult } from '../contracts/decisions.js';
import type { StarterTaskOffer } from '../contracts/onboarding.js';
import type { Plan } from '../plan/schema.js';
import type { CiHealthView } from '../knowledge/flake-decisions.js';

// The decision vocabulary is a contract (the knowledge room answers proposals with it too); the port
// re-exports it so the surfaces keep one import.
export { decisionKinds, type DecisionKind, type DecisionRequest, type DecisionResult } from '../contracts/decisions.js';

export interface PhaseView {
  id: string;
  title: string;
  mode: ExecutionMode;
  status: string;
  prUrl?: string;
  dependsOn: string[];
  mergeOrder: number;
}

export interface WorkItemView {
  key: string;
  title: string;
  ownerId: string;
  status: string;
  /** Set while paused: what it was doing before. */
  statusBeforePause?: string;
  planVersion: number;
  /** Why the last plan draft failed, while it matters (draft-failed, or a failed re-draft). */
  draftFailure?: { reason: string; attempts: number };
  phases: PhaseView[];
  pendingDecisions: Array<{ kind: DecisionKind; phaseId?: string; title: string; since: string }>;
}

export interface Situation {
  developerId: string;
  workItems: WorkItemView[];
  pendingDecisions: Array<{ workItemKey: string; kind: DecisionKind; phaseId?: string; title: string; since: string }>;
  recentCi: Array<{ workItemKey: string; phaseId: string; job: string; result: string; classification?: string }>;
  recentKnowledge: Array<{ tier: 1 | 2 | 3; title: string }>;
}

/** A work item with its current plan, for surfaces that edit it (the plan edit modal). */
export interface WorkItemDetail extends WorkItemView {
  plan?: Plan;
}

/**
 * What RH-A did in the phases before this one and what is left: opens a pair thread, so a developer who
 * pairs on phase 3 knows what happened in phases 1 and 2 without reading their PRs first.
 */
export interface PhaseAccount {
  workItemKey: string;
  phaseId: string;
  title: string;
  earlier: Array<{
    phaseId: string;
    title: string;
    mode: ExecutionMode;
    status: string;
    prUrl?: string;
    files: string[];
    done: string[];
    evidence: string[];
    decisions: string[];
  }>;
  /** The phase itself (its planned files, constraints and checks), then the phases after it that are not merged. */
  left: Array<{ phaseId: string; title: string; mode: ExecutionMode; status: string; files: string[]; constraints: string[]; validation: string[] }>;
}

export type { StarterTaskOffer } from '../contracts/onboarding.js';

/** Where CI results pushed for a PR went: the CI watch of the phase that opened it, or why nowhere. */
export type CiResultsDelivery = { outcome: 'accepted'; watchId: string } | { outcome: 'unknown-pr' } | { outcome: 'not-watching' };

export interface AskOptions {
  /** From the Slack event: a second delivery of the same question waits for the same answer. */
  idempotencyKey: string;
  /** What RH-A is doing now, in a few words a status line can show; called zero or more times. */
  onProgress?: (status: string) => void;
}

export interface Orchestrator {
  decide(request: DecisionRequest): Promise<DecisionResult>;
  situation(developerId: string): Promise<Situation>;
  /**
   * Answers an architecture question (agent `answer` step) on the worker — markdown-ish text with citations.
   * The idempotency key comes from the Slack event: a retried event waits for the same answer. While RH-A
   * works, `onProgress` hears what it is doing ("is reading capi.go…") for the asker's status line.
   */
  ask(developerId: string, question: string, options: AskOptions): Promise<{ text: string; citations: string[] }>;
  /** Starts (or returns) the work item workflow and asks RH-A for a plan. */
  requestPlan(developerId: string, workItemKey: string, intention: string, options?: { title?: string }): Promise<{ workItemKey: string; planVersion: number }>;
  /** Opens a pair session bound to a Slack thread; idempotent per thread. */
  startPair(args: { developerId: string; workItemKey: string; phaseId: string; channel: string; threadTs: string }): Promise<{ sessionId: string }>;
  /** A message typed in a pair thread; the agent's answer arrives as a pair-reply notification. */
  pairMessage(args: { channel: string; threadTs: string; developerId: string; text: string; messageTs: string }): Promise<{ accepted: boolean }>;
  /** One work item with its plan, or undefined when there is no such work item. Optional: without it a surface cannot edit plans. */
  workItem?(workItemKey: string): Promise<WorkItemDetail | undefined>;
  /** What was done before a phase and what is left (for the pair thread's opening). Optional: without it the thread opens without it. */
  phaseAccount?(workItemKey: string, phaseId: string): Promise<PhaseAccount>;
  /** Sends the morning briefing now (same path as the schedule). */
  briefingNow(developerId: string): Promise<void>;
  /**
   * Records that the developer finished the orientation (so it leaves their briefing) and picks their starter
   * task. Optional: a surface without it says the feature is unavailable.
   */
  completeOrientation?(developerId: string): Promise<StarterTaskOffer>;
  /**
   * Saves what the developer asked to remember ("remember: …") as their hypothesis in personal memory; the
   * next briefing shows it. Optional: a surface without it says the feature is unavailable.
   */
  remember?(developerId: string, hypothesis: string): Promise<{ hypothesis: string }>;
  /**
   * CI results the CI system pushed for a PR (the CI webhook), handed to the CI watch of the phase with that
   * PR. Optional: a surface without it answers that CI results are not accepted here.
   */
  deliverCiResults?(prUrl: string, report: CiRunReport): Promise<CiResultsDelivery>;
  /**
   * A verified GitHub webhook delivery (src/http/github-webhook.ts): CI changes reach the CI watch of the PR
   * with that commit; reviews, edits, merges and comments on a phase PR (or a revert of one) run on the worker.
   * Optional: a surface without it answers that GitHub events are not accepted here.
   */
  githubEvent?(event: GitHubEvent): Promise<GitHubEventHandling>;
  /**
   * Each test's CI state from the decision the CI watch took on it, worst first: the view the dashboard shows,
   * for App Home. Optional: a surface without it leaves the section out.
   */
  ciHealth?(): Promise<CiHealthView>;
}
