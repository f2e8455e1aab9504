// The composition root: binds RH-O's ports to real parts — the store, the team config, the domain model,
// the knowledge tiers, RH-A and the code host / CI (GitHub + Prow when GITHUB_TOKEN is set, the local git
// mode otherwise). Processes (dev, worker, slack) and the end-to-end tests build on this one function, from
// the environment the config room parsed at start (src/config/environment.ts).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { createActivities, type Activities } from '../activities/index.js';
import type { Environment } from '../config/environment.js';
import type { CiPort } from '../contracts/ports.js';
import { createAgent, type Agent } from '../agent/steps.js';
import { openStore, type OpenStore } from '../db/client.js';
import { repoRoot } from '../paths.js';
import { activeWorkItems, phaseByPrUrl, phaseDecisions, recentCiDecisions, upsertDevelopers, workItemsOwnedBy } from '../db/work-items.js';
import { phaseEvidence } from '../db/phases.js';
import { loadTree } from '../domain/index.js';
import { createExampleRepo } from '../integrations/example-repo.js';
import { createJira, type IssueTracker } from '../integrations/jira.js';
import { git } from '../integrations/git.js';
import { createLocalCi, createLocalCodeHost } from '../integrations/local.js';
import { createModelDriftCheck } from '../integrations/model-drift.js';
import { KnowledgeStore, curatorsFromConfig } from '../knowledge/store.js';
import { CalibrationStore } from '../db/calibration.js';
import { loadPatternFiles } from '../knowledge/patterns.js';
import { createLogger, type Logger } from '../observability/logger.js';
import type { Orchestrator } from '../orchestrator/port.js';
import { createTemporalOrchestrator } from '../orchestrator/temporal.js';
import { createAgentPort } from '../activities/agent-port.js';
import { createCiKnowledge } from '../knowledge/ci-knowledge.js';
import { createConfigSource, type ConfigSource } from '../config/source.js';
import { createDomainInsight, type DomainInsight } from '../knowledge/insight.js';
import { createGitHubMode } from '../integrations/ci/github-mode.js';
import { createLocalCiPort } from '../integrations/ci/local-mode.js';
import { createKnowledgeDecisions } from '../knowledge/decisions.js';
import { createMemoryPort } from '../briefing/memory.js';
import { createOnboarding } from '../knowledge/onboarding-offers.js';
import { assessPhase, createPrReady, renderPrDescription, reviewersFor } from '../confidence/pr-ready.js';

export interface CoreOptions {
  /** The process's environment, parsed once at start. */
  environment: Environment;
  /** Folder for embedded state: PGlite, the local target repository, worktrees. */
  dataDir?: string;
  /** An already open store (tests); otherwise DATABASE_URL or PGlite under dataDir. */
  store?: OpenStore;
  logger?: Logger;
  /** Overrides the agent (tests of the Claude path use a loopback Messages API through the environment instead). */
  agent?: Agent;
}

export interface Core {
  environment: Environment;
  dataDir: string;
  logger: Logger;
  store: OpenStore;
  config: ConfigSource;
  insight: DomainInsight;
  knowledge: KnowledgeStore;
  agent: Agent;
  ci: CiPort;
  targetRepo: string;
  mode: 'local' | 'github';
  /** Jira, when JIRA_URL and JIRA_TOKEN are set. */
  issues?: IssueTracker;
  activities: Activities;
  close(): Promise<void>;
}

/** TARGET_REPO when set; otherwise a git copy of the shipped example repository under the data folder. */
export async function resolveTargetRepo(configured: string | undefined, dataDir: string): Promise<string> {
  if (configured) return resolve(configured);
  const dir = join(dataDir, 'target-repo');
  if (!existsSync(join(dir, '.git'))) await createExampleRepo(dir);
  return dir;
}

export async function createCore(options: CoreOptions): Promise<Core> {
  const { environment } = options;
  const dataDir = resolve(options.dataDir ?? join(repoRoot, '.data'));
  const logger = options.logger ?? createLogger('sitroom', environment.logging.level);
  const targetRepo = await resolveTargetRepo(environment.paths.targetRepo, dataDir);
  const config = createConfigSource(targetRepo, logger);
  const store = options.store ?? (await openStore({ url: environment.database.url, dataDir: join(dataDir, 'pglite') }));
  const { team, roles } = config.current();
  await upsertDevelopers(store.db, roles.values());

  const insight = createDomainInsight();
  const knowledge = new KnowledgeStore(store.db, { curators: curatorsFromConfig(config.current()) });
  await knowledge.syncPatternLibrary(loadPatternFiles(targetRepo, team.pattern_library));
  // The sandbox's build cache is the per-user default, shared by every store on this machine: a cache per data
  // folder is cold for each new one, and a cold Go build outlasts the step's heartbeat window.
  const agent = options.agent ?? createAgent({ targetRepo, team, anthropic: environment.anthropic, sandbox: { hide: [dataDir] } });

  // GitHub mode: PRs on GitHub, Prow CI, tide merges; results are polled unless the CI webhook pushes them.
  const github = environment.github.token ? createGitHubMode(environment.github, team) : undefined;
  const localHost = createLocalCodeHost(targetRepo);
  const host = github?.host ?? localHost;
  const ci = github?.ci ?? createLocalCiPort({ repo: targetRepo, defaultBranch: team.target.default_branch, host: localHost, ci: createLocalCi({ repo: targetRepo, job: 'unit' }) });
  const requiredJobs = github?.settings.requiredJobs ?? ['unit'];
  const pollCi = github ? !environment.github.ciWebhookSecret : true;
  const prReady = createPrReady({ db: store.db, insight, config, calibration: new CalibrationStore(store.db) });
  const activities = createActivities({
    db: store.db,
    config: () => config.current(),
    logger,
    agent: createAgentPort({
      agent,
      db: store.db,
      host,
      config,
      worktreesDir: join(dataDir, 'worktrees'),
      requiredJobs,
      pollCi,
      ...(github
        ? {
            // Tide merges on GitHub: later phases branch from the remote's current default branch.
            syncBase: async (defaultBranch: string) => {
              const ref = `refs/remotes/sitroom-upstream/${defaultBranch}`;
              await git(targetRepo, ['fetch', '-q', github.settings.pushUrl, `+refs/heads/${defaultBranch}:${ref}`]);
              return ref;
            },
          }
        : {}),
      describePr: (pr) => {
        const current = config.current();
        const { assessment, impact } = assessPhase({ team: current.team, model: insight.model, files: pr.files, evidence: pr.evidence, at: new Date() });
        return renderPrDescription({ ...pr, assessment, impact, reviewers: reviewersFor(insight.owners, pr.files, current, pr.ownerId) });
      },
    }),
    ci,
    ciKnowledge: createCiKnowledge({ knowledge, config }),
    insight: { impact: insight.impact, prReady },
    memory: createMemoryPort({ db: store.db, knowledge, config, insight }),
    calibration: new CalibrationStore(store.db),
    modelDrift: createModelDriftCheck({ targetRepo, config: () => config.current(), logger }),
  });

  const { jira } = environment;
  return {
    environment,
    dataDir,
    logger,
    store,
    config,
    insight,
    knowledge,
    agent,
    ci,
    targetRepo,
    mode: github ? 'github' : 'local',
    ...(jira.url && jira.token ? { issues: createJira({ baseUrl: jira.url, token: jira.token, ...(jira.email ? { email: jira.email } : {}), apiVersion: jira.apiVersion }) } : {}),
    activities,
    close: async () => {
      if (!options.store) await store.close();
    },
  };
}

export function createOrchestrator(core: Core, client: Client, taskQueue: string): Orchestrator {
  const onboarding = createOnboarding({ db: core.store.db, knowledge: core.knowledge });
  const temporal = createTemporalOrchestrator({
    client,
    taskQueue,
    knowledgeDecision: createKnowledgeDecisions({ db: core.store.db, knowledge: core.knowledge }),
    ...(core.issues ? { describeWorkItem: describeFromTracker(core.issues, core.logger) } : {}),
    phaseForPr: (prUrl) => phaseByPrUrl(core.store.db, prUrl),
    async phaseRecord(workItemKey, phaseId) {
      const notes = (await phaseEvidence(core.store.db, workItemKey, phaseId)) as { done?: string[]; evidence?: string[] } | null | undefined;
      const decided = await phaseDecisions(core.store.db, workItemKey, phaseId);
      const decisions = decided.map((d) => `${d.kind} by ${d.actor}${typeof (d.detail as { summary?: unknown }).summary === 'string' ? `: ${(d.detail as { summary: string }).summary}` : ''}`);
      return { done: notes?.done ?? [], evidence: notes?.evidence ?? [], decisions };
    },
    async workItemKeysFor(developerId) {
      const owned = await workItemsOwnedBy(core.store.db, developerId);
      const mayDecide = core.config.current().team.approvals.approvers.includes(developerId) ? await activeWorkItems(core.store.db) : [];
      return [...new Set([...owned, ...mayDecide].filter((w) => w.status !== 'resolved' && w.status !== 'cancelled').map((w) => w.key))];
    },
    async ask(_developerId, question) {
      const answer = await core.agent.answer({ question });
      return { text: answer.text, citations: answer.citations.map((c) => c.ref ?? c.node) };
    },
    async recentCi(developerId) {
      // What CI did on the developer's work lately, from the audit log: silent flake retries and blocking alerts.
      const keys = (await workItemsOwnedBy(core.store.db, developerId)).map((w) => w.key);
      if (keys.length === 0) return [];
      const rows = await recentCiDecisions(core.store.db, keys, 10);
      return rows.map((r) => {
        const detail = r.detail as { job?: string; failures?: Array<{ classification?: string }> };
        return {
          workItemKey: r.workItemKey ?? '',
          phaseId: r.phaseId ?? '',
          job: detail.job ?? 'ci',
          result: r.kind === 'ci-retry' ? 'known flake, retried' : 'blocking failure',
          ...(r.kind === 'ci-alert' ? { classification: detail.failures?.[0]?.classification ?? 'unknown' } : { classification: 'known-flake' }),
        };
      });
    },
    async recentKnowledge(developerId) {
      const items = await core.knowledge.relevantKnowledge({ files: [], components: [], platforms: [], requesterId: developerId });
      return items.slice(0, 5).map((k) => ({ tier: k.tier, title: k.title }));
    },
  });
  return { ...temporal, completeOrientation: onboarding.completeOrientation };
}

export { loadTree };

/** A ticket that cannot be read (missing, no permission, Jira down) never blocks planning: the intention stands. */
function describeFromTracker(issues: IssueTracker, logger: Logger) {
  return async (key: string) => {
    try {
      const issue = await issues.getIssue(key);
      return { title: issue.summary, description: issue.description };
    } catch (err) {
      logger.warn({ key, err: (err as Error).message }, 'could not read the ticket; planning from the intention alone');
      return undefined;
    }
  };
}
