// RH-A as RH-O's activities use it: a phase runs in its own git worktree on a branch named from business
// keys, the agent step changes and verifies the code, and the branch becomes a PR whose description
// carries the evidence. Every step is safe to repeat after a worker crash: the worktree and branch are
// reused, a committed branch is not redone, and a PR that already exists for the branch is returned.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { failure } from './failures.js';
import { metered as meterStep } from './metering.js';
import { emptyEvidence, type Audience, type StepUsage } from '../agent/types.js';
import { looksLikeDiff } from '../agent/review.js';
import { getWorkItem, phaseDecisions, phasesOf } from '../db/work-items.js';
import { Plan } from '../plan/schema.js';
import type { Database } from '../db/client.js';
import type { Agent } from '../agent/agent.js';
import { addWorktree, git } from '../integrations/git.js';
import type { Evidence } from '../agent/types.js';
import type { AgentPort, ExecutePhaseResult, ProgressNotes } from '../contracts/ports.js';
import type { CodeHost, PullRequestRef } from '../integrations/github.js';
import { evidenceDescription } from '../integrations/github.js';
import { UserError } from '../contracts/failures.js';
import type { ConfigSource } from '../config/source.js';
import type { BranchOwner } from '../integrations/github.js';
import type { MergeOrder } from './merge-order.js';
import { attachStories, type TicketScope } from '../plan/stories.js';

export interface AgentPortDeps {
  agent: Agent;
  /** Where token usage is recorded and budgets are summed. */
  db: Database;
  host: CodeHost & { findPullRequest(branch: string): Promise<PullRequestRef | undefined> };
  config: Pick<ConfigSource, 'current'>;
  /** Where phase worktrees live (outside the target repository's own tree). */
  worktreesDir: string;
  /** CI jobs that must pass before a phase can merge, and whether CI results are polled. */
  requiredJobs: string[];
  pollCi: boolean;
  /**
   * Brings the base branch up to date before a phase branches from it and returns the ref to branch from
   * (GitHub mode fetches the remote's default branch, which Prow tide moves); default: the local branch.
   */
  syncBase?: (defaultBranch: string) => Promise<string>;
  /** The developer's tier-3 memory as the agent needs it (how much to explain, which platforms are new to them). */
  audienceOf?: (developerId: string) => Promise<Audience | undefined>;
  /** Brings the agent's knowledge up to date with the store (entries approved since the last step). */
  refreshKnowledge?: () => Promise<void>;
  /** Renders the PR description (evidence, domain-model impact, confidence); defaults to the evidence list alone. */
  describePr?: (args: { workItemKey: string; ownerId: string; phaseTitle: string; summary: string; files: string[]; evidence: string[] }) => string;
  /** Holds a phase PR whose predecessors have not merged (GitHub mode, where tide merges). */
  mergeOrder?: Pick<MergeOrder, 'holdIfWaiting'>;
  /** The work item's ticket in team.yaml's sdlc.hierarchy (an epic and its stories), when Jira is configured. */
  ticketScope?: (workItemKey: string) => Promise<TicketScope | undefined>;
}

export const phaseBranch = (workItemKey: string, phaseId: string, attempt: number) => `sitroom/${workItemKey.toLowerCase()}/${phaseId}-${attempt}`;

function evidenceLines(e: Evidence, checks: Array<{ command: string; passed: boolean }>): string[] {
  return [
    ...e.commands.filter((c) => !checks.some((k) => k.command === c.command)).map((c) => `${c.exitCode === 0 ? 'passed' : 'FAILED'}: ${c.command}`),
    ...checks.map((c) => `${c.passed ? 'passed' : 'FAILED'}: ${c.command}`),
    ...e.filesWritten.map((f) => `wrote ${f}`),
    ...e.refusals.map((r) => `refused (${r.kind}): ${r.reason}`),
    ...e.notes,
  ];
}

const oneLine = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/**
 * What a message in a pair thread asks for: a review of the phase branch as it stands, a review of the code
 * pasted into it, or an answer. Code is recognised by its shape (a diff, Go statements, braces on their own
 * lines); everything else is a question, whatever its punctuation.
 */
export function pairIntent(text: string): 'review-branch' | 'review-code' | 'question' {
  if (/\breview\s+(?:my|the|this)\s+(?:branch|changes|diff|work|phase)\b/i.test(text) && text.length < 300) return 'review-branch';
  if (looksLikeDiff(text) || /```/.test(text)) return 'review-code';
  const lines = text.split('\n');
  const codeLines = lines.filter((l) =>
    /^\s*(func |for |if |package |import |type |var |const |return\b|}|\w[\w.]*\s*(?::=|=|\+=)\s*\S)|[{;]\s*$/.test(l),
  ).length;
  return codeLines >= 2 || (lines.length === 1 && /:=|\bfunc\s*\(|\)\s*{\s*$/.test(text)) ? 'review-code' : 'question';
}

export function createAgentPort(deps: AgentPortDeps): AgentPort {
  /** Budget check before the step, usage recorded after it (once per activity attempt). */
  function metered<R extends { usage: StepUsage }>(
    step: string,
    workItemKey: string,
    phaseId: string | undefined,
    approved: boolean,
    fn: () => Promise<R>,
  ): Promise<R> {
    const { agent: limits } = deps.config.current().team;
    return meterStep(
      deps.db,
      { step, workItemKey, phaseId, agent: deps.agent.kind, cap: limits.token_budget_per_work_item, warnFraction: limits.budget_warn_fraction, approved },
      fn,
    );
  }

  /**
   * The phase's worktree on its branch, created from the base on first use and reused afterwards. Before an
   * agent step, edits left by a step that died mid-way are dropped; a person's pair worktree is left as is.
   */
  async function checkOutPhase(args: { workItemKey: string; phase: { id: string }; attempt: number }, opts: { resetEdits: boolean; pull?: boolean }) {
    const { targetRepo, team } = deps.config.current();
    const branch = phaseBranch(args.workItemKey, args.phase.id, args.attempt);
    const worktree = join(deps.worktreesDir, `${args.workItemKey}-${args.phase.id}-${args.attempt}`);
    mkdirSync(deps.worktreesDir, { recursive: true });
    const base = deps.syncBase ? await deps.syncBase(team.target.default_branch) : team.target.default_branch;
    if (!existsSync(worktree)) {
      const branchExists = (await git(targetRepo, ['branch', '--list', branch])).trim() !== '';
      if (branchExists) await git(targetRepo, ['worktree', 'add', '-q', worktree, branch]);
      else await addWorktree(targetRepo, worktree, branch, base);
    } else if (opts.resetEdits) {
      // A step that died mid-way (worker killed) left uncommitted edits; this attempt redoes the step from the branch's last commit.
      await git(worktree, ['reset', '-q', '--hard', 'HEAD']);
      await git(worktree, ['clean', '-q', '-fd']);
    }
    const owner = await branchOwner(args.workItemKey, args.phase.id);
    // Commits pushed to the phase branch on its fork (a developer pairing) come first; fast-forward only.
    const pulled = deps.host.pullBranch && opts.pull !== false ? await deps.host.pullBranch(worktree, branch, owner) : undefined;
    return { branch, worktree, base, owner, pulled };
  }

  /**
   * A collaborative phase's branch lives on its owner's fork when they configured one; other phases on the bot's.
   * A phase handed back after pairing keeps its branch where the developer pushed: the agent continues there.
   */
  async function branchOwner(workItemKey: string, phaseId: string): Promise<BranchOwner> {
    const row = (await phasesOf(deps.db, workItemKey)).find((p) => p.phaseId === phaseId);
    const paired = async () =>
      (await phaseDecisions(deps.db, workItemKey, phaseId)).some(
        (d) => (d.kind === 'set-mode' || d.kind === 'mode-handoff') && (d.detail as { from?: string } | null)?.from === 'collaborative',
      );
    if (row?.mode !== 'collaborative' && !(await paired())) return {};
    const owner = (await getWorkItem(deps.db, workItemKey))?.ownerId;
    return owner ? { developer: owner } : {};
  }

  async function phaseFiles(workItemKey: string, phaseId: string): Promise<string[]> {
    const parsed = Plan.safeParse((await getWorkItem(deps.db, workItemKey))?.plan);
    return parsed.success ? (parsed.data.phases.find((p) => p.id === phaseId)?.files ?? []) : [];
  }

  /**
   * The phase branch as it stands: in the latest attempt's worktree (with what the developer has not committed
   * yet), else the branch itself, against the point where it left the base.
   */
  async function phaseBranchDiff(workItemKey: string, phaseId: string): Promise<{ branch: string; base: string; diff: string; files: string[] } | undefined> {
    const { targetRepo, team } = deps.config.current();
    const base = team.target.default_branch;
    const prefix = `${workItemKey}-${phaseId}-`;
    const attempts = existsSync(deps.worktreesDir)
      ? readdirSync(deps.worktreesDir)
          .filter((d) => d.startsWith(prefix) && /^\d+$/.test(d.slice(prefix.length)))
          .map((d) => Number(d.slice(prefix.length)))
      : [];
    let cwd = targetRepo;
    let branch: string | undefined;
    let target = '';
    if (attempts.length > 0) {
      const attempt = Math.max(...attempts);
      cwd = join(deps.worktreesDir, `${prefix}${attempt}`);
      branch = phaseBranch(workItemKey, phaseId, attempt);
    } else {
      const listed = (await git(targetRepo, ['branch', '--list', `${phaseBranch(workItemKey, phaseId, 0).replace(/-0$/, '')}-*`, '--format=%(refname:short)']))
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      branch = listed.sort((a, b) => Number(b.split('-').pop()) - Number(a.split('-').pop()))[0];
      if (!branch) return undefined;
      target = branch;
    }
    const forkPoint = (await git(cwd, ['merge-base', base, target || 'HEAD'])).trim();
    const diff = await git(cwd, target ? ['diff', forkPoint, target, '--'] : ['diff', forkPoint, '--']);
    const files = [...diff.matchAll(/^\+\+\+ b\/(.+)$/gm)].map((m) => m[1]!);
    return { branch, base, diff, files };
  }

  return {
    async draftPlan({ workItemKey, intention, feedback }) {
      await deps.refreshKnowledge?.();
      const result = await metered('plan', workItemKey, undefined, false, () =>
        deps.agent.plan({ workItemKey, intention: feedback?.length ? `${intention}\n\nFeedback: ${feedback.join('; ')}` : intention }),
      );
      if (!result.plan) throw new UserError(result.message);
      // Each phase names the story it delivers (src/plan/stories.ts); RH-A read the stories with the intention.
      const scope = await deps.ticketScope?.(workItemKey);
      return scope ? attachStories(result.plan, scope) : result.plan;
    },

    async preparePhaseBranch(args) {
      const { branch, worktree, owner, pulled } = await checkOutPhase(args, { resetEdits: false });
      // The developer fetches the branch from their fork (or the bot's) and pushes their commits back to it.
      if (pulled?.remote === 'absent') await deps.host.pushBranch(worktree, branch, owner);
      const home = deps.host.branchHome?.(owner);
      // Only a remote URL is shown, without any user:token part; a local path (a bare repository) is no URL a person clones from.
      const gitUrl = /^https?:\/\//.test(home?.pushUrl ?? '') ? home!.pushUrl.replace(/\/\/[^@/]*@/, '//') : '';
      return { branch, worktree, ...(home ? { home: { slug: `${home.owner}/${home.repo}`, gitUrl } } : {}) };
    },

    async phaseBranchWork(args) {
      // A branch that moved on both sides is explained when the agent's step runs (it never forces); read ours here.
      const checkedOut = await checkOutPhase(args, { resetEdits: false }).catch(async (err: unknown) => {
        if ((err as { type?: string }).type !== 'NonFastForward') throw err;
        return checkOutPhase(args, { resetEdits: false, pull: false });
      });
      const { branch, worktree, base } = checkedOut;
      // One record per commit: sha, author, subject, then the files it touched.
      const log = await git(worktree, ['log', '--reverse', '--name-only', '--format=%x1e%H%x1f%an%x1f%s', `${base}..${branch}`]);
      const commits = log
        .split('\x1e')
        .filter((chunk) => chunk.trim().length > 0)
        .map((chunk) => {
          const [head = '', ...files] = chunk.split('\n');
          const [sha = '', author = '', subject = ''] = head.split('\x1f');
          return { sha, author, subject, files: files.map((f) => f.trim()).filter(Boolean) };
        });
      return { branch, commits };
    },

    async executePhase(args, heartbeat, signal): Promise<ExecutePhaseResult> {
      const { team } = deps.config.current();
      const notes: ProgressNotes = { done: [], evidence: [], next: [] };
      const beat = (line?: string) => {
        if (line) notes.done.push(line);
        heartbeat(notes);
      };

      await deps.refreshKnowledge?.();
      const { branch, worktree, base, owner, pulled } = await checkOutPhase(args, { resetEdits: true });
      beat(`worktree ${worktree} on ${branch}`);
      if (pulled?.remote === 'fast-forwarded') beat(`took ${pulled.commits} commit(s) pushed to ${branch} on the fork`);

      // Commits on the branch that the base does not have: the phase's own work from an earlier try.
      const alreadyCommitted = (await git(worktree, ['rev-list', '--count', `${base}..${branch}`])).trim() !== '0';
      let evidence: string[] = [];
      let checks: Array<{ command: string; passed: boolean }> = [];
      let description = '';
      // A handed-back phase carries the developer's commits: the agent still does its step, on top of them.
      if (!alreadyCommitted || args.round > 0 || args.continueFromCommits) {
        const instruction = [args.phase.title, ...args.phase.constraints, ...args.feedback].join('\n');
        const result = await metered('execute', args.workItemKey, args.phase.id, args.budgetApproved === true, () =>
          deps.agent.execute(
            {
              workItemKey: args.workItemKey,
              phase: args.phase,
              instruction,
              branch,
              worktree,
              writable: args.phase.files.length ? args.phase.files : undefined,
              fixRound: args.round > 0,
            },
            { heartbeat: () => beat(), signal, workItemKey: args.workItemKey, stepId: `${args.phase.id}:${args.attempt}:${args.round}` },
          ),
        );
        evidence = evidenceLines(result.evidence, result.checks);
        checks = result.checks;
        notes.evidence.push(...evidence);
        if (result.status !== 'committed') {
          // The agent could not do it (no recipe and no model, or verification failed): a person must decide.
          throw failure(result.status === 'needs-model' ? 'NeedsModel' : 'PhaseFailed', `${args.phase.id}: ${result.message}`, { evidence });
        }
        description = deps.describePr
          ? deps.describePr({
              workItemKey: args.workItemKey,
              ownerId: args.ownerId,
              phaseTitle: args.phase.title,
              summary: result.message,
              files: result.evidence.filesWritten.length ? result.evidence.filesWritten : args.phase.files,
              evidence,
            })
          : evidenceDescription({ workItemKey: args.workItemKey, phaseTitle: args.phase.title, summary: result.message, evidence: result.evidence, checks });
        beat(`committed ${result.commit?.slice(0, 10) ?? ''} on ${branch}`);
      } else {
        evidence = [`branch ${branch} already carries the phase's commit (resumed after a restart)`];
        description = `**${args.workItemKey}: ${args.phase.title}**\n\nResumed: the branch already carries the change.`;
      }

      await deps.host.pushBranch(worktree, branch, owner);
      const existing = await deps.host.findPullRequest(branch, owner);
      const pr =
        existing ??
        (await deps.host.openPullRequest({
          branch,
          base: team.target.default_branch,
          // OpenShift's Jira bot links a PR to the issue its title starts with: the story, else the work item.
          title: `${args.phase.story ?? args.workItemKey}: ${args.phase.title}`,
          body: description,
          ...owner,
        }));
      beat(existing ? `PR ${pr.url} already open` : `opened PR ${pr.url}`);
      const waitingFor = (await deps.mergeOrder?.holdIfWaiting({ workItemKey: args.workItemKey, phaseId: args.phase.id, pr })) ?? [];
      if (waitingFor.length) beat(`held the PR with /hold until ${waitingFor.join(', ')} merge${waitingFor.length === 1 ? 's' : ''}`);
      return {
        branch,
        prUrl: pr.url,
        evidence,
        done: [...notes.done],
        requiredJobs: deps.requiredJobs,
        pollCi: deps.pollCi,
        ciMaxRetries: deps.config.current().team.ci.flake_handling.max_retries,
      };
    },

    async diagnoseCi({ workItemKey, phaseId, failures }) {
      const result = await metered('diagnose', workItemKey, phaseId, true, () =>
        deps.agent.diagnose({ job: failures[0]?.job ?? 'unknown', log: failures.map((f) => `${f.test ?? f.job}: ${f.excerpt ?? f.signature}`).join('\n') }),
      );
      const tests = result.failingTests.map((t) => `${t.name}: ${t.message}`).join('; ');
      return { summary: `${result.verdict}${tests ? ` — ${tests}` : ''}` };
    },

    async proposeKnowledge({ workItemKey }) {
      // The phases' evidence as RH-A recorded it ("passed: make verify", "wrote …", notes), back into its shape.
      const rows = await phasesOf(deps.db, workItemKey);
      const evidence = emptyEvidence();
      for (const row of rows) {
        for (const line of (row.evidence as { evidence?: string[] } | null)?.evidence ?? []) {
          const command = /^(passed|FAILED): (.+)$/.exec(line);
          const wrote = /^wrote (.+)$/.exec(line);
          if (command) evidence.commands.push({ command: command[2]!, exitCode: command[1] === 'passed' ? 0 : 1, durationMs: 0, timedOut: false, tail: '' });
          else if (wrote) evidence.filesWritten.push(wrote[1]!);
          else evidence.notes.push(`${row.phaseId}: ${line}`);
        }
      }
      const result = await metered('propose-knowledge', workItemKey, undefined, true, () =>
        deps.agent.proposeKnowledge({ workItemKey, evidence, outcome: `resolved after ${rows.length} phase(s)` }),
      );
      return result.proposals
        .flatMap((p) => [
          `- ${p.title}`,
          ...p.body
            .split('\n')
            .filter((l) => l.trim())
            .map((l) => `  ${l}`),
        ])
        .slice(0, 60);
    },

    async reviewPairMessage({ text, developerId, workItemKey, phaseId }) {
      await deps.refreshKnowledge?.();
      const intent = pairIntent(text);
      if (intent === 'question') {
        // A question gets an answer from the domain model and the knowledge tiers, shaped by who asks.
        const files = await phaseFiles(workItemKey, phaseId);
        const audience = await deps.audienceOf?.(developerId);
        const answer = await metered('answer', workItemKey, phaseId, true, () =>
          deps.agent.answer({ question: text, ...(audience ? { audience } : {}), workingOn: { workItemKey, phaseId, files } }),
        );
        const sources = answer.citations.length
          ? `\n\n_Sources:_ ${[...new Set(answer.citations.map((c) => `\`${c.ref ?? c.node}\``))].slice(0, 8).join(', ')}`
          : '';
        return { text: `${answer.text}${sources}`, note: `asked: ${oneLine(text, 160)}` };
      }
      let diff = text;
      let what = 'your snippet';
      if (intent === 'review-branch') {
        const branch = await phaseBranchDiff(workItemKey, phaseId);
        if (!branch)
          return {
            text: `There is no branch for ${workItemKey} phase ${phaseId} yet: it is created when the phase's gate is approved. Paste the code here meanwhile and I will review it.`,
            note: 'asked for a branch review before the branch existed',
          };
        if (!branch.diff.trim())
          return { text: `\`${branch.branch}\` has no changes against ${branch.base} yet.`, note: `reviewed ${branch.branch}: no changes yet` };
        diff = branch.diff;
        what = `\`${branch.branch}\` (${branch.files.length} file(s) changed against ${branch.base}: ${branch.files.slice(0, 6).join(', ')}${branch.files.length > 6 ? ', …' : ''})`;
      }
      // A pair reply is the developer's own request in the moment: it is recorded but never held for budget.
      const review = await metered('review', workItemKey, phaseId, true, () => deps.agent.review({ diff }));
      const lines = review.findings.map(
        (f) =>
          `• ${f.severity === 'blocker' ? '*Blocker*' : 'Warning'} (${f.rule})${intent === 'review-branch' ? ` ${f.file}` : ''}${f.line ? ` line ${f.line}` : ''}: ${f.message}${f.insteadDo ? `\n   → ${f.insteadDo}` : ''}`,
      );
      // The summary's first line counts the findings; the bullets below carry them once, with what to do instead.
      const body = lines.length ? `${review.summary.split('\n')[0]}\n${lines.join('\n')}` : review.summary;
      const reply = intent === 'review-branch' ? `Review of ${what}:\n${body}` : body;
      const findings = review.findings.length
        ? `${review.findings.length} findings: ${[...new Set(review.findings.map((f) => f.rule))].join(', ')}`
        : 'no findings';
      return {
        text: reply,
        note: intent === 'review-branch' ? `reviewed the phase branch: ${findings}` : review.findings.length ? findings : 'reviewed, no findings',
      };
    },
  };
}
