// The /sitroom grammar, pure: what each subcommand needs and what to say when it is missing.
export type SitroomCommand =
  | { kind: 'help' }
  | { kind: 'ask'; question: string }
  | { kind: 'plan'; workItemKey: string; intention: string }
  | { kind: 'status' }
  | { kind: 'pair'; phase: string; workItemKey?: string }
  | { kind: 'briefing' }
  | { kind: 'invalid'; message: string };

// Angle brackets are written as entities: raw, Slack reads `<question>` as a link and drops it
// (https://docs.slack.dev/messaging/formatting-message-text#escaping).
export const sitroomHelp = [
  '*/sitroom* — talk to Situation Room',
  '• `/sitroom ask &lt;question&gt;` — an architecture question, e.g. `ask error propagation path from an Azure machine to NodePool conditions`',
  '• `/sitroom plan &lt;JIRA-KEY&gt; &lt;intention&gt;` — plan a change, e.g. `plan HOSTEDCP-2101 NodePool should report capacity errors per platform`',
  '• `/sitroom status` — your work items and pending decisions',
  '• `/sitroom pair &lt;phase&gt; [JIRA-KEY]` — open a pair thread on a phase',
  '• `/sitroom briefing` — send your morning briefing now',
  '• `/sitroom help` — this message',
].join('\n');

const keyPattern = /^[A-Z][A-Z0-9]+-\d+$/;

export function parseSitroomCommand(raw: string): SitroomCommand {
  const text = raw.trim();
  const [word = '', ...rest] = text.split(/\s+/);
  const args = rest.join(' ').trim();
  switch (word.toLowerCase()) {
    case '':
    case 'help':
      return { kind: 'help' };
    case 'ask':
      return args
        ? { kind: 'ask', question: args }
        : { kind: 'invalid', message: 'What is the question? e.g. `/sitroom ask which component owns NodePool conditions`' };
    case 'plan': {
      const [key = '', ...intention] = rest;
      if (!keyPattern.test(key.toUpperCase()))
        return {
          kind: 'invalid',
          message: `\`/sitroom plan\` needs a Jira key first, e.g. \`/sitroom plan HOSTEDCP-2101 NodePool should report capacity errors\`${key ? ` (\`${key}\` is not a key)` : ''}.`,
        };
      if (intention.length === 0)
        return {
          kind: 'invalid',
          message: `What should ${key.toUpperCase()} achieve? e.g. \`/sitroom plan ${key.toUpperCase()} NodePool should report capacity errors per platform\``,
        };
      return { kind: 'plan', workItemKey: key.toUpperCase(), intention: intention.join(' ') };
    }
    case 'status':
      return { kind: 'status' };
    case 'briefing':
      return { kind: 'briefing' };
    case 'pair': {
      const [phase = '', key] = rest.filter((w) => !/^(on|phase|of|for)$/i.test(w));
      if (!phase) return { kind: 'invalid', message: 'Which phase? e.g. `/sitroom pair 3` or `/sitroom pair platform-bridge HOSTEDCP-2101`' };
      if (key && !keyPattern.test(key.toUpperCase())) return { kind: 'invalid', message: `\`${key}\` is not a Jira key like HOSTEDCP-2101.` };
      return key ? { kind: 'pair', phase, workItemKey: key.toUpperCase() } : { kind: 'pair', phase };
    }
    default:
      return { kind: 'invalid', message: `I don't know \`${word.slice(0, 40)}\`.\n${sitroomHelp}` };
  }
}
