// App Home (the always-visible situation zone) and the two modals: "reject with reason" on a gate and
// "edit first" on a knowledge proposal. Modal metadata carries the decision and where the prompt lives,
// so the submission can update the original message in place.
import type { Situation } from '../../orchestrator/port.js';
import { inputParts, type CiHealthView, type CiTestState, type TrendPoint } from '../../knowledge/flake-decisions.js';
import { CallbackIds, InputIds } from '../ids.js';
import { encodeDecision, type DecisionTemplate } from './decision-value.js';
import { decisionButton, linkButton, workItemUrl, type RenderContext } from './notifications.js';
import { modeButtons, modeLabels, workItemButtons } from './plan-control.js';
import {
  actions,
  context,
  divider,
  escapeMrkdwn as esc,
  header,
  homeView,
  limits,
  link,
  listSections,
  modal,
  section,
  textInput,
  type Block,
  type HomeView,
  type ModalView,
  type PromptRef,
} from './kit.js';

/** The `/sitroom status` reply: every title and id comes from people, Jira or GitHub, so each is escaped. */
export function renderStatusText(s: Situation): string {
  const lines = s.workItems.map(
    (w) => `• *${esc(w.key)}* ${esc(w.title)} — ${esc(w.status)}; ${w.phases.map((p) => `${esc(p.id)}: ${esc(p.status)}`).join(', ')}`,
  );
  const pending = s.pendingDecisions.map((d) => `• ${esc(d.title)} (${esc(d.workItemKey)}${d.phaseId ? ` ${esc(d.phaseId)}` : ''})`);
  // Slack's limit on a message's text is 40,000 characters (https://docs.slack.dev/reference/methods/chat.postMessage#truncating).
  return [
    `*Active work (${s.workItems.length})*`,
    ...(lines.length ? lines : ['none']),
    `*Waiting for you (${pending.length})*`,
    ...(pending.length ? pending : ['nothing']),
  ]
    .join('\n')
    .slice(0, 39_000);
}

/** Tests shown on App Home, worst first; the dashboard lists them all. Keeps the view far under its 100 blocks. */
export const homeCiTests = 5;
/** Runs in a test's trend line on App Home: ten glyphs fit a phone's line beside nothing else. */
const homeTrendRuns = 10;

const stateMark: Record<CiTestState, string> = {
  broken: ':red_circle:',
  regressed: ':large_orange_circle:',
  flaky: ':large_yellow_circle:',
  healthy: ':large_green_circle:',
};
const trendGlyph: Record<TrendPoint, string> = { pass: '✓', flake: '↻', fail: '✗' };

/**
 * CI health as App Home shows it: the same view the dashboard draws (loadCiHealth), worst state first. The
 * dashboard's trend is an inline SVG; Block Kit has no inline graphics and an image block needs a URL Slack's
 * servers can fetch without the dashboard's sign-in, so the trend is written as one glyph per commit instead.
 */
export function ciHealthBlocks(v: CiHealthView, ctx: RenderContext): Block[] {
  const count = (state: CiTestState) => v.tests.filter((t) => t.state === state).length;
  const tally = (['broken', 'regressed', 'flaky', 'healthy'] as const)
    .filter((state) => count(state) > 0)
    .map((state) => `${count(state)} ${state}`)
    .join(' · ');
  const blocks: Block[] = [divider(), section(`*CI health*${tally ? `\n${tally}` : ''}`)];
  if (v.history && !v.history.ok) blocks.push(context([`Sippy import failed: ${esc(v.history.error ?? 'unknown error')}. Decisions use watched runs.`]));
  if (v.tests.length === 0) return [...blocks, context(['No CI results recorded yet.'])];
  for (const t of v.tests.slice(0, homeCiTests)) {
    const trend = t.trend
      .slice(-homeTrendRuns)
      .map((p) => trendGlyph[p])
      .join('');
    const inputs = inputParts(t);
    // Short lines for a phone: the name, the trend, then the inputs over two lines.
    const lines = [
      `${stateMark[t.state]} *${t.state}* \`${esc(t.test.replace(/`/g, "'"))}\``,
      ...(trend ? [`${trend}  _oldest → newest_`] : []),
      `${inputs.retries} · ${inputs.job}`,
      inputs.history,
    ];
    blocks.push(section(lines.join('\n')));
  }
  const rest = v.tests.length - homeCiTests;
  blocks.push(
    context([
      `${rest > 0 ? `…and ${rest} more ${rest === 1 ? 'test' : 'tests'} · ` : ''}✓ passed · ↻ passed on retry · ✗ failed · ${link(ctx.dashboardUrl, 'CI health on the dashboard')}`,
    ]),
  );
  return blocks;
}

export function renderHome(s: Situation, ctx: RenderContext, ciHealth?: CiHealthView): HomeView {
  const blocks: Block[] = [
    header('Situation Room'),
    context([`For ${ctx.mention(s.developerId)} · updated <!date^${Math.floor(Date.now() / 1000)}^{time}|now>`]),
  ];

  blocks.push(section(`*Pending decisions (${s.pendingDecisions.length})*`));
  if (s.pendingDecisions.length === 0) blocks.push(context(['Nothing is waiting for you.']));
  s.pendingDecisions.slice(0, 10).forEach((d, i) => {
    const base = { workItemKey: d.workItemKey, ...(d.phaseId ? { phaseId: d.phaseId } : {}) };
    blocks.push(section(`${esc(d.title)}\n_${esc(d.workItemKey)}${d.phaseId ? ` · ${esc(d.phaseId)}` : ''} · since ${esc(d.since)}_`));
    const buttons =
      d.kind === 'approve-phase' || d.kind === 'approve-plan'
        ? [decisionButton({ ...base, kind: d.kind }, 'Approve', 'primary')]
        : d.kind === 'retry-draft'
          ? [decisionButton({ ...base, kind: d.kind, value: d.since }, 'Try again', 'primary')]
          : [];
    buttons.push(linkButton('Open', workItemUrl(ctx, d.workItemKey, d.phaseId), `:home-${i}`));
    blocks.push(...actions(buttons, `home-pending-${i}`));
  });
  if (s.pendingDecisions.length > 10) blocks.push(context([`…and ${s.pendingDecisions.length - 10} more on the dashboard`]));

  blocks.push(divider(), section(`*Active work (${s.workItems.length})*`));
  if (s.workItems.length === 0) blocks.push(context(['No active work items. Try `/sitroom plan HOSTEDCP-123 &lt;intention&gt;`.']));
  // Refreshed on every publish, so a pause after a resume is a new tap (its key derives from the value).
  const nonce = Date.now().toString(36);
  s.workItems.slice(0, 15).forEach((w, wi) => {
    const phases = w.phases.map((p) => `${esc(p.id)} ${p.status === 'merged' || p.status === 'done' ? '✓' : `(${esc(p.status)}, ${esc(p.mode)})`}`).join(' → ');
    const failed = w.draftFailure ? `\n_The plan draft failed: ${esc(w.draftFailure.reason.slice(0, 300))}_` : '';
    blocks.push(
      section(`*${esc(w.key)}* ${esc(w.title)} — ${esc(w.status)}, plan v${w.planVersion}\n${phases}${failed}`, { moreUrl: workItemUrl(ctx, w.key) }),
    );
    // Its controls: pause or resume, cancel, and each open phase's mode (full auto, pair, needs approval).
    const open = w.phases.map((p, i) => ({ p, i })).filter(({ p }) => p.status !== 'merged' && p.status !== 'skipped');
    const modes = open.flatMap(({ p, i }) => modeButtons(w.key, p, i, nonce, (m) => `${p.id}: ${modeLabels[m]}`));
    blocks.push(...actions([...workItemButtons(w.key, w.status === 'paused', nonce, `:w${wi}`), ...modes], `home-controls-${wi}`));
  });
  if (s.workItems.length > 15) blocks.push(context([`…and ${s.workItems.length - 15} more on the dashboard`]));

  blocks.push(divider(), section('*Recent CI*'));
  if (s.recentCi.length === 0) blocks.push(context(['No CI runs yet.']));
  else
    blocks.push(
      ...listSections(
        s.recentCi.map(
          (c) => `• ${esc(c.workItemKey)} ${esc(c.phaseId)} \`${esc(c.job)}\` ${esc(c.result)}${c.classification ? ` _(${esc(c.classification)})_` : ''}`,
        ),
        { maxSections: 2, noun: 'more runs', moreUrl: ctx.dashboardUrl },
      ),
    );

  if (ciHealth) blocks.push(...ciHealthBlocks(ciHealth, ctx));

  blocks.push(divider(), section('*Recent knowledge*'));
  if (s.recentKnowledge.length === 0) blocks.push(context(['No new knowledge entries.']));
  else
    blocks.push(
      ...listSections(
        s.recentKnowledge.map((k) => `• _tier ${k.tier}_ ${esc(k.title)}`),
        { maxSections: 2, noun: 'more entries', moreUrl: ctx.dashboardUrl },
      ),
    );

  return homeView(blocks, CallbackIds.home, ctx.dashboardUrl);
}

/** Where a prompt lives, so a modal submission can update it in place. */

export interface ModalMetadata {
  decision: DecisionTemplate;
  prompt?: PromptRef;
}

export function encodeModalMetadata(m: ModalMetadata): string {
  return JSON.stringify({ d: JSON.parse(encodeDecision(m.decision)) as unknown, p: m.prompt });
}

export function rejectReasonModal(decision: DecisionTemplate, prompt?: PromptRef): ModalView {
  const target = decision.phaseId ? `phase ${decision.phaseId} of ${decision.workItemKey}` : `the plan for ${decision.workItemKey}`;
  return modal({
    callbackId: CallbackIds.rejectReasonModal,
    title: 'Reject with reason',
    submit: 'Reject',
    close: 'Cancel',
    privateMetadata: encodeModalMetadata({ decision: { ...decision, kind: 'reject-phase' }, ...(prompt ? { prompt } : {}) }),
    blocks: [
      section(`Rejecting *${esc(target)}*. The agent reads your reason before it revises the work.`),
      textInput({
        blockId: InputIds.reasonBlock,
        actionId: InputIds.reasonAction,
        label: 'Why?',
        multiline: true,
        placeholder: 'What is wrong, and what would make it right',
        maxLength: limits.plainTextInputMaxLength,
      }),
    ],
  });
}

export function knowledgeEditModal(decision: DecisionTemplate, proposal: { title: string; body: string }, prompt?: PromptRef): ModalView {
  return modal({
    callbackId: CallbackIds.knowledgeEditModal,
    title: 'Edit knowledge entry',
    submit: 'Save',
    close: 'Cancel',
    privateMetadata: encodeModalMetadata({ decision: { ...decision, value: 'edit' }, ...(prompt ? { prompt } : {}) }),
    blocks: [
      textInput({
        blockId: InputIds.knowledgeTitleBlock,
        actionId: InputIds.knowledgeTitleAction,
        label: 'Title',
        initialValue: proposal.title,
        maxLength: 150,
      }),
      textInput({
        blockId: InputIds.knowledgeBodyBlock,
        actionId: InputIds.knowledgeBodyAction,
        label: 'Entry',
        multiline: true,
        initialValue: proposal.body,
        hint: 'Curated entries outrank learned experience; keep it specific and checkable.',
      }),
    ],
  });
}
