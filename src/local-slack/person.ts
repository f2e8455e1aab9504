// What a person does in the workspace (tap a button in a message or in App Home, submit a modal, send a
// message, type a slash command, open App Home), turned into the payload Slack would send the app for it
// and handed to delivery. The workspace's own state changes as Slack's would (a reply count, a closed modal,
// the ephemeral a command's answer becomes).
import type { Delivery } from './events.js';
import { appId, botId, botUserId, teamId, WorkspaceLookupError, type WorkspaceState } from './state.js';
import type { DeliveryResult, StoredMessage, WorkspaceUser } from './types.js';

export type Person = ReturnType<typeof createPerson>;

export function createPerson(state: WorkspaceState, delivery: Delivery) {
  const { channels, homes, modals, messages, ephemerals } = state;
  const { deliver, deliverEvent, deliverInteraction } = delivery;
  const findUser = (ref: string) => state.findUser(ref);
  const findMessage = (channel: string, ts: string) => state.findMessage(channel, ts);
  const resolveChannel = (ref: string) => state.resolveChannel(ref);
  const channelId = (ref: string) => state.channelId(ref);
  const dmChannel = (ref: string) => state.dmChannel(ref);
  const issueTrigger = (user: string) => state.issueTrigger(user);
  const issueResponseUrl = (user: string, channel: string) => state.issueResponseUrl(user, channel);
  const nextTs = () => state.nextTs();
  const nextId = (prefix: string) => state.nextId(prefix);

  const userObject = (u: WorkspaceUser) => ({ id: u.id, username: u.name, name: u.name, team_id: teamId });

  /** The first element with this action id, or the one in the named block when several share it (App Home lists). */
  function actionFrom(blocks: unknown[] | undefined, actionId: string, blockId?: string) {
    for (const b of (blocks ?? []) as Array<Record<string, unknown>>) {
      if (blockId !== undefined && b.block_id !== blockId) continue;
      const elements =
        (b.type === 'actions' ? (b.elements as Array<Record<string, unknown>>) : b.accessory ? [b.accessory as Record<string, unknown>] : []) ?? [];
      for (const e of elements) {
        if (e.action_id === actionId) {
          return {
            action_id: actionId,
            block_id: (b.block_id as string | undefined) ?? nextId('blk'),
            text: e.text,
            value: e.value,
            type: e.type,
            style: e.style,
            action_ts: `${Date.now() / 1000}`,
          };
        }
      }
    }
    return undefined;
  }

  /** One side of feedback buttons in a context_actions block; Slack sends that button's value with type feedback_buttons. */
  function feedbackFrom(blocks: unknown[] | undefined, actionId: string, side: 'positive' | 'negative') {
    for (const b of (blocks ?? []) as Array<Record<string, unknown>>) {
      if (b.type !== 'context_actions') continue;
      for (const e of (b.elements as Array<Record<string, unknown>> | undefined) ?? []) {
        if (e.type !== 'feedback_buttons' || e.action_id !== actionId) continue;
        const chosen = e[`${side}_button`] as { value?: string; text?: unknown } | undefined;
        return {
          action_id: actionId,
          block_id: (b.block_id as string | undefined) ?? nextId('blk'),
          type: 'feedback_buttons',
          value: chosen?.value,
          text: chosen?.text,
          action_ts: `${Date.now() / 1000}`,
        };
      }
    }
    return undefined;
  }

  function messageTap(user: WorkspaceUser, msg: StoredMessage, action: Record<string, unknown>): Promise<DeliveryResult> {
    const channel = channels.get(msg.channel)!;
    return deliverInteraction({
      type: 'block_actions',
      user: userObject(user),
      api_app_id: appId,
      token: 'local-verification-token',
      container: { type: 'message', message_ts: msg.ts, channel_id: msg.channel, is_ephemeral: false, ...(msg.thread_ts ? { thread_ts: msg.thread_ts } : {}) },
      trigger_id: issueTrigger(user.id),
      team: { id: teamId, domain: 'local' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: channel.id, name: channel.isIm ? 'directmessage' : channel.name },
      message: msg,
      state: { values: {} },
      response_url: issueResponseUrl(user.id, msg.channel),
      actions: [action],
    });
  }

  /** Taps the thumbs up or down of an answer's feedback buttons. */
  async function tapFeedback(
    userRef: string,
    ref: StoredMessage | { channel: string; ts: string },
    actionId: string,
    side: 'positive' | 'negative',
  ): Promise<DeliveryResult> {
    const user = findUser(userRef);
    const msg = findMessage(ref.channel, ref.ts);
    if (!msg) throw new WorkspaceLookupError(`local workspace: no message ${ref.ts} in ${ref.channel}`);
    const action = feedbackFrom(msg.blocks, actionId, side);
    if (!action) throw new WorkspaceLookupError(`local workspace: message ${msg.ts} has no feedback buttons ${actionId}`);
    return messageTap(user, msg, action);
  }

  async function tap(userRef: string, ref: StoredMessage | { channel: string; ts: string }, actionId: string): Promise<DeliveryResult> {
    const user = findUser(userRef);
    const msg = findMessage(ref.channel, ref.ts);
    if (!msg) throw new WorkspaceLookupError(`local workspace: no message ${ref.ts} in ${ref.channel}`);
    const action = actionFrom(msg.blocks, actionId);
    if (!action) throw new WorkspaceLookupError(`local workspace: message ${msg.ts} has no button ${actionId}`);
    return messageTap(user, msg, action);
  }

  async function tapHome(userRef: string, actionId: string, blockId?: string): Promise<DeliveryResult> {
    const user = findUser(userRef);
    const home = homes.get(user.id);
    if (!home) throw new WorkspaceLookupError(`local workspace: ${user.name} has no App Home`);
    const action = actionFrom(home.blocks as unknown[], actionId, blockId);
    if (!action) throw new WorkspaceLookupError(`local workspace: App Home of ${user.name} has no button ${actionId}${blockId ? ` in block ${blockId}` : ''}`);
    return deliverInteraction({
      type: 'block_actions',
      user: userObject(user),
      api_app_id: appId,
      token: 'local-verification-token',
      container: { type: 'view', view_id: home.id },
      trigger_id: issueTrigger(user.id),
      team: { id: teamId, domain: 'local' },
      view: home,
      actions: [action],
    });
  }

  async function submitModal(userRef: string, values: Record<string, string>): Promise<DeliveryResult> {
    const user = findUser(userRef);
    const open = modals.get(user.id);
    if (!open) throw new WorkspaceLookupError(`local workspace: ${user.name} has no open modal`);
    const state: Record<string, Record<string, { type: string; value: string | null }>> = {};
    for (const b of (open.view.blocks as Array<Record<string, unknown>>) ?? []) {
      if (b.type !== 'input') continue;
      const element = b.element as { action_id: string; type: string; initial_value?: string };
      const blockId = b.block_id as string;
      const given = values[blockId] ?? values[element.action_id];
      state[blockId] = { [element.action_id]: { type: element.type, value: given ?? element.initial_value ?? null } };
    }
    const view = { ...open.view, id: open.id, hash: open.hash, team_id: teamId, app_id: appId, bot_id: botId, state: { values: state } };
    const result = await deliverInteraction({
      type: 'view_submission',
      team: { id: teamId, domain: 'local' },
      user: userObject(user),
      api_app_id: appId,
      token: 'local-verification-token',
      trigger_id: issueTrigger(user.id),
      view,
      response_urls: [],
      is_enterprise_install: false,
    });
    // An empty 200 closes the modal; response_action "errors" keeps it open (https://api.slack.com/surfaces/modals#displaying_errors).
    let action: { response_action?: string; errors?: Record<string, string> } = {};
    try {
      action = result.body ? (JSON.parse(result.body) as typeof action) : {};
    } catch {
      action = {};
    }
    if (result.status === 200 && action.response_action === 'errors') open.view = { ...open.view, errors: action.errors };
    else if (result.status === 200) modals.delete(user.id);
    return result;
  }

  async function sendMessage(userRef: string, channelRef: string, text: string, threadTs?: string) {
    const user = findUser(userRef);
    const channel = resolveChannel(channelRef) ?? channels.get(channelId(channelRef));
    if (!channel) throw new WorkspaceLookupError(`local workspace: no channel ${channelRef}`);
    const msg: StoredMessage = { type: 'message', channel: channel.id, ts: nextTs(), user: user.id, text };
    if (threadTs) {
      msg.thread_ts = threadTs;
      const parent = findMessage(channel.id, threadTs);
      if (parent) parent.reply_count = (parent.reply_count ?? 0) + 1;
    }
    messages.push(msg);
    const event: Record<string, unknown> = {
      type: 'message',
      channel: channel.id,
      user: user.id,
      text,
      ts: msg.ts,
      event_ts: msg.ts,
      channel_type: channel.isIm ? 'im' : 'channel',
      team: teamId,
    };
    if (threadTs) event.thread_ts = threadTs;
    const deliveries = [await deliverEvent(event)];
    if (text.includes(`<@${botUserId}>`)) {
      const mention: Record<string, unknown> = { type: 'app_mention', channel: channel.id, user: user.id, text, ts: msg.ts, event_ts: msg.ts, team: teamId };
      if (threadTs) mention.thread_ts = threadTs;
      deliveries.push(await deliverEvent(mention));
    }
    return { ts: msg.ts, deliveries };
  }

  async function slashCommand(userRef: string, channelRef: string, command: string, text: string): Promise<DeliveryResult> {
    const user = findUser(userRef);
    const channel = resolveChannel(channelRef) ?? channels.get(channelId(channelRef))!;
    const result = await deliver(
      'slash_commands',
      {
        token: 'local-verification-token',
        team_id: teamId,
        team_domain: 'local',
        channel_id: channel.id,
        channel_name: channel.isIm ? 'directmessage' : channel.name,
        user_id: user.id,
        user_name: user.name,
        command,
        text,
        api_app_id: appId,
        is_enterprise_install: 'false',
        response_url: issueResponseUrl(user.id, channel.id),
        trigger_id: issueTrigger(user.id),
      },
      false,
    );
    // A command's immediate response is shown to the invoking user only, unless it says in_channel.
    if (result.status === 200 && result.body.trim().length > 0) {
      try {
        const reply = JSON.parse(result.body) as { text?: string; blocks?: unknown[]; response_type?: string };
        if (reply.text || reply.blocks)
          ephemerals.push({ channel: channel.id, user: user.id, ts: nextTs(), text: reply.text ?? '', ...(reply.blocks ? { blocks: reply.blocks } : {}) });
      } catch {
        ephemerals.push({ channel: channel.id, user: user.id, ts: nextTs(), text: result.body });
      }
    }
    return result;
  }

  const openHome = (userRef: string) => {
    const user = findUser(userRef);
    return deliverEvent({
      type: 'app_home_opened',
      user: user.id,
      channel: dmChannel(user.id),
      tab: 'home',
      event_ts: `${Date.now() / 1000}`,
      view: homes.get(user.id),
    });
  };

  /**
   * Opens the app's DM (the Messages tab). With agent_view in the manifest this app_home_opened is the signal
   * that a conversation with the agent starts (https://docs.slack.dev/ai/).
   */
  const openMessages = (userRef: string) => {
    const user = findUser(userRef);
    return deliverEvent({ type: 'app_home_opened', user: user.id, channel: dmChannel(user.id), tab: 'messages', event_ts: `${Date.now() / 1000}` });
  };

  return { tap, tapHome, tapFeedback, submitModal, sendMessage, slashCommand, openHome, openMessages };
}
