import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJira, JiraError } from '../../src/integrations/jira.js';
import { startFakeJira, type FakeJira } from '../support/doubles/jira.js';

let jira: FakeJira;
beforeAll(async () => {
  jira = await startFakeJira(
    [
      {
        key: 'HOSTEDCP-2101',
        summary: 'NodePool should report capacity errors per platform',
        description: 'When AWS has no capacity the NodePool says nothing.\nReport it as a condition.',
        status: 'In Progress',
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
    ],
    'jira-token',
  );
});
afterAll(() => jira.close());

describe('Jira integration', () => {
  it.each([2, 3] as const)('reads summary, description, status and links over REST v%s', async (apiVersion) => {
    const client = createJira({ baseUrl: jira.url, token: 'jira-token', apiVersion });
    const issue = await client.getIssue('HOSTEDCP-2101');
    expect(issue).toMatchObject({ key: 'HOSTEDCP-2101', summary: 'NodePool should report capacity errors per platform', status: 'In Progress' });
    expect(issue.description).toBe('When AWS has no capacity the NodePool says nothing.\nReport it as a condition.');
    expect(issue.links).toEqual([{ type: 'blocks', direction: 'outward', key: 'HOSTEDCP-2200', summary: 'Azure capacity', status: 'To Do' }]);
  });

  it('comments, and reports missing issues and bad credentials with the HTTP status', async () => {
    const client = createJira({ baseUrl: jira.url, token: 'jira-token', email: 'bot@example.com' });
    await client.addComment('HOSTEDCP-2101', 'Phase 1 PR is ready');
    expect(jira.comments).toEqual([{ key: 'HOSTEDCP-2101', body: 'Phase 1 PR is ready' }]);
    await expect(client.getIssue('HOSTEDCP-9')).rejects.toMatchObject({ status: 404 });
    await expect(createJira({ baseUrl: jira.url, token: 'wrong' }).getIssue('HOSTEDCP-2101')).rejects.toBeInstanceOf(JiraError);
  });
});
