// What the GitHub webhook receiver hands to RH-O once a delivery is verified: the few fields of GitHub's
// payloads that matter here, by event. Plain data, so it travels through Temporal unchanged.
// Payload reference: https://docs.github.com/en/webhooks/webhook-events-and-payloads

/** A commit status or a check run changed: CI results for the PRs with that head commit are read again. */
export interface CiChanged {
  kind: 'ci';
  deliveryId: string;
  sha: string;
  /** The status context or check run name (Prow's is `ci/prow/<job>`). */
  context: string;
  state: 'pending' | 'success' | 'failure' | 'error';
  /** PR numbers GitHub names in the payload (check runs do; statuses do not). */
  pullNumbers: number[];
}

export interface PullRequestEvent {
  kind: 'pull-request';
  deliveryId: string;
  action: string;
  number: number;
  url: string;
  title: string;
  body: string;
  author: string;
  merged: boolean;
  /** On `edited`: the description changed (GitHub sends `changes.body.from`). */
  bodyChanged: boolean;
}

export interface ReviewEvent {
  kind: 'review';
  deliveryId: string;
  action: string;
  number: number;
  url: string;
  reviewer: string;
  /** approved | changes_requested | commented | dismissed, lower case as in the payload. */
  state: string;
  /** The commit the review is about. */
  commitId: string;
}

export interface CommentEvent {
  kind: 'comment';
  deliveryId: string;
  action: string;
  number: number;
  url: string;
  author: string;
  body: string;
}

export type GitHubEvent = CiChanged | PullRequestEvent | ReviewEvent | CommentEvent;

/** What RH-O did with a delivery, answered to GitHub (shown under "Recent Deliveries"). */
export type GitHubEventHandling = { outcome: 'accepted'; workflowId?: string; delivered?: number } | { outcome: 'ignored'; reason: string };
