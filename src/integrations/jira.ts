// Jira behind a small interface, over its REST API v2 JSON (the shape Jira Server/DC and Cloud share
// for these fields). No official Jira client is among our dependencies, so this is plain fetch.
// Issue resource: https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issues/
export interface JiraIssue {
  key: string;
  summary: string;
  description: string;
  status: string;
  links: Array<{ type: string; direction: 'inward' | 'outward'; key: string; summary: string; status: string }>;
}

export interface IssueTracker {
  getIssue(key: string): Promise<JiraIssue>;
  addComment(key: string, body: string): Promise<void>;
}

export class JiraError extends Error {
  override readonly name = 'JiraError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

interface RawIssue {
  key: string;
  fields: {
    summary?: string;
    description?: unknown;
    status?: { name?: string };
    issuelinks?: Array<{ type?: { name?: string; inward?: string; outward?: string }; inwardIssue?: RawLinked; outwardIssue?: RawLinked }>;
  };
}
interface RawLinked {
  key: string;
  fields?: { summary?: string; status?: { name?: string } };
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

export function createJira(opts: { baseUrl: string; token: string; email?: string; apiVersion?: 2 | 3; fetchImpl?: typeof fetch }): IssueTracker {
  const doFetch = opts.fetchImpl ?? fetch;
  const v = opts.apiVersion ?? 2;
  const auth = opts.email ? `Basic ${Buffer.from(`${opts.email}:${opts.token}`).toString('base64')}` : `Bearer ${opts.token}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await doFetch(`${opts.baseUrl.replace(/\/$/, '')}/rest/api/${v}${path}`, {
      method,
      headers: { authorization: auth, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new JiraError(`Jira ${method} ${path}: HTTP ${res.status}`, res.status);
    return res.status === 204 ? undefined : ((await res.json()) as unknown);
  };
  return {
    async getIssue(key) {
      const raw = (await call('GET', `/issue/${encodeURIComponent(key)}?fields=summary,description,status,issuelinks`)) as RawIssue;
      return {
        key: raw.key,
        summary: raw.fields.summary ?? '',
        description: descriptionText(raw.fields.description).trim(),
        status: raw.fields.status?.name ?? 'Unknown',
        links: (raw.fields.issuelinks ?? []).flatMap((l) => {
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
            },
          ];
        }),
      };
    },
    async addComment(key, body) {
      await call(
        'POST',
        `/issue/${encodeURIComponent(key)}/comment`,
        v === 3 ? { body: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: body }] }] } } : { body },
      );
    },
  };
}
