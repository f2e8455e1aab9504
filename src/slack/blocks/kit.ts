// Typed Block Kit builders that cannot produce something Slack would reject. Every limit below is from
// https://api.slack.com/reference/block-kit/blocks, .../block-elements, .../composition-objects and
// https://api.slack.com/reference/surfaces/views. Overlong text is cut at a line or word boundary and
// marked, lists are summarised ("…and 180 more"), and the rest is reached through a link.

export const limits = {
  messageBlocks: 50,
  viewBlocks: 100, // modals and App Home
  messageText: 40_000, // chat.postMessage `text` (https://api.slack.com/methods/chat.postMessage#truncating)
  sectionText: 3_000,
  sectionFields: 10,
  sectionFieldText: 2_000,
  headerText: 150,
  contextElements: 10,
  contextText: 3_000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2_000,
  buttonUrl: 3_000,
  actionId: 255,
  blockId: 255,
  inputLabel: 2_000,
  inputHint: 2_000,
  plainTextInputPlaceholder: 150,
  plainTextInputMaxLength: 3_000,
  viewTitle: 24,
  viewSubmitClose: 24,
  privateMetadata: 3_000,
  callbackId: 255,
} as const;

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}
export type TextObject = PlainText | Mrkdwn;

export interface ButtonElement {
  type: 'button';
  action_id: string;
  text: PlainText;
  value?: string;
  url?: string;
  style?: 'primary' | 'danger';
}
export interface PlainTextInputElement {
  type: 'plain_text_input';
  action_id: string;
  multiline?: boolean;
  initial_value?: string;
  placeholder?: PlainText;
  max_length?: number;
}

/** https://docs.slack.dev/reference/block-kit/block-elements/feedback-buttons-element */
export interface FeedbackButtonsElement {
  type: 'feedback_buttons';
  action_id: string;
  positive_button: { text: PlainText; value: string; accessibility_label?: string };
  negative_button: { text: PlainText; value: string; accessibility_label?: string };
}

export type Block =
  | { type: 'section'; block_id?: string; text: TextObject; fields?: TextObject[]; accessory?: ButtonElement }
  | { type: 'header'; block_id?: string; text: PlainText }
  | { type: 'context'; block_id?: string; elements: TextObject[] }
  | { type: 'actions'; block_id?: string; elements: ButtonElement[] }
  | { type: 'divider'; block_id?: string }
  | { type: 'context_actions'; block_id?: string; elements: FeedbackButtonsElement[] }
  | { type: 'input'; block_id: string; label: PlainText; element: PlainTextInputElement; hint?: PlainText; optional?: boolean };

export interface Message {
  text: string;
  blocks: Block[];
}

export interface ModalView {
  type: 'modal';
  callback_id: string;
  title: PlainText;
  submit?: PlainText;
  close?: PlainText;
  private_metadata?: string;
  blocks: Block[];
}
export interface HomeView {
  type: 'home';
  callback_id?: string;
  blocks: Block[];
}

const ellipsis = '…';

/** Cuts text to `max` characters, preferring a line or word boundary, marking the cut. Never returns "". */
export function clip(text: string, max: number, marker = ellipsis): string {
  const source = text.length === 0 ? ' ' : text;
  if (source.length <= max) return source;
  const room = Math.max(1, max - marker.length);
  const head = source.slice(0, room);
  const boundary = Math.max(head.lastIndexOf('\n'), head.lastIndexOf(' '));
  const cut = boundary > room * 0.6 ? head.slice(0, boundary) : head;
  return cut + marker;
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A link in mrkdwn; the label is escaped so it cannot break out of the link. */
export function link(url: string, label: string): string {
  return `<${url.replace(/[<>|]/g, encodeURIComponent)}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;
}

export const plain = (text: string, max: number): PlainText => ({ type: 'plain_text', text: clip(text.replace(/\s+/g, ' ').trim() || ' ', max), emoji: true });
export const mrkdwn = (text: string, max: number): Mrkdwn => ({ type: 'mrkdwn', text: clip(text, max) });

/** A section; text beyond 3,000 characters is cut, with `moreUrl` linked for the rest. */
export function section(text: string, options: { moreUrl?: string; accessory?: ButtonElement; blockId?: string } = {}): Block {
  const more = options.moreUrl ? `\n${link(options.moreUrl, 'full text')}` : '';
  const body = text.length + more.length <= limits.sectionText ? text : clip(text, limits.sectionText - more.length - 1) + more;
  const block: Block = { type: 'section', text: { type: 'mrkdwn', text: body.length === 0 ? ' ' : body } };
  if (options.accessory) block.accessory = options.accessory;
  if (options.blockId) block.block_id = clip(options.blockId, limits.blockId, '');
  return block;
}

export function fieldsSection(fields: string[]): Block {
  const kept = fields.slice(0, limits.sectionFields).map((f) => mrkdwn(f, limits.sectionFieldText));
  return { type: 'section', text: mrkdwn(' ', limits.sectionText), fields: kept };
}

export function header(text: string): Block {
  return { type: 'header', text: plain(text, limits.headerText) };
}

/** Context line(s); more than ten elements are folded into the tenth. */
export function context(parts: string[]): Block {
  const nonEmpty = parts.filter((p) => p.trim().length > 0);
  const items = nonEmpty.length === 0 ? [' '] : nonEmpty;
  const head = items.slice(0, limits.contextElements - 1);
  const tail = items.slice(limits.contextElements - 1);
  if (tail.length > 0) head.push(tail.join(' · '));
  return { type: 'context', elements: head.map((p) => mrkdwn(p, limits.contextText)) };
}

export const divider = (): Block => ({ type: 'divider' });

export interface ButtonOptions {
  actionId: string;
  label: string;
  value?: string;
  url?: string;
  style?: 'primary' | 'danger';
}

/**
 * A button. Labels are cut to 75 characters; an action id or value that does not fit is a programming error
 * (cutting a serialised decision would corrupt it), so it throws before anything reaches Slack.
 */
export function button(options: ButtonOptions): ButtonElement {
  if (options.actionId.length === 0 || options.actionId.length > limits.actionId)
    throw new Error(`button action_id must be 1-${limits.actionId} characters: ${options.actionId.slice(0, 80)}`);
  if (options.value !== undefined && options.value.length > limits.buttonValue)
    throw new Error(`button value exceeds ${limits.buttonValue} characters (${options.value.length}) for ${options.actionId}`);
  const element: ButtonElement = { type: 'button', action_id: options.actionId, text: plain(options.label, limits.buttonText) };
  if (options.value !== undefined) element.value = options.value;
  if (options.url !== undefined && options.url.length <= limits.buttonUrl) element.url = options.url;
  if (options.style) element.style = options.style;
  return element;
}

/**
 * Thumbs up and down under a message (a context_actions block, https://docs.slack.dev/reference/block-kit/blocks/context-actions-block).
 * A tap arrives as a block action of type feedback_buttons carrying the chosen side's value.
 */
export function feedbackButtons(args: {
  actionId: string;
  positive: { label: string; value: string; accessibility?: string };
  negative: { label: string; value: string; accessibility?: string };
  blockId?: string;
}): Block {
  const side = (b: { label: string; value: string; accessibility?: string }) => ({
    text: plain(b.label, limits.buttonText),
    value: b.value,
    ...(b.accessibility ? { accessibility_label: clip(b.accessibility, 75) } : {}),
  });
  return {
    type: 'context_actions',
    ...(args.blockId ? { block_id: args.blockId } : {}),
    elements: [{ type: 'feedback_buttons', action_id: args.actionId, positive_button: side(args.positive), negative_button: side(args.negative) }],
  };
}

/** Buttons in rows of at most 25, action ids de-duplicated (Slack rejects duplicates within a block). */
export function actions(buttons: ButtonElement[], blockId?: string): Block[] {
  const seen = new Set<string>();
  const unique = buttons.filter((b) => (seen.has(b.action_id) ? false : (seen.add(b.action_id), true)));
  const rows: Block[] = [];
  for (let i = 0; i < unique.length; i += limits.actionsElements) {
    const row: Block = { type: 'actions', elements: unique.slice(i, i + limits.actionsElements) };
    if (blockId) row.block_id = clip(rows.length === 0 ? blockId : `${blockId}-${rows.length}`, limits.blockId, '');
    rows.push(row);
  }
  return rows;
}

export function textInput(args: {
  blockId: string;
  actionId: string;
  label: string;
  multiline?: boolean;
  initialValue?: string;
  placeholder?: string;
  hint?: string;
  optional?: boolean;
  maxLength?: number;
}): Block {
  const maxLength = Math.min(args.maxLength ?? limits.plainTextInputMaxLength, limits.plainTextInputMaxLength);
  const element: PlainTextInputElement = { type: 'plain_text_input', action_id: args.actionId, multiline: args.multiline ?? false, max_length: maxLength };
  if (args.initialValue !== undefined && args.initialValue.length > 0) element.initial_value = clip(args.initialValue, maxLength);
  if (args.placeholder) element.placeholder = plain(args.placeholder, limits.plainTextInputPlaceholder);
  const block: Block = { type: 'input', block_id: args.blockId, label: plain(args.label, limits.inputLabel), element };
  if (args.hint) block.hint = plain(args.hint, limits.inputHint);
  if (args.optional) block.optional = true;
  return block;
}

/**
 * Lines as one or more sections, keeping at most `maxSections` sections; what does not fit is summarised
 * as "…and N more" with a link. Used for failing tests, machine pools, PR lists.
 */
export function listSections(lines: string[], options: { maxSections?: number; moreUrl?: string; noun?: string } = {}): Block[] {
  const maxSections = Math.max(1, options.maxSections ?? 1);
  const noun = options.noun ?? 'more';
  const blocks: Block[] = [];
  let current: string[] = [];
  let used = 0;
  let index = 0;
  const reserve = 120; // room for the "…and N more" line and its link
  for (; index < lines.length; index++) {
    const line = clip(lines[index]!, limits.sectionText - reserve);
    const length = current.reduce((s, l) => s + l.length + 1, 0) + line.length;
    const isLastSection = blocks.length === maxSections - 1;
    if (length > limits.sectionText - (isLastSection ? reserve : 0)) {
      if (isLastSection) break;
      blocks.push(section(current.join('\n')));
      current = [];
    }
    current.push(line);
    used++;
  }
  const remaining = lines.length - used;
  if (remaining > 0) current.push(`…and ${remaining} ${noun}${options.moreUrl ? ` — ${link(options.moreUrl, 'see all')}` : ''}`);
  if (current.length > 0) blocks.push(section(current.join('\n')));
  return blocks;
}

/**
 * A message within Slack's limits: blocks beyond 50 are replaced by a closing context that links to the
 * full view, and the notification text (what phones show in the push) is cut to 40,000 characters.
 */
export function message(text: string, blocks: Block[], moreUrl?: string): Message {
  return { text: clip(text, limits.messageText), blocks: capBlocks(blocks, limits.messageBlocks, moreUrl) };
}

function capBlocks(blocks: Block[], max: number, moreUrl?: string): Block[] {
  if (blocks.length <= max) return blocks;
  const kept = blocks.slice(0, max - 1);
  const dropped = blocks.length - kept.length;
  kept.push(context([`${dropped} more blocks not shown${moreUrl ? ` — ${link(moreUrl, 'open the full view')}` : ''}`]));
  return kept;
}

export function modal(args: { callbackId: string; title: string; submit?: string; close?: string; privateMetadata?: string; blocks: Block[] }): ModalView {
  if (args.privateMetadata !== undefined && args.privateMetadata.length > limits.privateMetadata) {
    throw new Error(`modal private_metadata exceeds ${limits.privateMetadata} characters (${args.privateMetadata.length})`);
  }
  const view: ModalView = {
    type: 'modal',
    callback_id: clip(args.callbackId, limits.callbackId, ''),
    title: plain(args.title, limits.viewTitle),
    blocks: capBlocks(args.blocks, limits.viewBlocks),
  };
  if (args.submit) view.submit = plain(args.submit, limits.viewSubmitClose);
  if (args.close) view.close = plain(args.close, limits.viewSubmitClose);
  if (args.privateMetadata !== undefined) view.private_metadata = args.privateMetadata;
  return view;
}

export function homeView(blocks: Block[], callbackId: string, moreUrl?: string): HomeView {
  return { type: 'home', callback_id: callbackId, blocks: capBlocks(blocks, limits.viewBlocks, moreUrl) };
}

/** Where a message with buttons lives, so a modal opened from it can update it in place when submitted. */
export interface PromptRef {
  channel: string;
  ts: string;
}
