// A button's value carries the decision it stands for (without who tapped it: the tap supplies that), so a
// listener needs no lookup to know what was decided. Parsed strictly: a value is user-controlled input.
import { z } from 'zod';
import { decisionKinds, type DecisionRequest } from '../../orchestrator/port.js';
import { executionModes } from '../../contracts/vocabulary.js';

export const DecisionTemplate = z.strictObject({
  workItemKey: z.string().min(1).max(200),
  kind: z.enum(decisionKinds),
  phaseId: z.string().min(1).max(200).optional(),
  value: z.string().max(200).optional(),
  mode: z.enum(executionModes).optional(),
});
export type DecisionTemplate = z.infer<typeof DecisionTemplate>;

export function encodeDecision(template: DecisionTemplate): string {
  return JSON.stringify(DecisionTemplate.parse(template));
}

/** The template from a button value or modal metadata, or undefined when it is not one of ours. */
export function decodeDecision(value: string | undefined): DecisionTemplate | undefined {
  if (!value) return undefined;
  try {
    const parsed = DecisionTemplate.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function toRequest(
  template: DecisionTemplate,
  extra: Pick<DecisionRequest, 'actor' | 'surface' | 'idempotencyKey'> & Partial<Pick<DecisionRequest, 'reason' | 'text'>>,
): DecisionRequest {
  const request: DecisionRequest = {
    workItemKey: template.workItemKey,
    kind: template.kind,
    actor: extra.actor,
    surface: extra.surface,
    idempotencyKey: extra.idempotencyKey,
  };
  if (template.phaseId !== undefined) request.phaseId = template.phaseId;
  if (template.value !== undefined) request.value = template.value;
  if (template.mode !== undefined) request.mode = template.mode;
  if (extra.reason !== undefined) request.reason = extra.reason;
  if (extra.text !== undefined) request.text = extra.text;
  return request;
}
