// The same assessment rendered for three surfaces: the PR description (markdown), the "PR ready" Slack
// notification (compact mrkdwn) and the dashboard (plain data). Pure.
import { redactSecrets } from '../observability/logger.js';
import type { CheckAssessment, ConfidenceAssessment, Grade } from './model.js';

const gradeMark: Record<Grade, string> = { high: '●●●', medium: '●●○', low: '●○○', none: '○○○' };
const statusMark: Record<CheckAssessment['status'], string> = { pass: '✅', fail: '❌', missing: '⬜', 'n/a': '➖' };

/** Markdown cell text: no pipes or newlines, no secrets. */
function cell(text: string): string {
  return redactSecrets(text)
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ');
}

export function renderConfidenceMarkdown(a: ConfidenceAssessment): string {
  const lines = ['## Confidence', '', '| Level | Grade | Evidence | Missing |', '| --- | --- | --- | --- |'];
  for (const l of a.levels) {
    const evidence = l.checks
      .filter((c) => c.status === 'pass' || c.status === 'fail')
      .map((c) => `${statusMark[c.status]} ${cell(c.label)}: ${cell(c.detail ?? '')}`);
    lines.push(`| ${l.level} ${l.name} | ${l.grade} ${gradeMark[l.grade]} | ${evidence.join('<br>') || '—'} | ${l.missing.map(cell).join('<br>') || '—'} |`);
  }
  const sources = a.levels.flatMap((l) => l.checks.filter((c) => c.source && c.status !== 'missing').map((c) => `- ${cell(c.label)}: ${cell(c.source!)}`));
  if (sources.length > 0) lines.push('', '<details><summary>Where each piece of evidence comes from</summary>', '', ...sources, '', '</details>');
  if (a.asOf) lines.push('', `_Recomputed from ${a.evidenceCount} piece${a.evidenceCount === 1 ? '' : 's'} of evidence, as of ${a.asOf.toISOString()}._`);
  return lines.join('\n');
}

export interface CiSummary {
  passed: number;
  failed: number;
  /** Known flakes that were retried silently. */
  flakesRetried: number;
  pending: number;
}

export interface PrReadyInput {
  workItemKey: string;
  phaseTitle: string;
  prUrl: string;
  assessment: ConfidenceAssessment;
  ci: CiSummary;
  suggestedReviewers: Array<{ id: string; why: string }>;
}

/** Slack mrkdwn for the "PR ready" notification: one line per level, CI, reviewers. Escapes Slack control characters. */
export function renderPrReadyText(input: PrReadyInput): string {
  const esc = (s: string) => redactSecrets(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const levels = input.assessment.levels.map((l) => {
    const gap = l.failing.length > 0 ? ` — failing: ${l.failing.join(', ')}` : l.missing.length > 0 ? ` — missing: ${l.missing.join(', ')}` : '';
    return `${l.level} ${l.name}: *${l.grade}*${esc(gap)}`;
  });
  const ci = `CI: ${input.ci.passed} passed, ${input.ci.failed} failed${input.ci.flakesRetried ? `, ${input.ci.flakesRetried} known flake${input.ci.flakesRetried === 1 ? '' : 's'} retried` : ''}${input.ci.pending ? `, ${input.ci.pending} pending` : ''}`;
  const reviewers =
    input.suggestedReviewers.length > 0
      ? `Suggested reviewers: ${input.suggestedReviewers.map((r) => `${esc(r.id)} (${esc(r.why)})`).join(', ')}`
      : 'Suggested reviewers: none found in OWNERS for these files';
  return [
    `*PR ready* ${esc(input.workItemKey)} · ${esc(input.phaseTitle)}`,
    `<${input.prUrl}|${esc(input.prUrl.replace(/^https?:\/\//, ''))}>`,
    ...levels,
    ci,
    reviewers,
  ].join('\n');
}

/** Dashboard data: one row per level with counts, no prose. */
export function confidenceSummary(
  a: ConfidenceAssessment,
): Array<{ level: string; name: string; grade: Grade; score: number; missing: number; failing: number }> {
  return a.levels.map((l) => ({
    level: l.level,
    name: l.name,
    grade: l.grade,
    score: Math.round(l.score * 100) / 100,
    missing: l.missing.length,
    failing: l.failing.length,
  }));
}
