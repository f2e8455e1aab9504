// Jira behind a small interface, over its REST API v3 (Jira Cloud: descriptions and comments are Atlassian
// Document Format) with v2 kept for Jira Data Center, which has no v3. No official Jira client is among our
// dependencies, so this is plain fetch.
// Issues: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/
// Comments: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-comments/
// Search: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/ (`/search/jql`)
// ADF: https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/
import { CataloguedFailure, type FailureType } from '../contracts/failures.js';

export interface JiraLink {
  /** The link's phrase from this issue's side ("blocks", "is caused by"). */
  type: string;
  direction: 'inward' | 'outward';
  key: string;
  summary: string;
  status: string;
  /** The linked issue's type ("Bug", "Story"), when Jira sent it. */
  issueType: string;
}

export interface JiraIssue {
  key: string;
  summary: string;
  description: string;
  status: string;
  /** Issue type name as the project spells it ("Epic", "Story", "Bug", "Feature"). */
  issueType: string;
  /** When the issue was created (ISO 8601), when Jira sent it. */
  created?: string;
  /** The parent in Jira's hierarchy (`fields.parent`: an epic's feature, a story's epic). */
  parent?: { key: string; issueType: string };
  links: JiraLink[];
}

/** A run of comment text: plain, or a link. Rendered as ADF (v3) or wiki markup (v2). */
export type CommentRun = string | { text: string; href: string };
/** A comment as paragraphs of runs. */
export type CommentBody = CommentRun[][];

export interface IssueTracker {
  getIssue(key: string): Promise<JiraIssue>;
  /** The issues whose parent is `key` (an epic's stories), over JQL `parent = KEY`. */
  childIssues(key: string): Promise<JiraIssue[]>;
  /**
   * Posts a comment once per `businessKey`: the key is stored as a property of the comment it created, and a
   * retried call that finds it on one of the issue's recent comments posts nothing. Returns the comment id.
   */
  addComment(key: string, body: CommentBody, businessKey: string): Promise<{ id: string; posted: boolean }>;
}

/** A Jira HTTP error, catalogued: 401/403/404 stop retries, 429 waits for Retry-After, 5xx is retried. */
export class JiraError extends CataloguedFailure {
  constructor(
    message: string,
    readonly status: number,
    retryAfterMs?: number,
  ) {
    super(failureTypeOf(status), message, [{ status }], retryAfterMs !== undefined ? { retryAfterMs } : {});
  }
}

function failureTypeOf(status: number): FailureType {
  if (status === 401 || status === 403) return 'JiraAuthError';
  if (status === 404) return 'JiraNotFound';
  if (status === 429) return 'JiraRateLimited';
  if (status >= 500 || status === 0) return 'JiraUnavailable';
  return 'JiraRequestError';
}

/** Retry-After in seconds or as an HTTP date (RFC 9110 §10.2.3), as milliseconds from now. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

interface RawIssue {
  key: string;
  fields: {
    summary?: string;
    description?: unknown;
    status?: { name?: string };
    issuetype?: { name?: string };
    created?: string;
    parent?: { key: string; fields?: { issuetype?: { name?: string } } };
    issuelinks?: Array<{ type?: { name?: string; inward?: string; outward?: string }; inwardIssue?: RawLinked; outwardIssue?: RawLinked }>;
  };
}
interface RawLinked {
  key: string;
  fields?: { summary?: string; status?: { name?: string }; issuetype?: { name?: string } };
}

/** v3 returns descriptions as Atlassian Document Format; v2 as wiki text. Both become plain text. */
function descriptionText(d: unknown): string {
  if (typeof d === 'string') return d;
  if (!d || typeof d !== 'object') return '';
  const node = d as { type?: string; text?: string; content?: unknown[] };
  if (typeof node.text === 'string') return node.text;
  // Block nodes (paragraphs, headings, list items) are separated by a line break; inline nodes are joined.
  const children = node.content ?? [];
  const isBlock = (c: unknown) => typeof c === 'object' && c !== null && 'content' in c;
  return children.map(descriptionText).join(children.every(isBlock) && children.length > 0 ? '\n' : '');
}

/** A comment as an ADF document: one paragraph per entry, links as `link` marks. */
export function commentAdf(body: CommentBody): unknown {
  return {
    type: 'doc',
    version: 1,
    content: body.map((runs) => ({
      type: 'paragraph',
      content: runs.map((r) =>
        typeof r === 'string' ? { type: 'text', text: r } : { type: 'text', text: r.text, marks: [{ type: 'link', attrs: { href: r.href } }] },
      ),
    })),
  };
}

/** The same comment in Jira wiki markup, for REST v2. */
export function commentWiki(body: CommentBody): string {
  return body.map((runs) => runs.map((r) => (typeof r === 'string' ? r : `[${r.text.replace(/[|\]]/g, ' ')}|${r.href}]`)).join('')).join('\n\n');
}

function toIssue(raw: RawIssue): JiraIssue {
  const f = raw.fields;
  return {
    key: raw.key,
    summary: f.summary ?? '',
    description: descriptionText(f.description).trim(),
    status: f.status?.name ?? 'Unknown',
    issueType: f.issuetype?.name ?? '',
    ...(f.created ? { created: f.created } : {}),
    ...(f.parent ? { parent: { key: f.parent.key, issueType: f.parent.fields?.issuetype?.name ?? '' } } : {}),
    links: (f.issuelinks ?? []).flatMap((l) => {
      const other = l.outwardIssue ?? l.inwardIssue;
      if (!other) return [];
      const direction = l.outwardIssue ? ('outward' as const) : ('inward' as const);
      return [
        {
          type: (direction === 'outward' ? l.type?.outward : l.type?.inward) ?? l.type?.name ?? 'relates to',
          direction,
          key: other.key,
          summary: other.fields?.summary ?? '',
          status: other.fields?.status?.name ?? '',
          issueType: other.fields?.issuetype?.name ?? '',
        },
      ];
    }),
  };
}

const issueFields = 'summary,description,status,issuetype,created,parent,issuelinks';
/** The comment property that carries a comment's business key (an entity property on the comment). */
export const commentPropertyKey = 'sitroom';

export function createJira(opts: { baseUrl: string; token: string; email?: string; apiVersion?: 2 | 3; fetchImpl?: typeof fetch }): IssueTracker {
  const doFetch = opts.fetchImpl ?? fetch;
  const v = opts.apiVersion ?? 3;
  const auth = opts.email ? `Basic ${Buffer.from(`${opts.email}:${opts.token}`).toString('base64')}` : `Bearer ${opts.token}`;
  const call = async (method: string, path: string, body?: unknown) => {
    let res: Response;
    try {
      res = await doFetch(`${opts.baseUrl.replace(/\/$/, '')}/rest/api/${v}${path}`, {
        method,
        headers: { authorization: auth, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw new JiraError(`Jira unreachable at JIRA_URL (${opts.baseUrl}): ${(err as Error).message}`, 0);
    }
    if (!res.ok) {
      const said = await res
        .json()
        .then((j) => (j as { errorMessages?: string[] }).errorMessages?.join('; ') ?? '')
        .catch(() => '');
      const which = path.split('?')[0];
      const hint =
        res.status === 401
          ? ` (check JIRA_TOKEN${opts.email ? ' and JIRA_EMAIL' : '; Jira Cloud also needs JIRA_EMAIL'})`
          : res.status === 403
            ? ' (the JIRA_TOKEN user may not do this)'
            : '';
      throw new JiraError(
        `Jira ${method} ${which}: HTTP ${res.status}${said ? `: ${said}` : ''}${hint}`,
        res.status,
        retryAfterMs(res.headers.get('retry-after')),
      );
    }
    return res.status === 204 ? undefined : ((await res.json()) as unknown);
  };
  const issuePath = (key: string) => `/issue/${encodeURIComponent(key)}`;

  /** The comment on `key` carrying this business key, among the issue's most recent comments. */
  async function commentWithKey(key: string, businessKey: string): Promise<string | undefined> {
    const page = (await call('GET', `${issuePath(key)}/comment?orderBy=-created&maxResults=100`)) as { comments?: Array<{ id: string }> };
    const ids = (page.comments ?? []).map((c) => Number(c.id));
    if (ids.length === 0) return undefined;
    // Comment properties come only from the bulk endpoint: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-comments/#api-rest-api-3-comment-list-post
    const listed = (await call('POST', '/comment/list?expand=properties', { ids })) as {
      values?: Array<{ id: string; properties?: Array<{ key: string; value?: { businessKey?: string } }> }>;
    };
    return listed.values?.find((c) => c.properties?.some((p) => p.key === commentPropertyKey && p.value?.businessKey === businessKey))?.id;
  }

  return {
    async getIssue(key) {
      return toIssue((await call('GET', `${issuePath(key)}?fields=${issueFields}`)) as RawIssue);
    },
    async childIssues(key) {
      const jql = `parent = ${key} ORDER BY rank ASC`;
      // v3's enhanced search (the old /search is being removed from Jira Cloud); Data Center still has only /search.
      const path = v === 3 ? '/search/jql' : '/search';
      const found: JiraIssue[] = [];
      let nextPageToken: string | undefined;
      let startAt = 0;
      for (let page = 0; page < 20; page++) {
        const body =
          v === 3
            ? { jql, fields: issueFields.split(','), maxResults: 100, ...(nextPageToken ? { nextPageToken } : {}) }
            : { jql, fields: issueFields.split(','), maxResults: 100, startAt };
        const res = (await call('POST', path, body)) as { issues?: RawIssue[]; nextPageToken?: string; isLast?: boolean; total?: number };
        const issues = res.issues ?? [];
        found.push(...issues.map(toIssue));
        if (v === 3) {
          if (res.isLast !== false || !res.nextPageToken) break;
          nextPageToken = res.nextPageToken;
        } else {
          startAt += issues.length;
          if (issues.length === 0 || startAt >= (res.total ?? 0)) break;
        }
      }
      return found;
    },
    async addComment(key, body, businessKey) {
      const existing = await commentWithKey(key, businessKey);
      if (existing) return { id: existing, posted: false };
      const created = (await call('POST', `${issuePath(key)}/comment`, {
        body: v === 3 ? commentAdf(body) : commentWiki(body),
        properties: [{ key: commentPropertyKey, value: { businessKey } }],
      })) as { id: string };
      return { id: created.id, posted: true };
    },
  };
}
