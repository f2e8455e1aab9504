// yes / edit first / no on a knowledge proposal, from any surface. The answer goes to the knowledge store
// (an accepted entry still waits for a curator before it enters tier 1) and to the audit log, once per
// idempotency key.
import { appendDecision } from '../db/work-items.js';
import type { Database } from '../db/client.js';
import type { KnowledgeStore } from './store.js';
import type { DecisionOutcome, DecisionRequest } from '../contracts/decisions.js';
import { RefusedDecision } from '../contracts/failures.js';

export function createKnowledgeDecisions(deps: { db: Database; knowledge: KnowledgeStore }) {
  return async function knowledgeDecision(request: DecisionRequest): Promise<DecisionOutcome> {
    const id = Number(request.proposalId ?? request.phaseId);
    if (!Number.isInteger(id)) throw new RefusedDecision('this knowledge proposal has no id');
    const proposal = await deps.knowledge.proposals.getProposal(id);
    if (!proposal) throw new RefusedDecision(`knowledge proposal ${id} does not exist`);
    if (proposal.developerId !== request.actor) throw new RefusedDecision(`only ${proposal.developerId} can answer this proposal`);
    const answer = request.value;
    if (answer !== 'yes' && answer !== 'edit' && answer !== 'no') throw new RefusedDecision(`unknown answer "${String(answer)}"; expected yes, edit or no`);

    let edited;
    if (answer === 'edit') {
      const [title, ...body] = (request.text ?? '').split(/\n\s*\n/);
      if (!title?.trim() || body.join('\n\n').trim().length < 20)
        throw new RefusedDecision('an edited entry needs a title, a blank line, then a body of at least 20 characters');
      edited = { ...proposal.draft, title: title.trim(), body: body.join('\n\n').trim() };
    }
    const audit = await appendDecision(deps.db, {
      idempotencyKey: request.idempotencyKey,
      workItemKey: proposal.workItemKey,
      phaseId: null,
      kind: 'knowledge-proposal',
      actor: request.actor,
      surface: request.surface,
      detail: { proposalId: id, answer },
    });
    const decidedAt = audit.decidedAt.toISOString();
    if (!audit.inserted) return { outcome: 'duplicate', summary: 'already answered', decidedBy: request.actor, decidedAt };

    const updated = await deps.knowledge.proposals.respondToProposal(id, request.actor, answer, edited);
    const summary =
      answer === 'no'
        ? 'declined the knowledge entry'
        : `${answer === 'edit' ? 'edited and accepted' : 'accepted'} the knowledge entry "${updated.draft.title}"; a curator reviews it before it enters the pattern library`;
    return { outcome: 'applied', summary, decidedBy: request.actor, decidedAt };
  };
}
