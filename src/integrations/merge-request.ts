// "Ready to merge?" after an approving review: the bot never merges a phase PR itself; it asks Prow in
// Prow's own words, a `/hold cancel` comment, so Tide merges once the repository's labels (lgtm, approved)
// are in place. One comment per decision: a retried tap finds its marker and posts nothing. One per hold,
// too: a second "Ready to merge?" (each approving review brings one) finds the earlier ask still standing.
// Prow's hold plugin: https://docs.prow.k8s.io/docs/components/plugins/hold/
import type { CodeHost } from './github.js';

/** `asked-before`: another decision already asked and nobody has put the PR on hold since. */
export type ReadyToMerge = (args: { prUrl: string; actor: string; idempotencyKey: string }) => Promise<'asked' | 'duplicate' | 'asked-before'>;

const askMarker = '<!-- sitroom:ready-to-merge:';
const holds = (body: string) => body.split('\n').some((line) => line.trim() === '/hold');

export function createReadyToMerge(host: Pick<CodeHost, 'comment' | 'listComments'>): ReadyToMerge {
  return async ({ prUrl, actor, idempotencyKey }) => {
    const number = Number(/\/pull\/(\d+)$/.exec(prUrl)?.[1] ?? NaN);
    if (!Number.isInteger(number)) throw new Error(`${prUrl} is not a pull request URL`);
    const marker = `${askMarker}${idempotencyKey.replace(/-->/g, '')} -->`;
    const comments = await host.listComments(number);
    if (comments.some((c) => c.body.includes(marker))) return 'duplicate';
    const lastAsk = comments.findLastIndex((c) => c.body.includes(askMarker));
    if (lastAsk >= 0 && lastAsk > comments.findLastIndex((c) => holds(c.body))) return 'asked-before';
    await host.comment(
      number,
      `/hold cancel\n\n${actor} confirmed after review that this phase is ready to merge; Tide merges it once the required labels are in place.\n${marker}`,
    );
    return 'asked';
  };
}
