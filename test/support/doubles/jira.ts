// A loopback Jira REST API (v2 and v3 issue GET and comment POST) over an in-memory issue set.
import { startLoopback, type LoopbackServer } from './http.js';

export interface FakeJiraIssue {
  key: string;
  summary: string;
  description: string;
  status: string;
  links?: Array<{ type: string; inward: string; outward: string; key: string; direction: 'inward' | 'outward'; summary: string; status: string }>;
}

export interface FakeJira extends LoopbackServer {
  comments: Array<{ key: string; body: unknown }>;
}

export async function startFakeJira(issues: FakeJiraIssue[], token: string): Promise<FakeJira> {
  const comments: FakeJira['comments'] = [];
  const server = await startLoopback((req) => {
    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${token}` && !(auth.startsWith('Basic ') && Buffer.from(auth.slice(6), 'base64').toString().endsWith(`:${token}`))) {
      return { status: 401, body: { errorMessages: ['You are not authenticated.'], errors: {} } };
    }
    const m = /^\/rest\/api\/(2|3)\/issue\/([^/]+)(\/comment)?$/.exec(req.path);
    const issue = m ? issues.find((i) => i.key === decodeURIComponent(m[2]!)) : undefined;
    if (!m || !issue) return { status: 404, body: { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} } };
    if (m[3] && req.method === 'POST') {
      comments.push({ key: issue.key, body: (req.body as { body: unknown }).body });
      return { status: 201, body: { id: String(comments.length) } };
    }
    const description =
      m[1] === '3'
        ? { type: 'doc', version: 1, content: issue.description.split('\n').map((p) => ({ type: 'paragraph', content: [{ type: 'text', text: p }] })) }
        : issue.description;
    return {
      body: {
        id: '10001',
        key: issue.key,
        fields: {
          summary: issue.summary,
          description,
          status: { name: issue.status },
          issuelinks: (issue.links ?? []).map((l, i) => ({
            id: String(i + 1),
            type: { name: l.type, inward: l.inward, outward: l.outward },
            [l.direction === 'outward' ? 'outwardIssue' : 'inwardIssue']: { key: l.key, fields: { summary: l.summary, status: { name: l.status } } },
          })),
        },
      },
    };
  });
  return { ...server, comments };
}
