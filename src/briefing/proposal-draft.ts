// The knowledge proposal drafted when a work item resolves: what the team could learn from how it ran.
import { impactOf } from '../domain/index.js';
import type { DomainInsight } from '../knowledge/insight.js';
import type { ProposalDraftInput } from '../knowledge/proposal-queue.js';
import { redactSecrets } from '../observability/logger.js';
import type { Plan } from '../plan/schema.js';
import { oneLine, slug } from './text.js';

interface DraftSources {
  item: { key: string; title: string; intention: string };
  plan: Plan;
  phases: Array<{ phaseId: string; title: string; mode: string; status: string; prUrl: string | null; evidence: unknown }>;
  decisions: Array<{ kind: string; phaseId: string | null; actor: string; detail: unknown }>;
  model: DomainInsight['model'];
}

const literalPath = /^[^\s:#*?[\]]+$/;

/**
 * What the team could learn from a resolved work item: the plan as it finally ran, what a reviewer rejected
 * and why (the most useful lesson), the CI failures that turned out real or flaky, and the evidence the
 * phases closed with. Applicability comes from the domain model's impact of the plan's files.
 */
export function draftFromWorkItem(src: DraftSources): ProposalDraftInput {
  const files = [...new Set(src.plan.phases.flatMap((p) => p.files))];
  const impact = impactOf(src.model, files);
  const rowOf = new Map(src.phases.map((p) => [p.phaseId, p]));
  const lines: string[] = [`From ${src.item.key} (resolved): ${src.item.intention || src.item.title}`];
  if (src.plan.summary) lines.push('', src.plan.summary);
  lines.push('', 'How it was done, in merge order:');
  for (const p of [...src.plan.phases].sort((a, b) => a.mergeOrder - b.mergeOrder)) {
    const row = rowOf.get(p.id);
    const validation = p.validation.map((v) => `\`${v.command}\``).join(', ');
    lines.push(
      `- ${p.title} (${row?.mode ?? p.mode ?? p.activity}${row ? `, ${row.status}` : ''})${p.files.length ? `: ${p.files.join(', ')}` : ''}${validation ? `; validated by ${validation}` : ''}${row?.prUrl ? `; ${row.prUrl}` : ''}`,
    );
    for (const c of p.constraints) lines.push(`  - constraint: ${c}`);
  }
  const rejections = src.decisions.filter((d) => d.kind === 'reject-phase' || d.kind === 'reject-plan');
  if (rejections.length > 0) {
    lines.push('', 'What reviewers pushed back on:');
    for (const r of rejections)
      lines.push(`- ${r.phaseId ? `phase ${r.phaseId}` : 'the plan'}, ${r.actor}: ${(r.detail as { reason?: string }).reason ?? 'no reason recorded'}`);
  }
  const ci = src.decisions.filter((d) => d.kind === 'ci-alert' || d.kind === 'ci-retry');
  if (ci.length > 0) {
    lines.push('', 'CI along the way:');
    for (const d of ci) {
      const detail = d.detail as { job?: string; tests?: string[]; failures?: Array<{ test?: string; classification?: string; signature?: string }> };
      if (d.kind === 'ci-retry') lines.push(`- ${d.phaseId}: known flake retried on ${detail.job ?? 'a job'} (${(detail.tests ?? []).join(', ')})`);
      else
        for (const f of detail.failures ?? [])
          lines.push(`- ${d.phaseId}: ${f.test ?? detail.job} failed (${f.classification ?? 'unknown'}): ${f.signature ?? ''}`.trimEnd());
    }
  }
  const evidence = src.phases.flatMap((p) => ((p.evidence as { evidence?: string[] } | null)?.evidence ?? []).slice(0, 6).map((e) => `- ${p.phaseId}: ${e}`));
  if (evidence.length > 0) lines.push('', 'Evidence the phases closed with:', ...evidence);
  if (impact.invariants.length > 0) lines.push('', `Lifecycle invariants this area touches: ${impact.invariants.map((i) => i.id).join(', ')}.`);

  const title = oneLine(`${src.item.key}: ${src.item.title}`, 160).padEnd(5, '.');
  const idBase = `${src.item.key.toLowerCase()}-${slug(src.item.title)}`.slice(0, 80).replace(/-+$/, '');
  return {
    id: /^[a-z]/.test(idBase) ? idBase : `wi-${idBase}`.slice(0, 80),
    title,
    body: redactSecrets(lines.join('\n')).slice(0, 8_000),
    applicability: {
      components: impact.components.map((c) => c.id),
      files,
      platforms: impact.platforms.scope === 'platform-specific' ? impact.platforms.specific : [],
    },
    references: files.filter((f) => literalPath.test(f)),
    topics: [],
  };
}
