// Plan control on every surface that shows a work item: switch a phase's mode, pause or resume, cancel, try a
// failed draft again, edit the plan in a modal, and the account that opens a pair thread. Control buttons
// carry a nonce in their value: a person may pause, resume and pause again on the same message, and each tap
// must be a new decision (the tap's idempotency key is derived from the value).
import { executionModes, type ExecutionMode } from '../../contracts/vocabulary.js';
import type { PhaseAccount, WorkItemDetail, WorkItemView } from '../../orchestrator/port.js';
import { ActionIds, CallbackIds, decisionActionId, InputIds } from '../ids.js';
import { encodeDecision, type DecisionTemplate } from './decision-value.js';
import {
  actions,
  button,
  clip,
  context,
  escapeMrkdwn as esc,
  header,
  limits,
  link,
  listSections,
  message,
  modal,
  section,
  textInput,
  type Block,
  type ButtonElement,
  type Message,
  type ModalView,
  type PromptRef,
} from './kit.js';

export const modeLabels: Record<ExecutionMode, string> = { autonomous: 'full auto', collaborative: 'pair', 'approval-required': 'needs approval' };

/** Block ids of the control rows; a refresh replaces exactly these. */
export const controlBlocks = { planModes: 'modes', phaseModes: 'phase-modes', workItem: 'controls' } as const;
const isControlRow = (b: Block) => b.type === 'actions' && typeof b.block_id === 'string' && /^(modes|phase-modes|controls)(-\d+)?$/.test(b.block_id);

/** The action id of a hand-back button in a pair thread. */
export const handBackActionId = `${decisionActionId('set-mode', 'autonomous')}:handback`;

function controlButton(actionId: string, label: string, template: DecisionTemplate, style?: 'primary' | 'danger'): ButtonElement {
  return button({ actionId, label, value: encodeDecision(template), ...(style ? { style } : {}) });
}

/** One button per mode the phase is not in; `label` words each (e.g. "2: full auto"). */
export function modeButtons(
  workItemKey: string,
  phase: { id: string; mode: string },
  index: number,
  nonce: string,
  label: (mode: ExecutionMode) => string,
): ButtonElement[] {
  return executionModes
    .filter((m) => m !== phase.mode)
    .map((m) =>
      controlButton(`${decisionActionId('set-mode', m)}:${index}`, label(m), { workItemKey, kind: 'set-mode', phaseId: phase.id, mode: m, value: nonce }),
    );
}

/** Pause (or resume, when paused) and cancel the work item. */
export function workItemButtons(workItemKey: string, paused: boolean, nonce: string, suffix = ''): ButtonElement[] {
  return [
    paused
      ? controlButton(`${decisionActionId('resume')}${suffix}`, 'Resume', { workItemKey, kind: 'resume', value: nonce }, 'primary')
      : controlButton(`${decisionActionId('pause')}${suffix}`, 'Pause', { workItemKey, kind: 'pause', value: nonce }),
    controlButton(`${decisionActionId('cancel')}${suffix}`, 'Cancel work item', { workItemKey, kind: 'cancel', value: nonce }, 'danger'),
  ];
}

/** The plan gate's row of per-phase mode switches, numbered as the plan summary numbers them. */
export function planModeRows(workItemKey: string, phases: Array<{ id: string; mode: string; status?: string }>, nonce: string): Block[] {
  const open = (p: { status?: string }) => p.status !== 'merged' && p.status !== 'skipped';
  return actions(
    phases.flatMap((p, i) => (open(p) ? modeButtons(workItemKey, p, i, nonce, (m) => `${i + 1}: ${modeLabels[m]}`) : [])),
    controlBlocks.planModes,
  );
}

const phaseModeLabel: Record<ExecutionMode, string> = {
  autonomous: 'Full auto instead',
  collaborative: 'Pair on it instead',
  'approval-required': 'Ask me first instead',
};

export function phaseModeRow(workItemKey: string, phase: { id: string; mode: string }, nonce: string): Block[] {
  return actions(
    modeButtons(workItemKey, phase, 0, nonce, (m) => phaseModeLabel[m]),
    controlBlocks.phaseModes,
  );
}

export function workItemControlRow(workItemKey: string, paused: boolean, nonce: string): Block[] {
  return actions(workItemButtons(workItemKey, paused, nonce), controlBlocks.workItem);
}

/** The plan's phases as the plan gate lists them: "1. title — mode (after a, b)". */
export function planSummaryText(phases: Array<{ title: string; mode: string; dependsOn: string[] }>): string {
  return phases.map((p, i) => `${i + 1}. ${p.title} — ${p.mode}${p.dependsOn.length ? ` (after ${p.dependsOn.join(', ')})` : ''}`).join('\n');
}

/** Which phase a phase gate's mode row is about (its buttons carry it). */
function phaseOfModeRow(blocks: Block[]): string | undefined {
  for (const b of blocks) {
    if (b.type !== 'actions' || !b.block_id?.startsWith(controlBlocks.phaseModes)) continue;
    for (const e of b.elements) {
      try {
        const parsed = JSON.parse(e.value ?? '') as { phaseId?: unknown };
        if (typeof parsed.phaseId === 'string') return parsed.phaseId;
      } catch {
        // not ours
      }
    }
  }
  return undefined;
}

const finished = (status: string) => ['resolved', 'cancelled'].includes(status);

/**
 * A gate after a control decision (a mode switch, pause, resume, a plan edit): the gate stays live, the
 * decision is noted, and the control rows are drawn again from the work item as it is now. The plan gate's
 * summary follows the plan (an edit or a mode switch changes it).
 */
export function renderControlled(
  original: { text: string; blocks: Block[] },
  decision: { summary: string; decidedBy: string; decidedAt: string },
  view: WorkItemView | undefined,
  ctx: { mention(id: string): string },
  when: (iso: string) => string,
): Message {
  const planGate = original.blocks.some((b) => b.type === 'actions' && b.block_id?.startsWith(controlBlocks.planModes));
  const phaseId = phaseOfModeRow(original.blocks);
  const nonce = decision.decidedAt;
  const blocks: Block[] = [];
  for (const b of original.blocks) {
    if (isControlRow(b)) continue;
    if (view && planGate && b.type === 'section' && b.block_id === planSummaryBlockId && b.text.type === 'mrkdwn') {
      const title = b.text.text.split('\n')[0] ?? '';
      blocks.push(section(`${title}\n${esc(planSummaryText(view.phases))}`, { blockId: planSummaryBlockId }));
      continue;
    }
    blocks.push(b);
  }
  blocks.push(context([`:white_check_mark: ${esc(decision.summary)} — by ${ctx.mention(decision.decidedBy)} at ${when(decision.decidedAt)}`]));
  if (view && !finished(view.status)) {
    if (planGate) blocks.push(...planModeRows(view.key, view.phases, nonce));
    const phase = phaseId ? view.phases.find((p) => p.id === phaseId) : undefined;
    if (phase && !['merged', 'skipped'].includes(phase.status)) blocks.push(...phaseModeRow(view.key, phase, nonce));
    blocks.push(...workItemControlRow(view.key, view.status === 'paused', nonce));
  }
  return message(`${clip(original.text, 200)} — ${decision.summary} (${decision.decidedBy})`, blocks.slice(-limits.messageBlocks));
}

export const planSummaryBlockId = 'plan-summary';

/** A failed plan draft: why, and what the owner can do about it. */
export function renderDraftFailed(p: { workItemKey: string; title: string; reason: string; attempts: number }, detailsUrl: string): Message {
  const blocks: Block[] = [
    header(`Plan draft failed — ${p.workItemKey}`),
    section(`*${esc(p.title)}*\nRH-A could not draft a plan: ${esc(clip(p.reason, 2_000))}`, { moreUrl: detailsUrl }),
    context([`Attempt ${p.attempts} · try again, or cancel the work item`]),
    ...actions(
      [
        controlButton(decisionActionId('retry-draft'), 'Try again', { workItemKey: p.workItemKey, kind: 'retry-draft', value: String(p.attempts) }, 'primary'),
        controlButton(decisionActionId('cancel'), 'Cancel work item', { workItemKey: p.workItemKey, kind: 'cancel', value: `draft-${p.attempts}` }, 'danger'),
      ],
      'draft-failed',
    ),
  ];
  return message(`The plan draft for ${p.workItemKey} failed: ${clip(p.reason, 300)}`, blocks);
}

/** The "Edit plan" button on a plan gate. */
export function editPlanButton(workItemKey: string): ButtonElement {
  return button({ actionId: ActionIds.openPlanEdit, label: 'Edit plan', value: encodeDecision({ workItemKey, kind: 'edit-plan' }) });
}

export interface PlanEditMetadata {
  key: string;
  version: number;
  phases: string[];
  prompt?: PromptRef;
}

export const phaseTitleBlock = (i: number) => `${InputIds.planPhaseTitlePrefix}${i}`;
export const phaseFilesBlock = (i: number) => `${InputIds.planPhaseFilesPrefix}${i}`;
export const phaseDependsBlock = (i: number) => `${InputIds.planPhaseDependsPrefix}${i}`;

/** While the plan is fetched: views.open must answer within 3 s of the tap, so the form follows by views.update. */
export function planEditLoadingModal(workItemKey: string): ModalView {
  return modal({ callbackId: CallbackIds.planEditModal, title: 'Edit plan', close: 'Close', blocks: [section(`Loading the plan of *${esc(workItemKey)}*…`)] });
}

export function planEditUnavailableModal(workItemKey: string, why: string): ModalView {
  return modal({
    callbackId: CallbackIds.planEditModal,
    title: 'Edit plan',
    close: 'Close',
    blocks: [section(`The plan of *${esc(workItemKey)}* cannot be edited: ${esc(why)}`)],
  });
}

/** The plan as a form: each phase's title, files and dependencies, and what changed (kept in the audit log). */
export function planEditModal(item: WorkItemDetail, prompt?: PromptRef): ModalView {
  const plan = item.plan!;
  const metadata: PlanEditMetadata = { key: item.key, version: item.planVersion, phases: plan.phases.map((p) => p.id), ...(prompt ? { prompt } : {}) };
  const blocks: Block[] = [
    section(`*${esc(item.key)}* ${esc(item.title)} — plan v${item.planVersion}. RH-A works from the plan you save; modes are switched on the gate.`),
  ];
  plan.phases.forEach((p, i) => {
    blocks.push(
      header(clip(`${i + 1}. ${p.id}`, limits.headerText)),
      textInput({ blockId: phaseTitleBlock(i), actionId: 'title', label: 'Title', initialValue: p.title, maxLength: 300 }),
      textInput({ blockId: phaseFilesBlock(i), actionId: 'files', label: 'Files (one per line)', multiline: true, initialValue: p.files.join('\n') }),
      textInput({
        blockId: phaseDependsBlock(i),
        actionId: 'depends',
        label: 'After phases (ids, comma-separated)',
        initialValue: p.dependsOn.join(', '),
        optional: true,
        maxLength: 500,
      }),
    );
  });
  blocks.push(
    textInput({
      blockId: InputIds.planNoteBlock,
      actionId: InputIds.planNoteAction,
      label: 'What changed, and why',
      multiline: true,
      placeholder: 'Kept with the plan version in the audit log',
      maxLength: 1_000,
    }),
  );
  return modal({
    callbackId: CallbackIds.planEditModal,
    title: 'Edit plan',
    submit: 'Save plan',
    close: 'Cancel',
    privateMetadata: JSON.stringify(metadata),
    blocks,
  });
}

/** What RH-A did in the phases before this one and what is left: the opening of a pair thread. */
export function renderPhaseAccount(account: PhaseAccount, detailsUrl: string): { text: string; blocks: Block[] } {
  const lines: string[] = [];
  if (account.earlier.length > 0) {
    lines.push(`*What RH-A did before ${esc(account.phaseId)}*`);
    for (const e of account.earlier) {
      lines.push(`• *${esc(e.phaseId)}* ${esc(e.title)} — ${esc(e.status)}, ${esc(modeLabels[e.mode])}${e.prUrl ? ` · ${link(e.prUrl, 'PR')}` : ''}`);
      if (e.files.length) lines.push(`   files: ${e.files.map((f) => `\`${esc(f)}\``).join(', ')}`);
      if (e.decisions.length) lines.push(`   decisions: ${esc(e.decisions.join('; '))}`);
      if (e.evidence.length) lines.push(`   evidence: ${esc(e.evidence.join('; '))}`);
    }
  } else {
    lines.push(`RH-A has not run any phase before ${esc(account.phaseId)} on its own.`);
  }
  lines.push('*What is left*');
  for (const l of account.left) {
    lines.push(
      `• *${esc(l.phaseId)}* ${esc(l.title)} — ${esc(l.status)}, ${esc(modeLabels[l.mode])}${l.files.length ? `\n   files: ${l.files.map((f) => `\`${esc(f)}\``).join(', ')}` : ''}`,
    );
    if (l.phaseId === account.phaseId) {
      if (l.constraints.length) lines.push(`   constraints: ${esc(l.constraints.join('; '))}`);
      if (l.validation.length) lines.push(`   checks: ${l.validation.map((v) => `\`${esc(v)}\``).join(', ')}`);
    }
  }
  const text = `${account.workItemKey} ${account.phaseId}: ${account.earlier.length} earlier phase(s) by RH-A, ${account.left.length} left`;
  return { text, blocks: listSections(lines, { maxSections: 4, noun: 'more lines', moreUrl: detailsUrl }) };
}

/** The hand-back button in a pair thread: the phase goes back to RH-A, which continues from the branch. */
export function handBackButton(workItemKey: string, phaseId: string): ButtonElement {
  return button({
    actionId: handBackActionId,
    label: 'Hand back to RH-A',
    value: encodeDecision({ workItemKey, kind: 'set-mode', phaseId, mode: 'autonomous', value: 'handback' }),
  });
}
