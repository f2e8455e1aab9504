// What GitHub's refusals mean to the person, as the failure catalogue's types, and whose Prow hold a PR
// carries. Pure functions over what git and the REST API answered.
import { CataloguedFailure } from '../contracts/failures.js';

/** Prow's hold label: https://prow.k8s.io/command-help#hold ; tide does not merge a PR that carries it. */
export const holdLabel = 'do-not-merge/hold';

export type HoldOutcome = 'released' | 'held-by-person' | 'not-held';

/**
 * A push or fetch git could not do, as a failure the person can act on: a protected branch (GH006), a fork that
 * no longer exists (404), or a branch that moved on both sides (never forced). Anything else is returned as is,
 * for Temporal to retry.
 */
export function explainPushFailure(err: unknown, at: { branch: string; where: string; detail?: string; heads?: { theirs: string; ours: string } }): unknown {
  const text = `${(err as { stderr?: string }).stderr ?? ''}\n${(err as Error).message ?? ''}`;
  if (/GH006|protected branch/i.test(text)) {
    return new CataloguedFailure(
      'ProtectedBranch',
      `GitHub refused the push of ${at.branch} to ${at.where}: the branch is protected there (GH006). Ask a repository admin to exempt sitroom/* branches from the rule, or point GITHUB_FORK at a fork without it.`,
    );
  }
  if (/Repository not found|repository '.*' not found|\b404\b/i.test(text)) {
    return new CataloguedFailure(
      'ForkNotFound',
      `${at.where} does not exist any more (GitHub answers 404), so ${at.branch} cannot be pushed there. Fork the repository again under the same name, or set GITHUB_FORK (or the role file's fork:) to one that exists.`,
    );
  }
  if (/non-fast-forward|\[rejected\]|fetch first|diverged/i.test(text)) {
    const detail = at.detail ?? `${at.branch} on ${at.where} has commits the agent's copy does not`;
    return new CataloguedFailure(
      'NonFastForward',
      `${detail}. Nothing was forced: rebase your commits on the branch (git pull --rebase) and push again, or say which side to keep; then hand the phase back.`,
      // Where and at which commits the two sides stand, for the owner's message (short SHAs, as git prints them).
      at.heads ? [{ branch: at.branch, where: at.where, ...at.heads }] : [],
    );
  }
  return err;
}

/** Logins that are bots (GitHub Apps end in [bot]; Prow's robot accounts in -robot or -bot). */
const isBot = (login: string) => /\[bot\]$|-robot$|-bot$/i.test(login);

/**
 * Whose hold a PR carries: `ours` when only Situation Room's marked `/hold` holds it, `person` when a person
 * said `/hold` (and did not cancel it) or put the label on themselves, `none` when it is not held.
 */
export function holdState(pr: {
  comments: Array<{ body: string; ours: boolean }>;
  labelEvents: Array<{ event: 'labeled' | 'unlabeled'; actor: string }>;
  held: boolean;
}): 'ours' | 'person' | 'none' {
  if (!pr.held) return 'none';
  let ours = false;
  let person = false;
  for (const c of pr.comments) {
    for (const line of c.body.split('\n').map((l) => l.trim())) {
      const on = line === '/hold' ? true : line === '/hold cancel' || line === '/unhold' ? false : undefined;
      if (on === undefined) continue;
      if (c.ours) ours = on;
      else person = on;
    }
  }
  // A label a person set by hand (not through Prow's bot) counts as their hold until it is removed.
  const lastByHand = pr.labelEvents.filter((e) => !isBot(e.actor)).at(-1);
  if (lastByHand?.event === 'labeled') person = true;
  if (person) return 'person';
  return ours ? 'ours' : 'person';
}

/**
 * A REST call GitHub refused for good, as the catalogue's GitHubRefused naming what to do: 403 (the app lacks a
 * permission, or the conversation is locked), 404 (the PR or repository is gone, or outside the installation),
 * 422 (GitHub would not take the request as sent). Rate limits (429, or 403 with Retry-After) arrive already
 * catalogued and pass through; anything else is returned as is, for Temporal to retry.
 * https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api
 */
export function explainApiRefusal(err: unknown, doing: string): unknown {
  if (err instanceof CataloguedFailure) return err;
  const e = err as { status?: number; response?: { data?: { message?: string; errors?: Array<{ message?: string; code?: string; field?: string }> } } };
  const said = [e.response?.data?.message, ...(e.response?.data?.errors ?? []).map((x) => x.message ?? [x.field, x.code].filter(Boolean).join(' '))]
    .filter(Boolean)
    .join(': ')
    .slice(0, 300);
  const why =
    e.status === 403
      ? 'check that the GitHub App (or token) may write issues and pull requests there and that the conversation is not locked'
      : e.status === 404
        ? 'the pull request or repository is gone, or the app is not installed on it'
        : e.status === 422
          ? 'GitHub would not take the request as sent'
          : undefined;
  if (!why) return err;
  return new CataloguedFailure(
    'GitHubRefused',
    `GitHub refused ${doing} (${e.status}${said ? ` ${said}` : ''}): ${why}. Retrying would send the same request.`,
  );
}
