// The worker's sinks: the fast path of a decision. Workflow code calls decisions.commit while it takes a
// decision; the worker runs it after the activation and before the workflow task completes, so when the update
// returns to the surface the audit row is already committed, without the extra activation a local activity costs.
// A sink is not retried: on failure it logs, and the workflow's confirmDecisions activity stores the decision.
import type { InjectedSinks } from '@temporalio/worker';
import type { DecisionSinks } from '../../workflows/definitions.js';
import { redactSecrets, type Logger } from '../observability/logger.js';
import type { DecisionCommit } from '../contracts/decisions.js';

export function createDecisionSinks(
  activities: { commitDecision(commit: DecisionCommit): Promise<unknown> },
  logger: Pick<Logger, 'warn'>,
): InjectedSinks<DecisionSinks> {
  return {
    decisions: {
      commit: {
        fn: async (info, commit) => {
          try {
            await activities.commitDecision(commit);
          } catch (err) {
            // Only what identifies the decision: its detail may quote a person's words.
            logger.warn(
              {
                workflowId: info.workflowId,
                decision: { kind: commit.decision.kind, key: commit.decision.idempotencyKey },
                err: redactSecrets(err instanceof Error ? err.message : String(err)),
              },
              'decision not stored on the fast path; the workflow confirms it once the store answers',
            );
          }
        },
        // Replays re-run workflow code for decisions already taken: those were stored (or are being confirmed).
        callDuringReplay: false,
      },
    },
  };
}
