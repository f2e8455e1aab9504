// The failure catalogue: every error type the product names, and whether retrying can help. Rooms below the
// activities (the agent, the integrations, the domain model) throw these plain errors; the activity boundary
// (src/activities/failures.ts) turns them into Temporal ApplicationFailures, and the workflows' retry
// policies list the non-retryable types from here. Plain classes, no Temporal: RH-A stays a library.

/**
 * An error caused by the user's input (a config file, a CLI argument, a diff). The CLI prints its message
 * alone, without a stack trace; the message must name the file, line and field it is about.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly details: { file?: string; line?: number; field?: string } = {},
  ) {
    super(message);
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}

/** A decision the orchestrator will not apply (unknown phase, wrong person, bad answer); the surface shows why. */
export class RefusedDecision extends Error {}

/** Every failure type and whether a retry can fix it. */
export const failureCatalogue = {
  /** Bad input: a config file, a CLI argument, a developer id. */
  UserError: { retryable: false },
  /** The step was cancelled (by Temporal or the owner). */
  Cancelled: { retryable: false },
  /** The agent cannot do the phase without a domain model answer it lacks. */
  NeedsModel: { retryable: false },
  /** The agent finished the phase without a change that passes its checks. */
  PhaseFailed: { retryable: false },
  /** The agent tried to leave its scope (a file or command it may not touch). */
  ScopeViolation: { retryable: false },
  /** The work item's token spend reached the warning threshold; the owner must approve more. */
  BudgetApprovalRequired: { retryable: false },
  UnknownPhase: { retryable: false },
  NotAPullRequest: { retryable: false },
  NoPullRequest: { retryable: false },
  AnthropicConnectionError: { retryable: true },
  AnthropicRateLimited: { retryable: true },
  AnthropicServerError: { retryable: true },
  AnthropicAuthError: { retryable: false },
  AnthropicSpendLimit: { retryable: false },
  AnthropicRequestError: { retryable: false },
  /** Anything else the agent threw that is not an API error. */
  AgentError: { retryable: false },
  /** GitHub's rate limit (429, or a 403 with Retry-After): retried after the delay GitHub asked for. */
  GitHubRateLimited: { retryable: true },
  /** A push GitHub refused because the branch is protected: a person must change the rule or the branch. */
  ProtectedBranch: { retryable: false },
  /** The fork phases push to is gone (404): a person must fork again or configure another one. */
  ForkNotFound: { retryable: false },
  /** The phase branch on the remote has commits ours lacks and ours has commits it lacks: never forced, a person decides. */
  NonFastForward: { retryable: false },
  /** GitHub refused a REST call for good (403 without a rate limit, 404, 422): retrying sends the same request again. */
  GitHubRefused: { retryable: false },
  /** Jira refused the credentials (401) or the project (403): a person must fix JIRA_TOKEN / JIRA_EMAIL or the bot's permissions. */
  JiraAuthError: { retryable: false },
  /** The ticket does not exist or the bot may not see it (Jira answers 404 for both). */
  JiraNotFound: { retryable: false },
  /** Jira's rate limit (429): retried after the delay its Retry-After asked for. */
  JiraRateLimited: { retryable: true },
  /** Jira unreachable or failing (5xx): retried by the activity's policy. */
  JiraUnavailable: { retryable: true },
  /** Any other 4xx: the request itself is wrong, and repeating it cannot help. */
  JiraRequestError: { retryable: false },
} as const satisfies Record<string, { retryable: boolean }>;

export type FailureType = keyof typeof failureCatalogue;

/** A catalogued failure thrown below the activity boundary; `details` travel with it to the workflow. */
export class CataloguedFailure extends Error {
  override readonly name = 'CataloguedFailure';
  readonly nonRetryable: boolean;
  constructor(
    readonly type: FailureType,
    message: string,
    readonly details: unknown[] = [],
    readonly options: { retryAfterMs?: number } = {},
  ) {
    super(message);
    this.nonRetryable = !failureCatalogue[type].retryable;
  }
}

export function isCataloguedFailure(err: unknown): err is CataloguedFailure {
  return err instanceof CataloguedFailure;
}

/** Retry policies: what the work item workflow's activities must never retry. */
export const workItemNonRetryable: FailureType[] = ['UserError'];
/** Retry policies: what the phase workflow's agent and CI activities must never retry. */
export const phaseNonRetryable: FailureType[] = ['ScopeViolation', 'BudgetApprovalRequired', 'UserError', 'NeedsModel', 'PhaseFailed'];
