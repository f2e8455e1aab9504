// A loopback Jira REST API over an in-memory issue set, speaking v3 (ADF descriptions and comments, the
// enhanced JQL search `/search/jql` with nextPageToken) and v2 (wiki text, `/search` with startAt) as Jira
// Cloud and Data Center do: issue GET with `parent`, `issuetype` and `issuelinks`; comments with entity
// properties; the bulk comment list; Jira's error JSON `{"errorMessages":[...],"errors":{}}` for 401 and 404;
// 429 with Retry-After when a test asks for it.
import { startLoopback, type LoopbackServer } from './http.js';

export interface FakeJiraLink {
  type: string;
  inward: string;
  outward: string;
  key: string;
  direction: 'inward' | 'outward';
  summary: string;
  status: string;
  /** The linked issue's type; "Story" unless given. */
  issueType?: string;
}

export interface FakeJiraIssue {
  key: string;
  summary: string;
  description: string;
  status: string;
  /** "Story" unless given. */
  type?: string;
  /** ISO 8601; the server's start time unless given. */
  created?: string;
  /** The parent issue's key (an epic's feature, a story's epic). */
  parent?: string;
  links?: FakeJiraLink[];
}

export interface FakeJiraComment {
  id: string;
  key: string;
  body: unknown;
  properties: Array<{ key: string; value: unknown }>;
  created: string;
}

export interface FakeJira extends LoopbackServer {
  /** The live issue set: tests change a status or add an issue here, as a person would in Jira. */
  issues: FakeJiraIssue[];
  comments: FakeJiraComment[];
  /** Every request, as `METHOD /path` (query included). */
  requests: string[];
  /** The next `count` requests answer 429 with `Retry-After: <seconds>`. */
  rateLimitNext(count: number, seconds: number): void;
  /** The next comment POST is stored but answered 500, as when Jira's reply is lost after it committed. */
  loseNextCommentReply(): void;
}

const notFound = { status: 404, body: { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} } };

function adf(text: string) {
  return { type: 'doc', version: 1, content: text.split('\n').map((p) => ({ type: 'paragraph', content: [{ type: 'text', text: p }] })) };
}

export async function startFakeJira(initial: FakeJiraIssue[], token: string): Promise<FakeJira> {
  const issues = [...initial];
  const comments: FakeJiraComment[] = [];
  const requests: string[] = [];
  const started = new Date().toISOString().replace('Z', '+0000');
  let limited = { count: 0, seconds: 0 };
  let loseReply = false;
  const find = (key: string) => issues.find((i) => i.key === key);

  const rendered = (issue: FakeJiraIssue, v: string) => {
    const parent = issue.parent ? find(issue.parent) : undefined;
    return {
      id: String(10000 + issues.indexOf(issue)),
      key: issue.key,
      fields: {
        summary: issue.summary,
        description: v === '3' ? adf(issue.description) : issue.description,
        status: { name: issue.status },
        issuetype: { name: issue.type ?? 'Story' },
        created: issue.created ?? started,
        ...(issue.parent ? { parent: { key: issue.parent, fields: { summary: parent?.summary ?? '', issuetype: { name: parent?.type ?? 'Epic' } } } } : {}),
        issuelinks: (issue.links ?? []).map((l, i) => ({
          id: String(i + 1),
          type: { name: l.type, inward: l.inward, outward: l.outward },
          [l.direction === 'outward' ? 'outwardIssue' : 'inwardIssue']: {
            key: l.key,
            fields: { summary: l.summary, status: { name: l.status }, issuetype: { name: l.issueType ?? 'Story' } },
          },
        })),
      },
    };
  };

  const server = await startLoopback((req) => {
    requests.push(`${req.method} ${req.path}${req.query.size ? `?${req.query.toString()}` : ''}`);
    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${token}` && !(auth.startsWith('Basic ') && Buffer.from(auth.slice(6), 'base64').toString().endsWith(`:${token}`))) {
      return { status: 401, body: { errorMessages: ['You are not authenticated. Authentication required to perform this operation.'], errors: {} } };
    }
    if (limited.count > 0) {
      limited.count -= 1;
      return { status: 429, headers: { 'retry-after': String(limited.seconds) }, body: { errorMessages: ['Rate limit exceeded.'], errors: {} } };
    }
    const api = /^\/rest\/api\/(2|3)(\/.*)$/.exec(req.path);
    if (!api) return notFound;
    const [, v, rest] = api as unknown as [string, string, string];
    const body = (req.body ?? {}) as Record<string, unknown>;

    if (req.method === 'POST' && rest === (v === '3' ? '/search/jql' : '/search')) {
      const jql = String(body.jql ?? '');
      const parentOf = /^parent\s*=\s*"?([A-Z][A-Z0-9]+-\d+)"?/i.exec(jql);
      if (!parentOf) return { status: 400, body: { errorMessages: [`The loopback Jira understands only "parent = KEY", not: ${jql}`], errors: {} } };
      const all = issues.filter((i) => i.parent === parentOf[1]!.toUpperCase());
      const max = Number(body.maxResults ?? 50);
      const from = v === '3' ? Number(body.nextPageToken ?? 0) : Number(body.startAt ?? 0);
      const page = all.slice(from, from + max).map((i) => rendered(i, v));
      return v === '3'
        ? { body: { issues: page, isLast: from + max >= all.length, ...(from + max < all.length ? { nextPageToken: String(from + max) } : {}) } }
        : { body: { startAt: from, maxResults: max, total: all.length, issues: page } };
    }
    if (req.method === 'POST' && rest === '/comment/list') {
      const ids = new Set(((body.ids as number[]) ?? []).map(String));
      const withProperties = (req.query.get('expand') ?? '').split(',').includes('properties');
      const values = comments.filter((c) => ids.has(c.id)).map((c) => ({ id: c.id, body: c.body, ...(withProperties ? { properties: c.properties } : {}) }));
      return { body: { startAt: 0, maxResults: values.length, total: values.length, isLast: true, values } };
    }
    const m = /^\/issue\/([^/]+)(\/comment)?$/.exec(rest);
    const issue = m ? find(decodeURIComponent(m[1]!)) : undefined;
    if (!m || !issue) return notFound;
    if (m[2] && req.method === 'POST') {
      if (v === '3' && (typeof body.body !== 'object' || (body.body as { type?: string }).type !== 'doc')) {
        return { status: 400, body: { errorMessages: [], errors: { comment: 'Comment body is not valid Atlassian Document Format.' } } };
      }
      const comment = {
        id: String(20000 + comments.length),
        key: issue.key,
        body: body.body,
        properties: (body.properties as FakeJiraComment['properties']) ?? [],
        created: new Date().toISOString(),
      };
      comments.push(comment);
      if (loseReply) {
        loseReply = false;
        return { status: 500, body: { errorMessages: ['Internal server error'], errors: {} } };
      }
      return { status: 201, body: { id: comment.id, body: comment.body, created: comment.created } };
    }
    if (m[2]) {
      const newestFirst = req.query.get('orderBy') === '-created';
      const on = comments.filter((c) => c.key === issue.key);
      const ordered = newestFirst ? [...on].reverse() : on;
      return {
        body: { startAt: 0, maxResults: 100, total: on.length, comments: ordered.slice(0, 100).map((c) => ({ id: c.id, body: c.body, created: c.created })) },
      };
    }
    return { body: rendered(issue, v) };
  });
  return {
    ...server,
    issues,
    comments,
    requests,
    rateLimitNext(count, seconds) {
      limited = { count, seconds };
    },
    loseNextCommentReply() {
      loseReply = true;
    },
  };
}
