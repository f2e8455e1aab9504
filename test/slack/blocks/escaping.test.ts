// Text from people, Jira and GitHub enters Slack mrkdwn escaped in every builder: a work-item title of
// `<!channel> …` must not ping a channel nor turn into a link (https://docs.slack.dev/messaging/formatting-message-text#escaping).
import { describe, expect, it } from 'vitest';
import type { Situation } from '../../../src/orchestrator/port.js';
import { renderNotification, type RenderContext } from '../../../src/slack/blocks/notifications.js';
import { renderHome, renderStatusText } from '../../../src/slack/blocks/views.js';
import { sitroomHelp } from '../../../src/slack/listeners/commands/parse.js';

const hostile = '<!channel> fix <https://evil|click>';
const ctx: RenderContext = { dashboardUrl: 'http://127.0.0.1:3000', mention: (id) => `<@U0${id.toUpperCase()}>` };
const situation: Situation = {
  developerId: 'maria',
  workItems: [
    {
      key: 'HOSTEDCP-4001',
      title: hostile,
      ownerId: 'maria',
      status: 'in_progress',
      planVersion: 1,
      phases: [{ id: 'api', title: hostile, mode: 'autonomous', status: 'running', dependsOn: [], mergeOrder: 1 }],
      pendingDecisions: [],
    },
  ],
  pendingDecisions: [{ workItemKey: 'HOSTEDCP-4001', kind: 'approve-phase', phaseId: 'api', title: hostile, since: '2026-11-25T08:00:00Z' }],
  recentCi: [],
  recentKnowledge: [{ tier: 1, title: hostile }],
};

const builders: Array<[string, () => unknown]> = [
  ['App Home', () => renderHome(situation, ctx)],
  ['/sitroom status', () => renderStatusText(situation)],
  [
    'gate prompt',
    () =>
      renderNotification(
        { kind: 'gate', workItemKey: 'HOSTEDCP-4001', phaseId: 'api', title: hostile, summary: hostile, mode: 'approval-required' } as never,
        ctx,
      ),
  ],
  ['pair-thread reply', () => renderNotification({ kind: 'pair-reply', sessionId: 's', channel: 'D1', threadTs: '1.1', text: hostile }, ctx)],
  ['decision recorded', () => renderNotification({ kind: 'decision-recorded', workItemKey: 'HOSTEDCP-4001', text: hostile }, ctx)],
  [
    'knowledge proposal',
    () => renderNotification({ kind: 'knowledge-proposal', proposalId: '1', workItemKey: 'HOSTEDCP-4001', title: hostile, body: hostile }, ctx),
  ],
  ['info', () => renderNotification({ kind: 'info', text: hostile }, ctx)],
];

/** Every mrkdwn string in a built message or view (section, context and field text). */
function mrkdwnOf(built: unknown): string[] {
  if (typeof built === 'string') return [built];
  const found: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') found.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(built);
  return found;
}

describe('user-supplied text is escaped in every builder', () => {
  it.each(builders)('%s', (_name, build) => {
    const texts = mrkdwnOf(build());
    const all = texts.join('\n');
    expect(all).toContain('&lt;!channel&gt; fix &lt;https://evil|click&gt;');
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<https://evil');
  });

  it('the help text shows its placeholders instead of losing them as links', () => {
    expect(sitroomHelp).toContain('/sitroom ask &lt;question&gt;');
    expect(sitroomHelp).toContain('/sitroom plan &lt;JIRA-KEY&gt; &lt;intention&gt;');
    expect(sitroomHelp).not.toMatch(/<[a-zA-Z-]+>/);
  });
});
