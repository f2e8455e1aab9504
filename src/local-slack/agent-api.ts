// The Web API methods of Slack's surface for AI apps and agents, and the ones a bot uses to find its way into
// channels, with Slack's argument checks and error codes:
// - assistant.threads.setStatus / setSuggestedPrompts (https://docs.slack.dev/reference/methods/assistant.threads.setStatus,
//   https://docs.slack.dev/reference/methods/assistant.threads.setSuggestedPrompts): at most four prompts, each
//   with a title and a message; a status is cleared when the app replies in the thread.
// - chat.startStream / appendStream / stopStream (https://docs.slack.dev/reference/methods/chat.startStream and
//   its siblings): markdown_text up to 12,000 characters a call, recipient_user_id and recipient_team_id
//   required outside a DM, message_not_in_streaming_state once stopped, blocks and metadata on the stop.
// - conversations.join (https://docs.slack.dev/reference/methods/conversations.join): public channels only.
import { messageErrors } from './block-kit-rules.js';
import { fail, str } from './http.js';
import { botId, botUserId, teamId, type Channel, type WorkspaceState } from './state.js';
import type { StoredMessage } from './types.js';

type Args = Record<string, unknown>;
type Handler = (args: Args) => Record<string, unknown>;

/** Slack's answer for a required argument that is absent: invalid_arguments naming the field. */
export function missingArguments(args: Args, names: string[]): Record<string, unknown> | undefined {
  const missing = names.filter((n) => args[n] === undefined || args[n] === '');
  if (missing.length === 0) return undefined;
  return fail('invalid_arguments', { response_metadata: { messages: missing.map((n) => `[ERROR] missing required field: ${n}`) } });
}

const markdownLimit = 12_000;

/** JSON given as a string (form encoding) or already parsed; undefined when it does not parse. */
function jsonArg(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return undefined;
  }
}

/** Message metadata as Slack checks it: an object with a string event_type and an object event_payload. */
export function parseMetadata(raw: unknown): { metadata?: StoredMessage['metadata']; error?: Record<string, unknown> } {
  if (raw === undefined) return {};
  const value = jsonArg(raw);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: fail('invalid_metadata_format') };
  const { event_type: type, event_payload: payload } = value as Record<string, unknown>;
  if (typeof type !== 'string' || type.length === 0 || typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return { error: fail('invalid_metadata_schema') };
  return { metadata: { event_type: type, event_payload: payload as Record<string, unknown> } };
}

/** The text a streaming call carries: markdown_text or markdown_text chunks. */
function streamedText(args: Args): { text?: string; error?: Record<string, unknown> } {
  const chunks = args.chunks === undefined ? undefined : jsonArg(args.chunks);
  if (args.chunks !== undefined && !Array.isArray(chunks))
    return { error: fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] chunks must be an array'] } }) };
  const markdown = str(args.markdown_text);
  if (markdown !== undefined && markdown.length > markdownLimit) return { error: fail('msg_too_long') };
  const fromChunks =
    (chunks as Array<Record<string, unknown>> | undefined)
      ?.filter((c) => c.type === 'markdown_text')
      .map((c) => String(c.text ?? ''))
      .join('') ?? '';
  if (fromChunks.length > markdownLimit) return { error: fail('msg_too_long') };
  if (markdown === undefined && chunks === undefined) return {};
  return { text: `${markdown ?? ''}${fromChunks}` };
}

export function createAgentMethods(state: WorkspaceState): Record<string, Handler> {
  const { messages, statuses, suggestedPrompts, users } = state;
  const resolve = (ref: string) => state.resolveChannel(ref);
  const conversationOf = (ref: string): Channel | undefined => state.channels.get(ref) ?? resolve(ref);

  /** The app replied in a thread: Slack takes the loading status down. */
  const clearStatus = (channel: string, threadTs: string) => statuses.push({ channel, threadTs, status: '', at: Date.now() });

  function streamingMessage(args: Args): { msg?: StoredMessage; error?: Record<string, unknown> } {
    const missing = missingArguments(args, ['channel', 'ts']);
    if (missing) return { error: missing };
    const channel = conversationOf(str(args.channel) ?? '');
    if (!channel) return { error: fail('channel_not_found') };
    const msg = state.findMessage(channel.id, str(args.ts) ?? '');
    if (!msg || !msg.stream) return { error: fail('message_not_found') };
    if (msg.stream.state !== 'streaming') return { error: fail('message_not_in_streaming_state') };
    return { msg };
  }

  return {
    'assistant.threads.setStatus': (args) => {
      // status may be "" (it clears the status), so only its absence is an error.
      if (args.status === undefined) return missingArguments(args, ['channel_id', 'thread_ts', 'status'])!;
      const missing = missingArguments(args, ['channel_id', 'thread_ts']);
      if (missing) return missing;
      const channel = conversationOf(str(args.channel_id) ?? '');
      if (!channel) return fail('channel_not_found');
      const threadTs = str(args.thread_ts) ?? '';
      if (!state.findMessage(channel.id, threadTs)) return fail('invalid_thread_ts');
      const loading = args.loading_messages === undefined ? undefined : jsonArg(args.loading_messages);
      if (loading !== undefined && (!Array.isArray(loading) || loading.length > 10))
        return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] loading_messages: at most 10 strings'] } });
      statuses.push({ channel: channel.id, threadTs, status: String(args.status), at: Date.now() });
      return { ok: true };
    },
    'assistant.threads.setSuggestedPrompts': (args) => {
      const missing = missingArguments(args, ['channel_id', 'prompts']);
      if (missing) return missing;
      const channel = conversationOf(str(args.channel_id) ?? '');
      if (!channel) return fail('channel_not_found');
      const threadTs = str(args.thread_ts);
      if (threadTs !== undefined && !state.findMessage(channel.id, threadTs)) return fail('invalid_thread_ts');
      const prompts = jsonArg(args.prompts);
      const problems: string[] = [];
      if (!Array.isArray(prompts) || prompts.length === 0) problems.push('[ERROR] prompts: must be a non-empty array');
      else {
        if (prompts.length > 4) problems.push(`[ERROR] prompts: ${prompts.length} prompts, maximum 4`);
        prompts.forEach((p: unknown, i) => {
          const prompt = p as Record<string, unknown> | null;
          if (typeof prompt?.title !== 'string' || prompt.title.length === 0) problems.push(`[ERROR] prompts[${i}].title: required`);
          if (typeof prompt?.message !== 'string' || prompt.message.length === 0) problems.push(`[ERROR] prompts[${i}].message: required`);
        });
      }
      if (problems.length > 0) return fail('invalid_arguments', { response_metadata: { messages: problems } });
      const title = str(args.title);
      suggestedPrompts.set(channel.id, {
        ...(title ? { title } : {}),
        prompts: (prompts as Array<{ title: string; message: string }>).map((p) => ({ title: p.title, message: p.message })),
      });
      return { ok: true };
    },
    'chat.startStream': (args) => {
      const missing = missingArguments(args, ['channel']);
      if (missing) return missing;
      const channel = conversationOf(str(args.channel) ?? '');
      if (!channel) return fail('channel_not_found');
      if (!channel.members.has(botUserId)) return fail('not_in_channel');
      const threadTs = str(args.thread_ts);
      // Streamed messages answer a person: in a DM a thread reply, elsewhere addressed to one recipient.
      if (channel.isIm && !threadTs) return missingArguments(args, ['thread_ts'])!;
      const recipient = str(args.recipient_user_id);
      if (!channel.isIm) {
        const absent = missingArguments(args, ['recipient_user_id', 'recipient_team_id']);
        if (absent) return absent;
        if (!users.has(recipient!)) return fail('user_not_found');
        if (str(args.recipient_team_id) !== teamId) return fail('team_not_found');
      }
      if (threadTs !== undefined && !state.findMessage(channel.id, threadTs)) return fail('invalid_thread_ts');
      const text = streamedText(args);
      if (text.error) return text.error;
      const msg: StoredMessage = {
        type: 'message',
        channel: channel.id,
        ts: state.nextTs(),
        user: botUserId,
        bot_id: botId,
        text: text.text ?? '',
        stream: { state: 'streaming', appended: 0, ...(recipient ? { recipient } : {}) },
      };
      if (threadTs) {
        msg.thread_ts = threadTs;
        const parent = state.findMessage(channel.id, threadTs);
        if (parent) parent.reply_count = (parent.reply_count ?? 0) + 1;
        clearStatus(channel.id, threadTs);
      }
      messages.push(msg);
      return { ok: true, channel: channel.id, ts: msg.ts };
    },
    'chat.appendStream': (args) => {
      const found = streamingMessage(args);
      if (found.error) return found.error;
      const text = streamedText(args);
      if (text.error) return text.error;
      if (text.text === undefined)
        return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] either markdown_text or chunks is required'] } });
      const msg = found.msg!;
      msg.text += text.text;
      msg.stream!.appended++;
      return { ok: true, channel: msg.channel, ts: msg.ts };
    },
    'chat.stopStream': (args) => {
      const found = streamingMessage(args);
      if (found.error) return found.error;
      const text = streamedText(args);
      if (text.error) return text.error;
      const blocks = args.blocks === undefined ? undefined : jsonArg(args.blocks);
      if (args.blocks !== undefined && !Array.isArray(blocks)) return fail('invalid_blocks_format');
      const metadata = parseMetadata(args.metadata);
      if (metadata.error) return metadata.error;
      const msg = found.msg!;
      const finalText = msg.text + (text.text ?? '');
      const errors = messageErrors({ text: finalText, ...(blocks ? { blocks } : {}) });
      if (errors.length > 0) return fail('invalid_blocks', { response_metadata: { messages: errors } });
      msg.text = finalText;
      if (blocks) msg.blocks = blocks as unknown[];
      if (metadata.metadata) msg.metadata = metadata.metadata;
      msg.stream = { ...msg.stream!, state: 'completed' };
      return { ok: true, channel: msg.channel, ts: msg.ts, message: msg };
    },
    'conversations.join': (args) => {
      const missing = missingArguments(args, ['channel']);
      if (missing) return missing;
      const channel = state.channels.get(str(args.channel) ?? '');
      if (!channel) return fail('channel_not_found');
      // A bot joins public channels only; a private channel needs someone to /invite it.
      if (channel.isIm || channel.isPrivate) return fail('method_not_supported_for_channel_type');
      const already = channel.members.has(botUserId);
      channel.members.add(botUserId);
      return {
        ok: true,
        channel: { id: channel.id, name: channel.name, is_channel: true, is_private: false, is_member: true, num_members: channel.members.size },
        ...(already ? { warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } } : {}),
      };
    },
  };
}
