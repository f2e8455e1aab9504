// One interface for RH-A's steps; Claude and the offline agent both implement it.
import type {
  AnswerRequest,
  AnswerResult,
  DiagnoseRequest,
  DiagnoseResult,
  ExecuteRequest,
  ExecuteResult,
  PlanRequest,
  PlanResult,
  ProposeKnowledgeRequest,
  ProposeKnowledgeResult,
  ReviewRequest,
  ReviewResult,
  StepContext,
} from './types.js';

export interface Agent {
  readonly kind: 'claude' | 'offline';
  answer(req: AnswerRequest, ctx?: StepContext): Promise<AnswerResult>;
  plan(req: PlanRequest, ctx?: StepContext): Promise<PlanResult>;
  execute(req: ExecuteRequest, ctx?: StepContext): Promise<ExecuteResult>;
  review(req: ReviewRequest, ctx?: StepContext): Promise<ReviewResult>;
  diagnose(req: DiagnoseRequest, ctx?: StepContext): Promise<DiagnoseResult>;
  proposeKnowledge(req: ProposeKnowledgeRequest, ctx?: StepContext): Promise<ProposeKnowledgeResult>;
}

export const needsModelMessage =
  'This needs a model: set ANTHROPIC_API_KEY to let the agent reason about it. Offline, I can answer what the domain model covers (paths, impact, rules, platforms), plan from the pattern library, run pattern recipes and review diffs.';
