// One renderer per notification kind. Each returns a message already inside Slack's limits; the order is
// what a phone screen needs first: the situation, then the decision buttons, then links for the detail.
import type { NotificationPayload } from '../../contracts/notifications.js';
import type { CiFailureSummary } from '../../contracts/ci.js';
import type { DecisionKind, StarterTaskOffer } from '../../orchestrator/port.js';
import { ActionIds, decisionActionId } from '../ids.js';
import { encodeDecision, type DecisionTemplate } from './decision-value.js';
import { editPlanButton, phaseModeRow, planModeRows, planSummaryBlockId, renderDraftFailed, workItemControlRow } from './plan-control.js';
import {
  actions,
  button,
  clip,
  context,
  divider,
  escapeMrkdwn,
  header,
  limits,
  link,
  listSections,
  message,
  section,
  type Block,
  type ButtonElement,
  type Message,
} from './kit.js';

export interface RenderContext {
  /** Base URL of the team dashboard; every "see all" link points into it. */
  dashboardUrl: string;
  /** `<@U…>` for a developer with a Slack id, else their name: mentions must page the right person. */
  mention(developerId: string): string;
}

export const workItemUrl = (ctx: RenderContext, key: string, phaseId?: string) =>
  `${ctx.dashboardUrl.replace(/\/$/, '')}/work-items/${encodeURIComponent(key)}${phaseId ? `#phase-${encodeURIComponent(phaseId)}` : ''}`;

const esc = escapeMrkdwn;
const phaseLabel = (phaseId?: string) => (phaseId ? `phase *${esc(phaseId)}*` : 'the plan');

export function decisionButton(template: DecisionTemplate, label: string, style?: 'primary' | 'danger'): ButtonElement {
  const options: Parameters<typeof button>[0] = { actionId: decisionActionId(template.kind, template.value), label, value: encodeDecision(template) };
  if (style) options.style = style;
  return button(options);
}

export function linkButton(label: string, url: string, suffix = ''): ButtonElement {
  return button({ actionId: `${ActionIds.link}${suffix}`, label, url });
}

/** The button(s) that settle a pending decision of the given kind. */
function pendingDecisionButtons(d: { workItemKey: string; phaseId?: string; kind: string }, ctx: RenderContext, index: number): ButtonElement[] {
  const base = { workItemKey: d.workItemKey, ...(d.phaseId ? { phaseId: d.phaseId } : {}) };
  const open = linkButton('Open', workItemUrl(ctx, d.workItemKey, d.phaseId), `:${index}`);
  const approvable: Partial<Record<string, DecisionKind>> = { 'approve-phase': 'approve-phase', 'approve-plan': 'approve-plan', 'retry-draft': 'retry-draft' };
  const kind = approvable[d.kind];
  if (!kind) return [open];
  const approve = button({
    actionId: `${decisionActionId(kind)}:${index}`,
    label: kind === 'retry-draft' ? 'Try again' : 'Approve',
    style: 'primary',
    value: encodeDecision({ ...base, kind }),
  });
  return [approve, open];
}

export const orientationDoneLabel = 'Done — show me a starter task';
/** The actions block holding the orientation button: removed from the briefing once the orientation is done. */
export const orientationBlockId = 'orientation';

function renderBriefing(p: Extract<NotificationPayload, { kind: 'briefing' }>, ctx: RenderContext): Message {
  const blocks: Block[] = [header(`Good morning — ${p.date}`)];
  const situation: string[] = [];
  if (p.activeWorkItem) {
    const w = p.activeWorkItem;
    situation.push(
      `*${esc(w.key)}* ${esc(w.title)} — ${esc(w.status)}${w.phase ? `, ${phaseLabel(w.phase)}` : ''}${w.ticketStatus ? ` · Jira: ${esc(w.ticketStatus)}` : ''}`,
    );
  } else {
    situation.push('No active work item.');
  }
  if (p.lastContext) situation.push(`*Where you left off:* ${esc(p.lastContext)}`);
  if (p.hypothesis) situation.push(`*Your hypothesis:* ${esc(p.hypothesis)}`);
  blocks.push(section(situation.join('\n'), p.activeWorkItem ? { moreUrl: workItemUrl(ctx, p.activeWorkItem.key) } : {}));

  if (p.orientation) {
    blocks.push(
      ...listSections([`*${esc(p.orientation.title)}*`, ...p.orientation.steps.map((s, i) => `${i + 1}. ${esc(s)}`)], {
        noun: 'more steps',
        moreUrl: ctx.dashboardUrl,
      }),
    );
    blocks.push(
      ...actions([button({ actionId: ActionIds.orientationDone, label: orientationDoneLabel, style: 'primary', value: p.developerId })], orientationBlockId),
    );
  }

  if (p.pendingDecisions.length > 0) {
    blocks.push(divider(), section(`*Waiting for you (${p.pendingDecisions.length})*`));
    const shown = p.pendingDecisions.slice(0, 8);
    shown.forEach((d, i) => {
      blocks.push(section(`${esc(d.title)}\n_${esc(d.workItemKey)}${d.phaseId ? ` · ${esc(d.phaseId)}` : ''}_`));
      blocks.push(...actions(pendingDecisionButtons(d, ctx, i), `pending-${i}`));
    });
    if (p.pendingDecisions.length > shown.length)
      blocks.push(context([`…and ${p.pendingDecisions.length - shown.length} more — ${link(ctx.dashboardUrl, 'open the dashboard')}`]));
  }

  const failing = p.overnightCi.filter((c) => c.result !== 'success');
  if (p.overnightCi.length > 0) {
    blocks.push(divider());
    const flakes = failing.filter((c) => c.classification === 'known-flake').length;
    blocks.push(
      section(`*Overnight CI:* ${p.overnightCi.length - failing.length} passed, ${failing.length} failed${flakes ? ` (${flakes} known flakes, retried)` : ''}`),
    );
    const real = failing.filter((c) => c.classification !== 'known-flake');
    if (real.length > 0)
      blocks.push(
        ...listSections(
          real.map((c) => `• ${esc(c.pr)} — \`${esc(c.job)}\` ${esc(c.result)}`),
          { noun: 'more failures', moreUrl: ctx.dashboardUrl },
        ),
      );
  }

  const links: string[] = p.relatedPrs.map(
    (pr) => `• ${pr.url ? link(pr.url, pr.title) : `*${esc(pr.title)}*`} (${esc(pr.state)})${pr.why ? ` — ${esc(pr.why)}` : ''}`,
  );
  if (links.length > 0) blocks.push(divider(), section('*Related PRs*'), ...listSections(links, { noun: 'more PRs', moreUrl: ctx.dashboardUrl }));
  if (p.knowledge.length > 0) {
    blocks.push(section('*Team knowledge*'));
    blocks.push(
      ...listSections(
        p.knowledge.map((k) => `• _tier ${k.tier}_ *${esc(k.title)}* — ${esc(k.summary)}`),
        { noun: 'more notes', moreUrl: ctx.dashboardUrl },
      ),
    );
  }
  const text = `Briefing for ${p.date}: ${p.activeWorkItem ? `${p.activeWorkItem.key} ${p.activeWorkItem.status}` : 'no active work'}, ${p.pendingDecisions.length} decision(s) waiting`;
  return message(text, blocks, ctx.dashboardUrl);
}

function renderGate(p: Extract<NotificationPayload, { kind: 'gate' }>, ctx: RenderContext): Message {
  const base = { workItemKey: p.workItemKey, ...(p.phaseId ? { phaseId: p.phaseId } : {}) };
  const prefix = p.reminder === 'escalation' ? 'Escalated: ' : p.reminder === 'reminder' ? 'Reminder: ' : '';
  const blocks: Block[] = [
    header(`${prefix}${p.phaseId ? 'Phase gate' : 'Plan gate'} — ${p.workItemKey}`),
    section(`*${esc(p.title)}*\n${esc(p.summary)}`, {
      moreUrl: workItemUrl(ctx, p.workItemKey, p.phaseId),
      ...(p.phaseId ? {} : { blockId: planSummaryBlockId }),
    }),
  ];
  if (p.mode) blocks.push(context([`Mode: *${esc(p.mode)}*`]));
  const buttons = [decisionButton({ ...base, kind: p.phaseId ? 'approve-phase' : 'approve-plan' }, 'Approve', 'primary')];
  if (!p.phaseId) buttons.push(editPlanButton(p.workItemKey));
  buttons.push(
    button({ actionId: ActionIds.openRejectReason, label: 'Reject with reason', style: 'danger', value: encodeDecision({ ...base, kind: 'reject-phase' }) }),
  );
  buttons.push(linkButton('Details', workItemUrl(ctx, p.workItemKey, p.phaseId)));
  blocks.push(...actions(buttons, 'gate'));
  // Each phase's mode is switched where it is decided; the work item as a whole can be paused or cancelled.
  if (p.phaseId && p.mode) blocks.push(...phaseModeRow(p.workItemKey, { id: p.phaseId, mode: p.mode }, '0'));
  if (!p.phaseId && p.phases?.length) blocks.push(context(["Switch a phase's mode (numbers as in the plan):"]), ...planModeRows(p.workItemKey, p.phases, '0'));
  blocks.push(...workItemControlRow(p.workItemKey, false, '0'));
  return message(`${prefix}${p.workItemKey}: ${p.title} needs your approval`, blocks);
}

/** The in-place replacement of a decided prompt: the original situation stays, the buttons go. */
export function renderDecided(
  original: { text: string; blocks: Block[] },
  decision: { summary: string; decidedBy: string; decidedAt: string },
  ctx: RenderContext,
): Message {
  const kept = original.blocks.filter((b) => b.type !== 'actions' && !(b.type === 'section' && b.accessory !== undefined));
  const when = formatWhen(decision.decidedAt);
  kept.push(context([`:white_check_mark: ${esc(decision.summary)} — by ${ctx.mention(decision.decidedBy)} at ${when}`]));
  return message(`${clip(original.text, 200)} — ${decision.summary} (${decision.decidedBy})`, kept.slice(-limits.messageBlocks));
}

/** The briefing after its owner finished the orientation: the walk stays for reference, its button goes. */
export function renderOrientationDone(original: { text: string; blocks: Block[] }, completedAt: string): Message {
  const note = context([`:white_check_mark: Orientation finished at ${formatWhen(completedAt)}`]);
  const isButton = (b: Block) => b.type === 'actions' && typeof b.block_id === 'string' && b.block_id.startsWith(orientationBlockId);
  const blocks = original.blocks.some(isButton) ? original.blocks.map((b) => (isButton(b) ? note : b)) : [...original.blocks, note];
  return message(original.text, blocks.slice(-limits.messageBlocks));
}

/** The starter task offer that follows the orientation: the chosen work item with every criterion's reason, or why none fits. */
export function renderStarterTaskOffer(offer: StarterTaskOffer, ctx: RenderContext): Message {
  const blocks: Block[] = [header('Your starter task')];
  const c = offer.chosen;
  if (c) {
    blocks.push(
      section(`*${esc(c.workItemKey)}* ${esc(c.title)}${c.ownerId ? `\nCurrently with ${ctx.mention(c.ownerId)}: agree the hand-over with them.` : ''}`, {
        moreUrl: workItemUrl(ctx, c.workItemKey),
      }),
    );
    blocks.push(
      ...listSections(['*Why this one*', ...c.reasons.map((r) => `• ${esc(r.criterion)}: ${esc(r.why)}`)], {
        noun: 'more reasons',
        moreUrl: workItemUrl(ctx, c.workItemKey),
      }),
    );
  } else {
    const best = offer.considered[0];
    blocks.push(
      section(
        best
          ? `No open work item meets all four starter criteria yet. Closest: *${esc(best.workItemKey)}* ${esc(best.title)}, which misses ${best.missing.map((m) => `_${esc(m.criterion)}_ (${esc(m.why)})`).join('; ')}.`
          : 'No work item is open for a starter task yet (none in planning or awaiting plan approval). I will offer one when there is.',
      ),
    );
  }
  const others = offer.considered.filter((e) => e.workItemKey !== c?.workItemKey);
  if (others.length > 0) {
    blocks.push(
      ...listSections(
        [
          '*Also considered*',
          ...others.map((e) => `• ${esc(e.workItemKey)} ${esc(e.title)} — ${e.met}/4; misses ${e.missing.map((m) => esc(m.criterion)).join(', ')}`),
        ],
        { maxSections: 2, noun: 'more candidates', moreUrl: ctx.dashboardUrl },
      ),
    );
  }
  if (c) blocks.push(...actions([linkButton('Open the work item', workItemUrl(ctx, c.workItemKey), ':starter')], 'starter'));
  const text = c ? `Starter task: ${c.workItemKey} ${c.title}` : 'No starter task meets all four criteria yet';
  return message(text, blocks, ctx.dashboardUrl);
}

export function formatWhen(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  // Slack renders <!date^…> in each reader's own time zone; the fallback text is UTC.
  const seconds = Math.floor(date.getTime() / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time}|${date.toISOString().replace('T', ' ').slice(0, 16)} UTC>`;
}

function failureLine(f: CiFailureSummary): string {
  const name = f.test ? `\`${esc(clip(f.test, 300))}\`` : `\`${esc(f.job)}\``;
  const where = f.url ? ` ${link(f.url, 'log')}` : '';
  return `• ${name} — ${esc(clip(f.signature, 200))} _(${f.classification})_${where}`;
}

function renderCiAlert(p: Extract<NotificationPayload, { kind: 'ci-alert' }>, ctx: RenderContext): Message {
  const real = p.failures.filter((f) => f.classification !== 'known-flake');
  const flakes = p.failures.length - real.length;
  const base = { workItemKey: p.workItemKey, phaseId: p.phaseId, kind: 'ci-option' as const };
  const blocks: Block[] = [
    header(`CI blocked — ${p.workItemKey} ${p.phaseId}`),
    section(
      `${ctx.mention(p.ownerId)} ${real.length} blocking failure${real.length === 1 ? '' : 's'} on ${link(p.prUrl, 'the PR')}${flakes ? ` (${flakes} known flake${flakes === 1 ? '' : 's'} retried, not counted)` : ''}.`,
    ),
    ...listSections(real.map(failureLine), { maxSections: 3, noun: 'more failures', moreUrl: workItemUrl(ctx, p.workItemKey, p.phaseId) }),
  ];
  const first = real.find((f) => f.reason || f.excerpt);
  if (first?.reason) blocks.push(context([`Why it blocks: ${esc(clip(first.reason, 500))}`]));
  const excerpt = first?.excerpt;
  if (excerpt) {
    // Code fences cannot be cut mid-way or the rest of the message renders as code; clip the inner text.
    const inner = clip(excerpt.replace(/```/g, "'''"), 1_200);
    blocks.push(section('```' + inner + '```', { moreUrl: real.find((f) => f.url)?.url ?? p.prUrl }));
  }
  blocks.push(
    ...actions(
      [
        decisionButton({ ...base, value: 'fix-and-repush' }, 'Fix and re-push', 'primary'),
        decisionButton({ ...base, value: 'wait-for-me' }, 'Wait for me'),
        decisionButton({ ...base, value: 'skip-test' }, 'Skip this test', 'danger'),
        linkButton('Open PR', p.prUrl),
      ],
      'ci',
    ),
  );
  return message(`CI blocked on ${p.workItemKey} ${p.phaseId}: ${real.length} failure(s) — ${p.prUrl}`, blocks);
}

function renderPrReady(p: Extract<NotificationPayload, { kind: 'pr-ready' }>, ctx: RenderContext): Message {
  const blocks: Block[] = [
    header(`PR ready — ${p.workItemKey} ${p.phaseId}`),
    section(`${link(p.prUrl, 'Pull request')} is ready for review.\n*CI:* ${esc(p.ciSummary)}`),
  ];
  if (p.reviewers.length > 0) blocks.push(context([`Reviewers: ${p.reviewers.map((r) => ctx.mention(r)).join(', ')}`]));
  if (p.confidence.length > 0)
    blocks.push(
      ...listSections(
        p.confidence.map((c) => `• *${esc(c.level)}* ${esc(c.grade)} — ${esc(c.summary)}`),
        { noun: 'more levels', moreUrl: workItemUrl(ctx, p.workItemKey, p.phaseId) },
      ),
    );
  blocks.push(...actions([linkButton('Open PR', p.prUrl), linkButton('Evidence', workItemUrl(ctx, p.workItemKey, p.phaseId), ':evidence')]));
  return message(`PR ready for ${p.workItemKey} ${p.phaseId}: ${p.prUrl}`, blocks);
}

function renderReviewApproved(p: Extract<NotificationPayload, { kind: 'review-approved' }>, ctx: RenderContext): Message {
  const who = p.reviewer !== p.github ? `${ctx.mention(p.reviewer)} (@${esc(p.github)})` : `@${esc(p.github)}`;
  const blocks: Block[] = [
    header(`Approved — ${p.workItemKey} ${p.phaseId}`),
    section(
      `${who} approved ${link(p.prUrl, 'the pull request')}${p.ownersApprover ? ' as an OWNERS approver: L4 counts it.' : '; they are not an OWNERS approver of these files, so L4 does not count it yet.'}`,
    ),
  ];
  if (p.confidence.length > 0)
    blocks.push(
      ...listSections(
        p.confidence.map((c) => `• *${esc(c.level)}* ${esc(c.grade)} — ${esc(c.summary)}`),
        { noun: 'more levels', moreUrl: workItemUrl(ctx, p.workItemKey, p.phaseId) },
      ),
    );
  blocks.push(
    ...actions(
      [
        decisionButton({ workItemKey: p.workItemKey, kind: 'ready-to-merge', phaseId: p.phaseId, value: p.prUrl }, 'Ready to merge?', 'primary'),
        linkButton('Open PR', p.prUrl),
      ],
      'merge',
    ),
  );
  return message(`${p.github} approved ${p.workItemKey} ${p.phaseId}: ${p.prUrl}`, blocks);
}

function renderHandoff(p: Extract<NotificationPayload, { kind: 'handoff' }>, ctx: RenderContext): Message {
  const url = workItemUrl(ctx, p.workItemKey, p.phaseId);
  const bullets = (title: string, items: string[]) =>
    items.length ? listSections([`*${title}*`, ...items.map((i) => `• ${esc(i)}`)], { noun: 'more', moreUrl: url }) : [];
  const blocks: Block[] = [
    header(`Handoff — ${p.workItemKey} ${p.phaseId}: ${p.from} → ${p.to}`),
    section(`*Why:* ${esc(p.why)}`, { moreUrl: url }),
    ...bullets('Done so far', p.done),
    ...bullets('Next', p.next),
    ...bullets('Evidence', p.evidence),
  ];
  return message(`Handoff on ${p.workItemKey} ${p.phaseId}: ${p.from} → ${p.to}`, blocks, url);
}

function renderKnowledgeProposal(p: Extract<NotificationPayload, { kind: 'knowledge-proposal' }>, ctx: RenderContext): Message {
  const base = { workItemKey: p.workItemKey, kind: 'knowledge-proposal' as const, phaseId: p.proposalId };
  const blocks: Block[] = [
    header('Keep this as team knowledge?'),
    section(`*${esc(p.title)}*\n${esc(p.body)}`, { moreUrl: `${ctx.dashboardUrl.replace(/\/$/, '')}/knowledge/proposals/${encodeURIComponent(p.proposalId)}` }),
    context([`From ${esc(p.workItemKey)} · proposal ${esc(p.proposalId)}`]),
    ...actions(
      [
        decisionButton({ ...base, value: 'yes' }, 'Yes', 'primary'),
        button({ actionId: ActionIds.openKnowledgeEdit, label: 'Edit first', value: encodeDecision({ ...base, value: 'edit' }) }),
        decisionButton({ ...base, value: 'no' }, 'No'),
      ],
      'knowledge',
    ),
  ];
  return message(`Knowledge proposal: ${p.title}`, blocks);
}

function renderOverlap(p: Extract<NotificationPayload, { kind: 'overlap' }>, ctx: RenderContext): Message {
  const blocks: Block[] = [
    section(`:busts_in_silhouette: *${esc(p.workItemKey)}* overlaps with *${esc(p.otherWorkItemKey)}* (${ctx.mention(p.otherOwnerId)}).`),
    ...listSections(
      p.shared.map((s) => `• \`${esc(s)}\``),
      { noun: 'more shared areas', moreUrl: workItemUrl(ctx, p.workItemKey) },
    ),
    ...actions([linkButton('Compare', workItemUrl(ctx, p.workItemKey))]),
  ];
  return message(`${p.workItemKey} overlaps with ${p.otherWorkItemKey}`, blocks);
}

function renderBudget(p: Extract<NotificationPayload, { kind: 'budget' }>, _ctx: RenderContext): Message {
  const percent = p.capTokens > 0 ? Math.round((p.spentTokens / p.capTokens) * 100) : 100;
  const base = { workItemKey: p.workItemKey, kind: 'budget' as const, ...(p.phaseId ? { phaseId: p.phaseId } : {}) };
  const blocks: Block[] = [
    section(
      `:warning: *${esc(p.workItemKey)}* has used ${p.spentTokens.toLocaleString('en-US')} of ${p.capTokens.toLocaleString('en-US')} tokens (${percent}%).`,
    ),
    ...actions([decisionButton({ ...base, value: 'continue' }, 'Continue', 'primary'), decisionButton({ ...base, value: 'stop' }, 'Stop', 'danger')], 'budget'),
  ];
  return message(`${p.workItemKey}: token budget at ${percent}%`, blocks);
}

const driftProblem = { 'symbol-moved': 'moved', 'symbol-missing': 'no longer declared there', 'file-gone': 'file gone' } as const;

/** A proposal to the model's owners: each broken reference, where the model holds it, and where it likely went. */
function renderModelDrift(p: Extract<NotificationPayload, { kind: 'model-drift' }>, ctx: RenderContext): Message {
  const commit = p.commit.slice(0, 12);
  const lines = p.broken.map(
    (b) =>
      `• \`${esc(b.ref)}\` ${driftProblem[b.problem]}: ${b.likelyNewPlace ? `likely now \`${esc(b.likelyNewPlace)}\`` : 'no likely new place found'}\n   _${esc(b.where)}_`,
  );
  const blocks: Block[] = [
    header('Domain model drift'),
    section(
      `The target's default branch at \`${commit}\` breaks ${p.broken.length} model reference${p.broken.length === 1 ? '' : 's'} that held at \`${esc(p.baseline.slice(0, 12))}\`. Proposal: point each at its likely new place in \`domain-models/\`, then check with \`sitroom model drift\`.`,
    ),
    ...listSections(lines, { noun: 'more broken references', moreUrl: ctx.dashboardUrl }),
    context([
      `model ${esc(p.modelDigest)}${p.ownersOutsideRoster.length ? ` · also owners, outside the roster: ${p.ownersOutsideRoster.map(esc).join(', ')}` : ''}`,
    ]),
  ];
  return message(`Domain model drift at ${commit}: ${p.broken.length} broken reference${p.broken.length === 1 ? '' : 's'}`, blocks);
}

export function renderNotification(payload: NotificationPayload, ctx: RenderContext): Message {
  switch (payload.kind) {
    case 'briefing':
      return renderBriefing(payload, ctx);
    case 'gate':
      return renderGate(payload, ctx);
    case 'decision-recorded':
      return message(payload.text, [
        section(`:white_check_mark: ${esc(payload.text)}`),
        context([`${esc(payload.workItemKey)}${payload.phaseId ? ` · ${esc(payload.phaseId)}` : ''}`]),
      ]);
    case 'ci-alert':
      return renderCiAlert(payload, ctx);
    case 'pr-ready':
      return renderPrReady(payload, ctx);
    case 'review-approved':
      return renderReviewApproved(payload, ctx);
    case 'handoff':
      return renderHandoff(payload, ctx);
    case 'pair-reply':
      return message(payload.text, [section(esc(payload.text))]);
    case 'knowledge-proposal':
      return renderKnowledgeProposal(payload, ctx);
    case 'overlap':
      return renderOverlap(payload, ctx);
    case 'budget':
      return renderBudget(payload, ctx);
    case 'model-drift':
      return renderModelDrift(payload, ctx);
    case 'info':
      return message(payload.text, [section(esc(payload.text))]);
    case 'draft-failed':
      return renderDraftFailed(payload, workItemUrl(ctx, payload.workItemKey));
  }
}

/** Several silent items as one end-of-day message. */
export function renderDigest(items: Array<{ kind: string; text: string }>, ctx: RenderContext): Message {
  const blocks: Block[] = [
    header(`Today's digest (${items.length})`),
    ...listSections(
      items.map((i) => `• _${esc(i.kind)}_ ${esc(clip(i.text, 300))}`),
      { maxSections: 5, noun: 'more items', moreUrl: ctx.dashboardUrl },
    ),
  ];
  return message(`Digest: ${items.length} item(s) from today`, blocks);
}

/** A one-line summary of a payload, for digests and notification text. */
export function summariseNotification(payload: NotificationPayload): string {
  return renderNotification(payload, { dashboardUrl: 'http://localhost', mention: (id) => id }).text;
}
