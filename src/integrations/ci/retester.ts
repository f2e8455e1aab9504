// OpenShift's Retester (openshift/ci-tools, pkg/retester) retests PRs that Tide would merge but for a failed
// required job: it comments `/retest-required` followed by a line saying how many retests remain against the
// base HEAD and for the PR HEAD, at most once per base+HEAD pair, and comments `/hold` with the revision and
// its count once a HEAD has used up its retests. Its comments are the only record of that, so they are read
// here, by author and by those lines: anyone can type `/retest-required`, only Retester names the SHAs.
import type { RetesterActivity } from '../../contracts/ci.js';

/** The accounts Retester comments as: the OpenShift CI robot, or the OpenShift CI GitHub App's bot user. */
export const retesterLogins: ReadonlySet<string> = new Set(['openshift-ci-robot', 'openshift-ci[bot]']);

export interface IssueComment {
  body?: string | null;
  user?: { login: string } | null;
}

const retestLine = /^Remaining retests: \d+ against base HEAD ([0-9a-f]{7,40}) and \d+ for PR HEAD ([0-9a-f]{7,40}) in total$/m;
const holdLine = /^Revision ([0-9a-f]{7,40}) was retested (\d+) times: holding$/m;

/** Retester prints full SHAs; a caller may know a short one. */
const sameSha = (a: string, b: string) => a.length > 0 && b.length > 0 && (a.startsWith(b) || b.startsWith(a));

export type RetesterComment = { kind: 'retest'; base: string; head: string } | { kind: 'hold'; head: string; retests: number };

/** One comment as Retester meant it, or undefined when it is not one of Retester's. */
export function parseRetesterComment(c: IssueComment): RetesterComment | undefined {
  if (!c.user || !retesterLogins.has(c.user.login) || !c.body) return undefined;
  const body = c.body.replace(/\r\n/g, '\n').trim();
  const command = body.split('\n', 1)[0]!.trim();
  if (command === '/retest-required') {
    const m = retestLine.exec(body);
    return m ? { kind: 'retest', base: m[1]!, head: m[2]! } : undefined;
  }
  if (command === '/hold') {
    const m = holdLine.exec(body);
    return m ? { kind: 'hold', head: m[1]!, retests: Number(m[2]) } : undefined;
  }
  return undefined;
}

/** Retester's retests of `head` among a PR's comments, and whether one was against `base`. */
export function retesterActivity(comments: readonly IssueComment[], head: string, base: string | undefined): RetesterActivity {
  const mine = comments.map(parseRetesterComment).filter((c): c is RetesterComment => c !== undefined && sameSha(c.head, head));
  const retests = mine.filter((c): c is Extract<RetesterComment, { kind: 'retest' }> => c.kind === 'retest');
  const holds = mine.filter((c): c is Extract<RetesterComment, { kind: 'hold' }> => c.kind === 'hold');
  const heldAfter = holds.length > 0 ? Math.max(...holds.map((h) => h.retests)) : undefined;
  return {
    retestsOnHead: Math.max(retests.length, heldAfter ?? 0),
    retestedBaseHead: base !== undefined && retests.some((c) => sameSha(c.base, base)),
    ...(heldAfter !== undefined ? { heldAfter } : {}),
  };
}
