// Repositories for what a phase accumulates besides its state: the agent's progress notes (evidence) and
// the confidence assessment pr-ready stored when CI went green.
import { and, eq } from 'drizzle-orm';
import type { Database } from './client.js';
import { phases } from './schema/core.js';

function phaseKey(workItemKey: string, phaseId: string) {
  return and(eq(phases.workItemKey, workItemKey), eq(phases.phaseId, phaseId));
}

/** The phase's latest progress notes (JSON as the agent activity wrote them), or undefined. */
export async function phaseEvidence(db: Database, workItemKey: string, phaseId: string): Promise<unknown> {
  const [row] = await db.select({ evidence: phases.evidence }).from(phases).where(phaseKey(workItemKey, phaseId));
  return row?.evidence;
}

export async function savePhaseEvidence(db: Database, workItemKey: string, phaseId: string, evidence: unknown): Promise<void> {
  await db.update(phases).set({ evidence }).where(phaseKey(workItemKey, phaseId));
}

/** The confidence assessment stored for the phase (JSON), or undefined. */
export async function phaseConfidence(db: Database, workItemKey: string, phaseId: string): Promise<unknown> {
  const [row] = await db.select({ confidence: phases.confidence }).from(phases).where(phaseKey(workItemKey, phaseId));
  return row?.confidence;
}

export async function savePhaseConfidence(db: Database, workItemKey: string, phaseId: string, confidence: unknown): Promise<void> {
  await db.update(phases).set({ confidence }).where(phaseKey(workItemKey, phaseId));
}
