// What the local workspace accepts, written from Slack's reference pages independently of the builders in
// src/slack/blocks (https://api.slack.com/reference/block-kit/blocks, /block-elements,
// /composition-objects, https://api.slack.com/reference/surfaces/views). Slack answers `invalid_blocks`
// for any of these; so does the local workspace, so a test cannot pass with a message Slack would refuse.

export type Surface = 'message' | 'modal' | 'home';

const MAX_BLOCKS: Record<Surface, number> = { message: 50, modal: 100, home: 100 };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkText(v: unknown, path: string, max: number, errors: string[], onlyPlain = false): void {
  if (!isObject(v)) return void errors.push(`${path}: must be a text object`);
  if (v.type !== 'plain_text' && v.type !== 'mrkdwn') return void errors.push(`${path}.type: must be plain_text or mrkdwn`);
  if (onlyPlain && v.type !== 'plain_text') errors.push(`${path}.type: must be plain_text`);
  if (typeof v.text !== 'string') return void errors.push(`${path}.text: must be a string`);
  if (v.text.length < 1) errors.push(`${path}.text: must not be empty`);
  if (v.text.length > max) errors.push(`${path}.text: ${v.text.length} characters, maximum ${max}`);
}

function checkLength(v: unknown, path: string, max: number, errors: string[], required = false): void {
  if (v === undefined) {
    if (required) errors.push(`${path}: required`);
    return;
  }
  if (typeof v !== 'string') return void errors.push(`${path}: must be a string`);
  if (v.length > max) errors.push(`${path}: ${v.length} characters, maximum ${max}`);
  if (required && v.length === 0) errors.push(`${path}: must not be empty`);
}

function checkElement(e: unknown, path: string, errors: string[]): void {
  if (!isObject(e)) return void errors.push(`${path}: must be an object`);
  checkLength(e.action_id, `${path}.action_id`, 255, errors);
  switch (e.type) {
    case 'button':
      checkText(e.text, `${path}.text`, 75, errors, true);
      checkLength(e.value, `${path}.value`, 2000, errors);
      checkLength(e.url, `${path}.url`, 3000, errors);
      if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger') errors.push(`${path}.style: must be primary or danger`);
      return;
    case 'plain_text_input':
      if (e.placeholder !== undefined) checkText(e.placeholder, `${path}.placeholder`, 150, errors, true);
      if (e.max_length !== undefined && (typeof e.max_length !== 'number' || e.max_length < 1 || e.max_length > 3000))
        errors.push(`${path}.max_length: must be 1-3000`);
      if (typeof e.initial_value === 'string' && typeof e.max_length === 'number' && e.initial_value.length > e.max_length)
        errors.push(`${path}.initial_value: longer than max_length`);
      return;
    case 'image':
      checkLength(e.image_url, `${path}.image_url`, 3000, errors, true);
      checkLength(e.alt_text, `${path}.alt_text`, 2000, errors, true);
      return;
    default:
      errors.push(`${path}.type: unsupported element type ${String(e.type)}`);
  }
}

/** https://docs.slack.dev/reference/block-kit/block-elements/feedback-buttons-element and the icon button. */
function checkContextAction(e: unknown, path: string, errors: string[]): void {
  if (!isObject(e)) return void errors.push(`${path}: must be an object`);
  checkLength(e.action_id, `${path}.action_id`, 255, errors);
  if (e.type === 'feedback_buttons') {
    for (const side of ['positive_button', 'negative_button'] as const) {
      const b = e[side];
      if (!isObject(b)) {
        errors.push(`${path}.${side}: required`);
        continue;
      }
      checkText(b.text, `${path}.${side}.text`, 75, errors, true);
      checkLength(b.value, `${path}.${side}.value`, 2000, errors, true);
      checkLength(b.accessibility_label, `${path}.${side}.accessibility_label`, 75, errors);
    }
    return;
  }
  if (e.type === 'icon_button') {
    checkLength(e.icon, `${path}.icon`, 255, errors, true);
    checkText(e.text, `${path}.text`, 75, errors, true);
    checkLength(e.value, `${path}.value`, 2000, errors);
    return;
  }
  errors.push(`${path}.type: must be feedback_buttons or icon_button`);
}

/** Every reason Slack would refuse these blocks on this surface; empty when they are acceptable. */
export function blockKitErrors(blocks: unknown, surface: Surface): string[] {
  const errors: string[] = [];
  if (!Array.isArray(blocks)) return ['blocks: must be an array'];
  if (blocks.length > MAX_BLOCKS[surface]) errors.push(`blocks: ${blocks.length} blocks, maximum ${MAX_BLOCKS[surface]} in a ${surface}`);
  const blockIds = new Set<string>();
  blocks.forEach((b: unknown, i) => {
    const path = `blocks[${i}]`;
    if (!isObject(b)) return void errors.push(`${path}: must be an object`);
    if (b.block_id !== undefined) {
      checkLength(b.block_id, `${path}.block_id`, 255, errors);
      if (typeof b.block_id === 'string') {
        if (blockIds.has(b.block_id)) errors.push(`${path}.block_id: duplicate ${b.block_id}`);
        blockIds.add(b.block_id);
      }
    }
    switch (b.type) {
      case 'section': {
        if (b.text === undefined && b.fields === undefined) errors.push(`${path}: needs text or fields`);
        if (b.text !== undefined) checkText(b.text, `${path}.text`, 3000, errors);
        if (b.fields !== undefined) {
          if (!Array.isArray(b.fields)) errors.push(`${path}.fields: must be an array`);
          else {
            if (b.fields.length > 10) errors.push(`${path}.fields: ${b.fields.length} fields, maximum 10`);
            b.fields.forEach((f: unknown, j) => checkText(f, `${path}.fields[${j}]`, 2000, errors));
          }
        }
        if (b.accessory !== undefined) checkElement(b.accessory, `${path}.accessory`, errors);
        break;
      }
      case 'header':
        checkText(b.text, `${path}.text`, 150, errors, true);
        break;
      case 'context': {
        if (!Array.isArray(b.elements) || b.elements.length === 0) errors.push(`${path}.elements: 1-10 elements required`);
        else {
          if (b.elements.length > 10) errors.push(`${path}.elements: ${b.elements.length} elements, maximum 10`);
          b.elements.forEach((e: unknown, j) =>
            isObject(e) && e.type === 'image' ? checkElement(e, `${path}.elements[${j}]`, errors) : checkText(e, `${path}.elements[${j}]`, 3000, errors),
          );
        }
        break;
      }
      case 'actions': {
        if (!Array.isArray(b.elements) || b.elements.length === 0) errors.push(`${path}.elements: 1-25 elements required`);
        else {
          if (b.elements.length > 25) errors.push(`${path}.elements: ${b.elements.length} elements, maximum 25`);
          const ids = new Set<string>();
          b.elements.forEach((e: unknown, j) => {
            checkElement(e, `${path}.elements[${j}]`, errors);
            const id = isObject(e) ? e.action_id : undefined;
            if (typeof id === 'string') {
              if (ids.has(id)) errors.push(`${path}.elements[${j}].action_id: duplicate ${id} in one block`);
              ids.add(id);
            }
          });
        }
        break;
      }
      case 'context_actions': {
        // https://docs.slack.dev/reference/block-kit/blocks/context-actions-block: feedback buttons and icon buttons, 1-5.
        if (surface !== 'message') errors.push(`${path}: context_actions blocks are only allowed in messages`);
        if (!Array.isArray(b.elements) || b.elements.length === 0) errors.push(`${path}.elements: 1-5 elements required`);
        else {
          if (b.elements.length > 5) errors.push(`${path}.elements: ${b.elements.length} elements, maximum 5`);
          b.elements.forEach((e: unknown, j) => checkContextAction(e, `${path}.elements[${j}]`, errors));
        }
        break;
      }
      case 'divider':
        break;
      case 'input':
        if (surface === 'message') errors.push(`${path}: input blocks are only allowed in modals and App Home`);
        checkText(b.label, `${path}.label`, 2000, errors, true);
        if (b.hint !== undefined) checkText(b.hint, `${path}.hint`, 2000, errors, true);
        checkElement(b.element, `${path}.element`, errors);
        break;
      default:
        errors.push(`${path}.type: unsupported block type ${String(b.type)}`);
    }
  });
  return errors;
}

/** Errors for a whole view (views.open / views.publish). */
export function viewErrors(view: unknown): string[] {
  if (!isObject(view)) return ['view: must be an object'];
  const errors: string[] = [];
  if (view.type !== 'modal' && view.type !== 'home') return ['view.type: must be modal or home'];
  if (view.type === 'modal') {
    checkText(view.title, 'view.title', 24, errors, true);
    if (view.submit !== undefined) checkText(view.submit, 'view.submit', 24, errors, true);
    if (view.close !== undefined) checkText(view.close, 'view.close', 24, errors, true);
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b: unknown) => isObject(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) errors.push('view.submit: required when the modal has input blocks');
  }
  checkLength(view.private_metadata, 'view.private_metadata', 3000, errors);
  checkLength(view.callback_id, 'view.callback_id', 255, errors);
  errors.push(...blockKitErrors(view.blocks, view.type).map((e) => `view.${e}`));
  return errors;
}

/** chat.postMessage / chat.update: the top-level text and the blocks. */
export function messageErrors(args: { text?: unknown; blocks?: unknown }): string[] {
  const errors: string[] = [];
  if (args.text !== undefined) checkLength(args.text, 'text', 40_000, errors);
  if (args.blocks !== undefined) errors.push(...blockKitErrors(args.blocks, 'message'));
  return errors;
}
