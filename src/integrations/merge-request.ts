// "Ready to merge?" after an approving review: the bot never merges a phase PR itself; it asks Prow in
// Prow's own words, a `/hold cancel` comment, so Tide merges once the repository's labels (lgtm, approved)
// are in place. One comment per decision: a retried tap finds its marker and posts nothing.
// Prow's hold plugin: https://docs.prow.k8s.io/docs/components/plugins/hold/
import type { CodeHost } from './github.js';

export type ReadyToMerge = (args: { prUrl: string; actor: string; idempotencyKey: string }) => Promise<'asked' | 'duplicate'>;

export function createReadyToMerge(host: Pick<CodeHost, 'comment' | 'listComments'>): ReadyToMerge {
  return async ({ prUrl, actor, idempotencyKey }) => {
    const number = Number(/\/pull\/(\d+)$/.exec(prUrl)?.[1] ?? NaN);
    if (!Number.isInteger(number)) throw new Error(`${prUrl} is not a pull request URL`);
    const marker = `<!-- sitroom:ready-to-merge:${idempotencyKey.replace(/-->/g, '')} -->`;
    if ((await host.listComments(number)).some((c) => c.body.includes(marker))) return 'duplicate';
    await host.comment(
      number,
      `/hold cancel\n\n${actor} confirmed after review that this phase is ready to merge; Tide merges it once the required labels are in place.\n${marker}`,
    );
    return 'asked';
  };
}
