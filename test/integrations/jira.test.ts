import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJira, JiraError } from '../../src/integrations/jira.js';
import { asApplicationFailure } from '../../src/activities/failures.js';
import { startFakeJira, type FakeJira } from '../support/doubles/jira.js';
import { ApplicationFailure } from '@temporalio/common';

let jira: FakeJira;
beforeAll(async () => {
  jira = await startFakeJira(
    [
      { key: 'OCPSTRAT-90', summary: 'Capacity errors for hosted clusters', description: '', status: 'In Progress', type: 'Feature' },
      {
        key: 'HOSTEDCP-2101',
        summary: 'NodePool should report capacity errors per platform',
        description: 'When AWS has no capacity the NodePool says nothing.\nReport it as a condition.',
        status: 'In Progress',
        type: 'Epic',
        parent: 'OCPSTRAT-90',
        links: [
          {
            type: 'Blocks',
            inward: 'is blocked by',
            outward: 'blocks',
            direction: 'outward',
            key: 'HOSTEDCP-2200',
            summary: 'Azure capacity',
            status: 'To Do',
          },
        ],
      },
      { key: 'HOSTEDCP-2102', summary: 'API: CapacityError condition', description: '', status: 'To Do', type: 'Story', parent: 'HOSTEDCP-2101' },
      { key: 'HOSTEDCP-2103', summary: 'AWS: report insufficient capacity', description: '', status: 'To Do', type: 'Story', parent: 'HOSTEDCP-2101' },
    ],
    'jira-token',
  );
});
afterAll(() => jira.close());

describe('Jira integration', () => {
  it.each([2, 3] as const)('reads summary, description, status, type, parent and links over REST v%s', async (apiVersion) => {
    const client = createJira({ baseUrl: jira.url, token: 'jira-token', apiVersion });
    const issue = await client.getIssue('HOSTEDCP-2101');
    expect(issue).toMatchObject({
      key: 'HOSTEDCP-2101',
      summary: 'NodePool should report capacity errors per platform',
      status: 'In Progress',
      issueType: 'Epic',
      parent: { key: 'OCPSTRAT-90', issueType: 'Feature' },
    });
    expect(issue.description).toBe('When AWS has no capacity the NodePool says nothing.\nReport it as a condition.');
    expect(issue.links).toEqual([
      { type: 'blocks', direction: 'outward', key: 'HOSTEDCP-2200', summary: 'Azure capacity', status: 'To Do', issueType: 'Story' },
    ]);
    expect(jira.requests.at(-1)).toMatch(new RegExp(`^GET /rest/api/${apiVersion}/issue/HOSTEDCP-2101\\?fields=`));
  });

  it.each([2, 3] as const)("finds an epic's stories with JQL parent = KEY over REST v%s", async (apiVersion) => {
    const client = createJira({ baseUrl: jira.url, token: 'jira-token', apiVersion });
    const stories = await client.childIssues('HOSTEDCP-2101');
    expect(stories.map((s) => [s.key, s.issueType, s.parent?.key])).toEqual([
      ['HOSTEDCP-2102', 'Story', 'HOSTEDCP-2101'],
      ['HOSTEDCP-2103', 'Story', 'HOSTEDCP-2101'],
    ]);
    expect(jira.requests.at(-1)).toBe(apiVersion === 3 ? 'POST /rest/api/3/search/jql' : 'POST /rest/api/2/search');
  });

  it('comments in Atlassian Document Format once per business key, and again not after a lost reply', async () => {
    const client = createJira({ baseUrl: jira.url, token: 'jira-token', email: 'bot@example.com' });
    const body = [['Phase api-surface is ready: ', { text: 'PR #12', href: 'https://github.com/openshift/hypershift/pull/12' }]];
    const first = await client.addComment('HOSTEDCP-2101', body, 'pr-ready:a');
    expect(first.posted).toBe(true);
    expect(jira.comments).toHaveLength(1);
    expect(jira.comments[0]!.body).toEqual({
      type: 'doc',
      version: 1,
      content: [
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'Phase api-surface is ready: ' },
            { type: 'text', text: 'PR #12', marks: [{ type: 'link', attrs: { href: 'https://github.com/openshift/hypershift/pull/12' } }] },
          ],
        },
      ],
    });
    expect(await client.addComment('HOSTEDCP-2101', body, 'pr-ready:a')).toEqual({ id: first.id, posted: false });
    expect(jira.comments).toHaveLength(1);

    // Jira committed the comment but its reply was lost: the retry finds the comment by its property.
    jira.loseNextCommentReply();
    await expect(client.addComment('HOSTEDCP-2101', body, 'pr-ready:b')).rejects.toMatchObject({ status: 500, type: 'JiraUnavailable', nonRetryable: false });
    expect(await client.addComment('HOSTEDCP-2101', body, 'pr-ready:b')).toMatchObject({ posted: false });
    expect(jira.comments).toHaveLength(2);
  });

  it('maps 401, 404 and 429 into the failure catalogue, naming the variable to fix', async () => {
    const client = createJira({ baseUrl: jira.url, token: 'jira-token' });
    await expect(client.getIssue('HOSTEDCP-9')).rejects.toMatchObject({ status: 404, type: 'JiraNotFound', nonRetryable: true });

    const wrong = createJira({ baseUrl: jira.url, token: 'wrong', email: 'bot@example.com' });
    const denied = await wrong.getIssue('HOSTEDCP-2101').catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(JiraError);
    expect(denied).toMatchObject({ status: 401, type: 'JiraAuthError', nonRetryable: true });
    expect((denied as Error).message).toMatch(/You are not authenticated.*check JIRA_TOKEN and JIRA_EMAIL/);

    jira.rateLimitNext(1, 7);
    const limited = await client.getIssue('HOSTEDCP-2101').catch((e: unknown) => e);
    expect(limited).toMatchObject({ status: 429, type: 'JiraRateLimited', nonRetryable: false, options: { retryAfterMs: 7000 } });
    // At the activity boundary the wait Jira asked for becomes Temporal's next retry delay.
    const failure = asApplicationFailure(limited) as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.nextRetryDelay).toBe(7000);
    expect((await client.getIssue('HOSTEDCP-2101')).key).toBe('HOSTEDCP-2101');
  });
});
