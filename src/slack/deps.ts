// What every listener needs: the orchestrator port, the store (for the developer directory and the
// idempotency claims trigger.ts makes), the render context and a logger. Built once by createSlackApp and passed to each surface's registrar.
import type { Database } from '../db/client.js';
import { developers } from '../db/schema/core.js';
import type { Orchestrator } from '../orchestrator/port.js';
import type { Logger } from '../observability/logger.js';
import type { RenderContext } from './blocks/notifications.js';
import type { SlackInbox } from './inbox.js';
import type { PromptAudience } from './blocks/agent.js';

export interface Developer {
  id: string;
  displayName: string;
  slackUserId: string | null;
}

/** Slack user ↔ developer id, from the developers table (role files synced by the lead's loader). */
export class DeveloperDirectory {
  private bySlack = new Map<string, Developer>();
  private byId = new Map<string, Developer>();
  private loadedAt = 0;

  constructor(
    private readonly db: Database,
    private readonly maxAgeMs = 30_000,
  ) {}

  async refresh(force = false): Promise<void> {
    if (!force && Date.now() - this.loadedAt < this.maxAgeMs) return;
    const rows = await this.db.select({ id: developers.id, displayName: developers.displayName, slackUserId: developers.slackUserId }).from(developers);
    this.bySlack = new Map(rows.filter((r) => r.slackUserId).map((r) => [r.slackUserId!, r]));
    this.byId = new Map(rows.map((r) => [r.id, r]));
    this.loadedAt = Date.now();
  }

  /** The developer a Slack user is, or undefined for someone the team has not registered. */
  async forSlackUser(slackUserId: string): Promise<Developer | undefined> {
    await this.refresh();
    const known = this.bySlack.get(slackUserId);
    if (known) return known;
    // A role file may have been synced since the last load: one forced reload before refusing.
    await this.refresh(true);
    return this.bySlack.get(slackUserId);
  }

  async byDeveloperId(id: string): Promise<Developer | undefined> {
    await this.refresh();
    return this.byId.get(id);
  }

  /** Everyone on the roster (fresh from the store at most maxAgeMs old). */
  async roster(): Promise<Developer[]> {
    await this.refresh();
    return [...this.byId.values()];
  }

  /** Synchronous mention for renderers: `<@U…>` when the developer has a Slack id, else the name. */
  mention(developerId: string): string {
    const dev = this.byId.get(developerId);
    if (dev?.slackUserId) return `<@${dev.slackUserId}>`;
    return dev?.displayName ?? developerId;
  }
}

/** What Slack's agent surface needs beyond the orchestrator; each part is optional and its absence is said to the person. */
export interface AgentSurfaceDeps {
  /** A short-lived dashboard sign-in link for this developer (to the work item's page when given); undefined without a dashboard. */
  signInLink?(developerId: string, workItemKey?: string): { url: string; ttlMinutes: number };
  /** The person's role as suggested prompts care, read live so a changed role file applies at once. */
  audienceOf(developerId: string): PromptAudience;
  /** Knowledge proposals as the curator's review DM shows them; absent when this process has no knowledge store. */
  proposal?(id: number): Promise<{ id: number; title: string; body: string; status: string } | undefined>;
}

export interface SlackDeps {
  orchestrator: Orchestrator;
  db: Database;
  directory: DeveloperDirectory;
  render: RenderContext;
  logger: Logger;
  /** Where a listener records what the person asked for before it acknowledges, and which applies it. */
  inbox: SlackInbox;
  agent: AgentSurfaceDeps;
  /** Schedules the part of a listener that follows its ack (see createAfterAckQueue). */
  afterAck: (job: () => Promise<void>) => void;
}

/**
 * Work that follows an ack runs here: after the current I/O turn and a few at a time, so a burst of taps
 * gets every acknowledgement out before the slower follow-up (store, orchestrator, chat.update) competes
 * with them for the event loop. Errors are the job's own to report.
 */
export function createAfterAckQueue(logger: Logger, concurrency = 2) {
  const waiting: Array<() => Promise<void>> = [];
  let active = 0;
  const pump = () => {
    while (active < concurrency && waiting.length > 0) {
      const job = waiting.shift()!;
      active++;
      void job()
        .catch((err: unknown) => logger.error({ err: String(err) }, 'follow-up work failed'))
        .finally(() => {
          active--;
          setTimeout(pump, 0);
        });
    }
  };
  return (job: () => Promise<void>): void => {
    waiting.push(job);
    setTimeout(pump, 0);
  };
}
