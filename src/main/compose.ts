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
import {
  activeWorkItems,
  appendDecision,
  getWorkItem,
  phaseByPrUrl,
  phasesOf,
  phaseDecisions,
  recentCiDecisions,
  upsertDevelopers,
  workItemsOwnedBy,
} from '../db/work-items.js';
import { phaseEvidence } from '../db/phases.js';
import { loadTree } from '../domain/index.js';
import { createExampleRepo } from '../integrations/example-repo.js';
import type { IssueTracker } from '../integrations/jira.js';
import { describeFromTracker, issueTrackerFrom, planScopeFromTracker, ticketStatusReader } from './jira.js';
import { git, gitWithToken } from '../integrations/git.js';
import { createLocalCi, createLocalCodeHost } from '../integrations/local.js';
import { createPatternWriteBack } from '../integrations/pattern-write-back.js';
import { curatorsFromConfig } from '../knowledge/access.js';
import { KnowledgeStore } from '../knowledge/store.js';
import { createModelDriftCheck } from '../integrations/model-drift.js';
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
import { createMergeOrder } from '../activities/merge-order.js';
import { createLocalCiPort } from '../integrations/ci/local-mode.js';
import { createKnowledgeDecisions } from '../knowledge/decisions.js';
import { checkoutOwners, mergedChanges } from './target-checkout.js';
import { createMemoryPort, memorySeed } from '../briefing/memory.js';
import { createKnowledgeUpkeep } from '../knowledge/upkeep.js';
import { liveKnowledge, type KnowledgeHit } from '../agent/model-port.js';
import type { Audience } from '../agent/types.js';
import { createOnboarding } from '../knowledge/onboarding-offers.js';
import { assessPhase, createPrReady, renderPrDescription, reviewersFor } from '../confidence/pr-ready.js';
import { footprintOf } from '../confidence/overlap.js';
import { importCiHistory, loadCiHealth } from '../knowledge/flake-decisions.js';
import { createFollowUpBugCheck } from './follow-up-bugs.js';
import { createSippyClient } from '../integrations/sippy.js';
import { createGitHubEventHandler } from '../confidence/github-events.js';
import { createReadyToMerge, type ReadyToMerge } from '../integrations/merge-request.js';
import type { CodeHost } from '../integrations/github.js';
import type { CiRunReport } from '../contracts/ci.js';
import type { DecisionOutcome, DecisionRequest } from '../contracts/decisions.js';
import { RefusedDecision } from '../contracts/failures.js';
import { readPhaseChange, workItemFiles } from '../integrations/phase-change.js';

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
  /** GitHub mode: asks Prow to merge an approved phase PR ("Ready to merge?"). */
  readyToMerge?: ReadyToMerge;
  /** GitHub mode: the finished CI runs of the open PRs whose head is a commit (a status the webhook delivered). */
  ciReportsForCommit?(sha: string, pullNumbers: number[]): Promise<Array<{ prUrl: string; reports: CiRunReport[] }>>;
  /** Jira, when JIRA_URL and JIRA_TOKEN are set. */
  issues?: IssueTracker;
  activities: Activities;
  /** Re-reads approved knowledge into RH-A (done before each agent step; surfaces that call the agent directly call it too). */
  refreshKnowledge(): Promise<void>;
  /** The developer's tier-3 memory as RH-A's explanations use it. */
  audienceOf(developerId: string): Promise<Audience | undefined>;
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
  // GitHub mode: PRs on GitHub, Prow CI, tide merges; results are polled unless the CI webhook pushes them.
  // A GitHub App (or, as the fallback, a personal token) turns GitHub mode on; a developer's fork comes from their role file.
  const github =
    environment.github.token || environment.github.app
      ? createGitHubMode(environment.github, team, {
          developerFork: (id) => config.current().roles.get(id)?.fork,
          credentialsDir: join(dataDir, 'git-credentials'),
        })
      : undefined;
  const localHost = createLocalCodeHost(targetRepo);
  const host = github?.host ?? localHost;
  // Tide merges on GitHub: branches start from the remote's current default branch.
  const syncBase = github
    ? async (defaultBranch: string) => {
        const ref = `refs/remotes/sitroom-upstream/${defaultBranch}`;
        // From the upstream, never the fork pushed to: a fork's default branch lags behind what tide merged.
        const url = github.settings.upstreamUrl;
        const fetch = ['fetch', '-q', url, `+refs/heads/${defaultBranch}:${ref}`];
        if (/^https?:\/\//.test(url))
          await gitWithToken(targetRepo, fetch, { token: await github.settings.credentials.token(), scratchDir: join(dataDir, 'git-credentials') });
        else await git(targetRepo, fetch);
        return ref;
      }
    : undefined;
  // An entry a curator approves is proposed back to the repository's pattern library as a PR.
  const writeBack = createPatternWriteBack({
    targetRepo,
    host,
    scratchDir: join(dataDir, 'knowledge-write-back'),
    settings: () => ({ patternLibrary: config.current().team.pattern_library, defaultBranch: config.current().team.target.default_branch }),
    ...(syncBase ? { baseRef: syncBase } : {}),
  });
  const knowledge = new KnowledgeStore(store.db, { curators: curatorsFromConfig(config.current()), writeBack });
  await knowledge.patterns.syncPatternLibrary(loadPatternFiles(targetRepo, team.pattern_library));
  // The sandbox's build cache is the per-user default, shared by every store on this machine: a cache per data
  // folder is cold for each new one, and a cold Go build outlasts the step's heartbeat window.
  // RH-A's knowledge is the store's, refreshed before each step: an entry a curator approves reaches the next
  // plan, answer or lookup_knowledge call at once, not at the next start.
  const agentKnowledge = liveKnowledge(await knowledgeForAgent(knowledge));
  const refreshKnowledge = async () => agentKnowledge.replace(await knowledgeForAgent(knowledge));
  const audienceOf = async (developerId: string): Promise<Audience | undefined> => {
    const current = config.current();
    const role = current.roles.get(developerId);
    if (!role) return undefined;
    const memory = await knowledge.memory.readMemory(developerId, developerId, memorySeed(current, role));
    return { familiarPlatforms: memory.familiarPlatforms, learningPlatforms: memory.learningPlatforms, explanationLevel: memory.explanationLevel };
  };
  // RH-A is built on its first step: `sitroom slack` composes the same core but never runs a step (questions
  // are answered on the worker), so it never loads the domain model or a model client for the agent.
  const agent =
    options.agent ??
    lazyAgent(environment.anthropic.apiKey ? 'claude' : 'offline', () =>
      createAgent({ targetRepo, team, anthropic: environment.anthropic, sandbox: { hide: [dataDir] }, knowledge: agentKnowledge }),
    );

  const ci =
    github?.ci ??
    createLocalCiPort({ repo: targetRepo, defaultBranch: team.target.default_branch, host: localHost, ci: createLocalCi({ repo: targetRepo, job: 'unit' }) });
  const requiredJobs = github?.settings.requiredJobs ?? ['unit'];
  const pollCi = github ? !environment.github.ciWebhookSecret : true;
  // Branches are compared with the base they left: GitHub mode's is the fetched remote default branch.
  const branchBase = () =>
    github ? `refs/remotes/sitroom-upstream/${config.current().team.target.default_branch}` : config.current().team.target.default_branch;
  const pullRequestBody = async (prUrl: string) => {
    // GitHub's URL ends in /pull/<n>; a local PR's in #<branch>.
    const number = Number(/\/pull\/(\d+)/.exec(prUrl)?.[1] ?? NaN);
    const branch = /#(.+)$/.exec(prUrl)?.[1];
    const pr = Number.isInteger(number) ? number : branch ? (await host.findPullRequest(branch))?.number : undefined;
    return pr !== undefined && host.pullRequestBody ? host.pullRequestBody(pr) : undefined;
  };
  const prReady = createPrReady({
    db: store.db,
    insight,
    config,
    calibration: new CalibrationStore(store.db),
    phaseChange: async ({ prUrl, branch }) => {
      // A local PR's URL ends in #<branch>; the phases table has it for every mode once CI is watched.
      const name = branch ?? /#(.+)$/.exec(prUrl)?.[1];
      return name ? readPhaseChange(targetRepo, branchBase(), name) : undefined;
    },
    patterns: () => {
      try {
        return loadPatternFiles(targetRepo, config.current().team.pattern_library);
      } catch (err) {
        // A pattern file that does not parse is reported where patterns are synced; "PR ready" goes on without patterns.
        logger.warn({ err: (err as Error).message }, 'curated patterns unreadable; pattern-match left without evidence');
        return [];
      }
    },
    pullRequestBody,
  });
  // Tide merges whatever is approved: phase PRs wait for their predecessors under Prow's /hold.
  const mergeOrder = github ? createMergeOrder({ db: store.db, host: github.host }) : undefined;
  const issues = issueTrackerFrom(environment);
  const hierarchy = () => config.current().team.sdlc.hierarchy;
  const activities = createActivities({
    db: store.db,
    ...(issues ? { issues } : {}),
    config: () => config.current(),
    logger,
    agent: createAgentPort({
      agent,
      db: store.db,
      host,
      config,
      worktreesDir: join(dataDir, 'worktrees'),
      audienceOf,
      refreshKnowledge,
      requiredJobs,
      pollCi,
      // Tide merges on GitHub: later phases branch from the remote's current default branch.
      ...(syncBase ? { syncBase } : {}),
      ...(mergeOrder ? { mergeOrder } : {}),
      ...(issues ? { ticketScope: planScopeFromTracker(issues, hierarchy, logger) } : {}),
      describePr: (pr) => {
        const current = config.current();
        const { assessment, impact } = assessPhase({ team: current.team, model: insight.model, files: pr.files, evidence: pr.evidence, at: new Date() });
        return renderPrDescription({ ...pr, assessment, impact, reviewers: reviewersFor(insight.owners, pr.files, current, pr.ownerId) });
      },
    }),
    ci,
    ciKnowledge: createCiKnowledge({ db: store.db, knowledge, config }),
    insight: { impact: insight.impact, prReady },
    overlap: {
      footprint: async (item) => footprintOf(insight.model, { ...item, files: await workItemFiles(targetRepo, branchBase(), item.workItemKey, item.phases) }),
    },
    memory: createMemoryPort({
      db: store.db,
      knowledge,
      config,
      insight,
      history: () => mergedChanges(targetRepo, config.current().team.target),
      ...(issues ? { ticketStatus: ticketStatusReader(issues, logger) } : {}),
    }),
    calibration: new CalibrationStore(store.db),
    ...(mergeOrder ? { mergeOrder } : {}),
    experience: createKnowledgeUpkeep({ db: store.db, knowledge, config, targetRepo }),
    ciHistory: {
      // Read at each run, so a team.yaml change of release or variants applies at the next import.
      import: async () => {
        const sippy = config.current().team.ci.sippy;
        if (!sippy) return { ok: false, tests: 0 };
        return importCiHistory(store.db, createSippyClient({ baseUrl: sippy.url }), sippy, new Date());
      },
    },
    ...(issues ? { followUpBugs: createFollowUpBugCheck({ issues, calibration: new CalibrationStore(store.db), team: () => config.current().team }) } : {}),
    modelDrift: createModelDriftCheck({ targetRepo, config: () => config.current(), logger }),
    githubEvents: createGitHubEventHandler({
      db: store.db,
      model: insight.model,
      owners: async () => (await checkoutOwners(targetRepo)) ?? insight.owners,
      config: () => config.current(),
      calibration: new CalibrationStore(store.db),
      pullRequestBody,
    }),
    questions: {
      agent,
      audienceOf,
      refreshKnowledge,
      // The question joins the asker's session notes, for "where you left off" in the next briefing.
      noteQuestion: (developerId, question) =>
        knowledge.memory
          .addSessionNote(developerId, developerId, { summary: `asked: ${question.replace(/\s+/g, ' ').trim().slice(0, 200)}` })
          .then(() => undefined),
    },
  });

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
    ...(github ? { readyToMerge: createReadyToMerge(github.host), ciReportsForCommit: ciReportsFor(github.host, ci) } : {}),
    ...(issues ? { issues } : {}),
    activities,
    refreshKnowledge,
    audienceOf,
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
    ...(core.issues ? { describeWorkItem: describeFromTracker(core.issues, () => core.config.current().team.sdlc.hierarchy, core.logger) } : {}),
    phaseForPr: (prUrl) => phaseByPrUrl(core.store.db, prUrl),
    ...(core.ciReportsForCommit ? { ciReportsForCommit: core.ciReportsForCommit } : {}),
    ...(core.readyToMerge ? { readyToMerge: readyToMergeDecision(core, core.readyToMerge) } : {}),
    async phaseRecord(workItemKey, phaseId) {
      const notes = (await phaseEvidence(core.store.db, workItemKey, phaseId)) as { done?: string[]; evidence?: string[] } | null | undefined;
      const decided = await phaseDecisions(core.store.db, workItemKey, phaseId);
      const decisions = decided.map(
        (d) =>
          `${d.kind} by ${d.actor}${typeof (d.detail as { summary?: unknown }).summary === 'string' ? `: ${(d.detail as { summary: string }).summary}` : ''}`,
      );
      return { done: notes?.done ?? [], evidence: notes?.evidence ?? [], decisions };
    },
    async workItemKeysFor(developerId) {
      const owned = await workItemsOwnedBy(core.store.db, developerId);
      const mayDecide = core.config.current().team.approvals.approvers.includes(developerId) ? await activeWorkItems(core.store.db) : [];
      return [...new Set([...owned, ...mayDecide].filter((w) => w.status !== 'resolved' && w.status !== 'cancelled').map((w) => w.key))];
    },
    async recentCi(developerId) {
      // What CI did on the developer's work lately, from the audit log: silent flake retries and blocking alerts.
      const keys = (await workItemsOwnedBy(core.store.db, developerId)).map((w) => w.key);
      if (keys.length === 0) return [];
      const rows = await recentCiDecisions(core.store.db, keys, 10);
      return rows.map((r) => {
        const detail = r.detail as { job?: string; failures?: Array<{ classification?: string }>; leftToRetester?: boolean };
        return {
          workItemKey: r.workItemKey ?? '',
          phaseId: r.phaseId ?? '',
          job: detail.job ?? 'ci',
          result: r.kind === 'ci-retry' ? (detail.leftToRetester ? 'flake, left to Retester' : 'known flake, retried') : 'blocking failure',
          ...(r.kind === 'ci-alert' ? { classification: detail.failures?.[0]?.classification ?? 'unknown' } : { classification: 'known-flake' }),
        };
      });
    },
    async recentKnowledge(developerId) {
      const items = await core.knowledge.relevantKnowledge({ files: [], components: [], platforms: [], requesterId: developerId });
      return items.slice(0, 5).map((k) => ({ tier: k.tier, title: k.title }));
    },
  });
  return {
    ...temporal,
    completeOrientation: onboarding.completeOrientation,
    ciHealth: () => loadCiHealth(core.store.db, core.knowledge, core.config.current().team.ci.flake_handling),
    async remember(developerId, hypothesis) {
      const text = hypothesis.replace(/\s+/g, ' ').trim().slice(0, 600);
      const memory = await core.knowledge.memory.updateMemory(developerId, developerId, { hypothesis: text });
      await core.knowledge.memory.addSessionNote(developerId, developerId, { summary: `hypothesis: ${text}` });
      return { hypothesis: memory.hypothesis ?? text };
    },
  };
}

export { loadTree };

/** "Ready to merge?": the owner or a team approver asks Prow to merge an approved phase PR; the audit log keeps who. */
function readyToMergeDecision(core: Core, ask: ReadyToMerge) {
  return async (request: DecisionRequest): Promise<DecisionOutcome> => {
    const item = await getWorkItem(core.store.db, request.workItemKey);
    if (!item) throw new RefusedDecision(`no work item ${request.workItemKey}`);
    if (item.ownerId !== request.actor && !core.config.current().team.approvals.approvers.includes(request.actor))
      throw new RefusedDecision(`only ${item.ownerId} or a team approver may ask to merge ${request.workItemKey}`);
    const phase = (await phasesOf(core.store.db, request.workItemKey)).find((p) => p.phaseId === request.phaseId);
    if (!phase?.prUrl) throw new RefusedDecision(`${request.workItemKey} phase ${request.phaseId ?? '?'} has no PR`);
    const asked = await ask({ prUrl: phase.prUrl, actor: request.actor, idempotencyKey: request.idempotencyKey });
    if (asked === 'asked-before')
      return { outcome: 'duplicate', summary: `Prow was already asked to merge ${phase.prUrl}`, decidedBy: request.actor, decidedAt: new Date().toISOString() };
    const row = await appendDecision(core.store.db, {
      idempotencyKey: request.idempotencyKey,
      workItemKey: request.workItemKey,
      phaseId: phase.phaseId,
      kind: 'ready-to-merge',
      actor: request.actor,
      surface: request.surface,
      detail: { prUrl: phase.prUrl },
    });
    return {
      outcome: asked === 'asked' && row.inserted ? 'applied' : 'duplicate',
      summary: `asked Prow to merge ${phase.prUrl}`,
      decidedBy: request.actor,
      decidedAt: row.decidedAt.toISOString(),
    };
  };
}

/** A commit's PRs (named by a check run, else asked of GitHub), each with the CI port's finished runs on that commit. */
function ciReportsFor(host: CodeHost, ci: CiPort): NonNullable<Core['ciReportsForCommit']> {
  return async (sha, pullNumbers) => {
    const open = (await host.pullRequestsForCommit?.(sha)) ?? [];
    const pulls = pullNumbers.length ? open.filter((p) => pullNumbers.includes(p.number)) : open;
    return Promise.all(pulls.map(async (p) => ({ prUrl: p.url, reports: (await ci.poll(p.url, [])).filter((r) => r.commit === sha) })));
  };
}

/** An agent built on its first step; `loaded` tells whether any step has run in this process. */
export function lazyAgent(kind: Agent['kind'], build: () => Agent): Agent & { readonly loaded: boolean } {
  let built: Agent | undefined;
  const get = () => (built ??= build());
  return {
    kind,
    get loaded() {
      return built !== undefined;
    },
    answer: (req, ctx) => get().answer(req, ctx),
    plan: (req, ctx) => get().plan(req, ctx),
    execute: (req, ctx) => get().execute(req, ctx),
    review: (req, ctx) => get().review(req, ctx),
    diagnose: (req, ctx) => get().diagnose(req, ctx),
    proposeKnowledge: (req, ctx) => get().proposeKnowledge(req, ctx),
  };
}

/**
 * What RH-A may look up: approved pattern entries (tier 1) with where they apply, marking those learned through
 * a proposal or promotion, and the team's experience entries (tier 2).
 */
async function knowledgeForAgent(knowledge: KnowledgeStore): Promise<KnowledgeHit[]> {
  const [patterns, experience] = await Promise.all([knowledge.patterns.listPatterns('approved'), knowledge.experience.listExperience()]);
  return [
    ...patterns.map((p) => ({
      id: p.id,
      title: p.title,
      body: p.body,
      source: p.sourcePath ?? `pattern ${p.id} v${p.version}, approved by ${p.reviewer ?? 'a curator'}`,
      files: p.applicability.files,
      components: p.applicability.components,
      learned: p.origin !== 'repository',
    })),
    ...experience.map((e) => ({
      id: e.key,
      title: e.title,
      body: e.body,
      source: `team experience (${e.occurrences}×)`,
      files: e.applicability.files,
      components: e.applicability.components,
    })),
  ];
}
