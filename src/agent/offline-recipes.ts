// The offline agent's executing recipes: each runs inside the phase's scope on the branch RH-O checked out,
// applies one pattern from the library to the tree, and commits through verifyAndCommit.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { needsModelMessage } from './agent.js';
import { verifyAndCommit } from './finish.js';
import { changedPaths, currentBranch } from '../integrations/git.js';
import { goModulePath } from './go-source.js';
import {
  addBridgeFunction,
  addBridgeTest,
  addConditionConstants,
  addConditionDocs,
  apiDir,
  bridgeFunctionName,
  bridgeReason,
  conditionDocsFile,
  conditionFacts,
  conditionTestPath,
  conditionTestSource,
  conditionsFile,
  controllerDir,
  errorClassOf,
  vendoredConditionsFile,
  platformOfFile,
  platformTestFile,
  providerFailures,
  RecipeError,
  type ConditionRequest,
} from './recipes.js';
import { Scope, ScopeRefusal } from './scope.js';
import { emptyEvidence, evidenceFromScope, zeroUsage, type Evidence, type ExecuteRequest, type ExecuteResult, type StepContext } from './types.js';
import { commandTimeouts, sandboxSpec, type SandboxPlacement } from './sandbox.js';
import type { TeamConfig } from '../config/schema.js';
import type { DomainModelPort } from './model-port.js';

/** The recipes the offline agent can execute, and the answer for a step none of them fits. */
export interface RecipeSteps {
  fixRound: (req: ExecuteRequest, ctx: StepContext) => Promise<ExecuteResult>;
  addCondition: (req: ExecuteRequest, ctx: StepContext, condition: ConditionRequest) => Promise<ExecuteResult>;
  platformBridge: (req: ExecuteRequest, ctx: StepContext, conditionType: string) => Promise<ExecuteResult>;
  documentCondition: (req: ExecuteRequest, ctx: StepContext, conditionType: string) => Promise<ExecuteResult>;
  needsModel: (req: ExecuteRequest, why: string) => ExecuteResult;
}

export interface RecipeStepDeps {
  model: DomainModelPort;
  team: TeamConfig;
  sandbox?: SandboxPlacement;
}

export function createRecipeSteps(deps: RecipeStepDeps): RecipeSteps {
  const allowed = deps.team.agent.allowed_commands;

  /** What every executing recipe shares: one scope, its evidence, heartbeats, and a commit through verifyAndCommit. */
  interface Step {
    scope: Scope;
    evidence: Evidence;
    beat: (what: string) => void;
    fail: (message: string) => ExecuteResult;
    /** make verify and the tests, the diff's rules, then a commit of the phase's files. */
    commit: (message: string, summary: (commit: string) => string) => Promise<ExecuteResult>;
  }

  /**
   * Runs a recipe inside the phase's scope, on the branch RH-O checked out. A scope refusal or a recipe that
   * does not fit the tree ends the step as failed, with what was attempted as evidence.
   */
  async function inScope(req: ExecuteRequest, ctx: StepContext, recipe: (step: Step) => Promise<ExecuteResult>): Promise<ExecuteResult> {
    const scope = new Scope({
      worktree: req.worktree,
      writable: req.writable ?? req.phase.files,
      allowedCommands: allowed,
      tokenBudget: req.tokenBudget ?? deps.team.agent.token_budget_per_work_item,
      sandbox: sandboxSpec(deps.team, deps.sandbox),
      ...commandTimeouts(deps.team),
      whileRunning: (command, elapsedMs) => ctx.heartbeat?.({ step: 'execute', command, elapsedMs }),
    });
    const evidence = emptyEvidence();
    const checks: ExecuteResult['checks'] = [];
    const fail = (message: string): ExecuteResult => ({
      status: 'failed',
      message,
      branch: req.branch,
      checks,
      usage: zeroUsage(),
      evidence: evidenceFromScope(scope, evidence),
    });
    const beat = (what: string) => ctx.heartbeat?.({ step: 'execute', what });
    const commit: Step['commit'] = async (commitMessage, summary) => {
      const finished = await verifyAndCommit({ scope, team: deps.team, model: deps.model, evidence, heartbeat: beat, commitMessage });
      checks.push(...finished.checks);
      if (!finished.ok) return fail(finished.message);
      return {
        status: 'committed',
        message: summary(finished.commit),
        branch: req.branch,
        commit: finished.commit,
        checks,
        usage: zeroUsage(),
        evidence: evidenceFromScope(scope, evidence),
      };
    };
    try {
      const branch = await currentBranch(req.worktree);
      if (branch !== req.branch) return fail(`the worktree is on branch "${branch}", expected "${req.branch}"`);
      return await recipe({ scope, evidence, beat, fail, commit });
    } catch (err) {
      if (err instanceof ScopeRefusal || err instanceof RecipeError) return fail(err.message);
      throw err;
    }
  }

  const needsModel = (req: ExecuteRequest, why: string): ExecuteResult => ({
    status: 'needs-model',
    message: `${why} ${needsModelMessage}`,
    branch: req.branch,
    checks: [],
    usage: zeroUsage(),
    evidence: emptyEvidence(),
  });
  const read = (scope: Scope, path: string) => scope.readText(path);
  const write = (scope: Scope, path: string, text: string) => {
    const abs = scope.resolveForWrite(path);
    writeFileSync(abs, text);
    scope.noteWrite(abs);
  };

  /**
   * A re-push after a real CI failure. The one failure the offline agent can repair is a stale generated
   * file (someone committed the constants without running the code generation): regenerate, verify, test
   * and commit what changed. The branch already carries the change, so the recipe is not applied again.
   */
  const fixRound = (req: ExecuteRequest, ctx: StepContext) =>
    inScope(req, ctx, async ({ scope, evidence, beat, fail, commit }) => {
      const codegen = deps.team.codegen.api;
      beat(codegen);
      const run = await scope.runCommand(codegen);
      if (run.exitCode !== 0) return fail(`${codegen} failed (exit ${run.exitCode}):\n${run.output.slice(-2000)}`);
      const regenerated = await changedPaths(req.worktree);
      if (regenerated.length === 0) {
        return fail(`${codegen} changed nothing, so the CI failure is not stale generated code; the offline agent has no other fix. ${needsModelMessage}`);
      }
      evidence.notes.push(`CI failed on stale generated code: \`${codegen}\` regenerated ${regenerated.join(', ')}`);
      return commit(
        `${req.workItemKey}: regenerate with \`${codegen}\` after CI failed\n\nThe branch had the hand-written change without the generated code.\nPhase: ${req.phase.id}`,
        (c) => `Regenerated with ${codegen} and committed ${c.slice(0, 12)} on ${req.branch}`,
      );
    });

  /** "add a NodePool condition type X [with reason Y]": the constants, make api, a test of their values. */
  const addCondition = (req: ExecuteRequest, ctx: StepContext, condition: ConditionRequest) =>
    inScope(req, ctx, async ({ scope, evidence, beat, fail, commit }) => {
      beat('edit');
      const updated = addConditionConstants(read(scope, conditionsFile), condition);
      write(scope, conditionsFile, updated);
      evidence.notes.push(
        `added condition type ${condition.conditionType} and reason ${condition.reason} to ${conditionsFile} (pattern nodepool-condition-type)`,
      );
      if (existsSync(scope.resolveForRead(vendoredConditionsFile))) {
        // The same bytes go mod vendor would copy: the controllers build against this copy.
        write(scope, vendoredConditionsFile, updated);
        evidence.notes.push(`refreshed the vendored API copy ${vendoredConditionsFile}, as make update (go mod vendor) does`);
      }

      // Constants generate nothing, but the API package changed: regenerate as anyone touching api/ does, so a
      // generated file that was already stale shows up in this phase rather than in the next one's CI.
      for (const command of [deps.team.codegen.api]) {
        beat(command);
        const run = await scope.runCommand(command);
        if (run.exitCode !== 0) return fail(`${command} failed (exit ${run.exitCode}):\n${run.output.slice(-2000)}`);
      }

      beat('test');
      write(scope, conditionTestPath(condition), conditionTestSource(condition));
      evidence.notes.push(`added ${conditionTestPath(condition)}: checks the declared values of the new constants`);
      return commit(
        `${req.workItemKey}: add NodePool condition type ${condition.conditionType}\n\nReason ${condition.reason}; \`${deps.team.codegen.api}\` run after the API change.\nPhase: ${req.phase.id}`,
        (c) => `Committed ${c.slice(0, 12)} on ${req.branch}`,
      );
    });

  /**
   * Platform bridge (pattern platform-error-propagation, step 2): in each platform file of the phase, a
   * function mapping that provider's failure on one machine to the condition's reason, with a table test.
   * Each file maps only its own provider's words; a platform without known words reports nothing new.
   */
  const platformBridge = (req: ExecuteRequest, ctx: StepContext, conditionType: string) => {
    const errorClass = errorClassOf(conditionType);
    if (!errorClass) {
      return Promise.resolve(
        needsModel(
          req,
          `No offline recipe knows what the providers say for ${conditionType} (known: ${Object.keys(providerFailures)
            .map((c) => `${c} errors`)
            .join(', ')}).`,
        ),
      );
    }
    const targets = req.phase.files.filter((f) => platformOfFile(f) !== undefined);
    if (!targets.some((f) => providerFailures[errorClass].byPlatform[platformOfFile(f)!])) {
      return Promise.resolve(
        needsModel(
          req,
          `No offline recipe for "${req.phase.title}": none of its platform files (${targets.join(', ') || 'none'}) has a known ${errorClass} failure to map.`,
        ),
      );
    }
    return inScope(req, ctx, async ({ scope, evidence, beat, commit }) => {
      const reason = bridgeReason(read(scope, conditionsFile), conditionType);
      const module = goModulePath(read(scope, 'go.mod'));
      if (!module) throw new RecipeError('go.mod declares no module path');
      const apiImport = `${module}/${conditionsFile.slice(0, conditionsFile.lastIndexOf('/'))}`;
      const mapped: string[] = [];
      for (const file of targets) {
        const platform = platformOfFile(file)!;
        const failures = providerFailures[errorClass].byPlatform[platform];
        if (!failures) {
          evidence.notes.push(`${file}: no known ${errorClass} failure for this provider, so it maps nothing and reports nothing new`);
          continue;
        }
        beat(`edit ${file}`);
        const spec = { platform, conditionType, reason, errorClass, apiImport };
        const source = read(scope, file);
        const packageName = /^package (\w+)/m.exec(source)?.[1];
        if (!packageName) throw new RecipeError(`${file} has no package clause`);
        write(scope, file, addBridgeFunction(source, spec));
        const testFile = platformTestFile(file);
        const testPath = scope.resolveForWrite(testFile);
        write(scope, testFile, addBridgeTest(existsSync(testPath) ? scope.readText(testFile) : undefined, packageName, spec));
        evidence.notes.push(
          `${file}: ${bridgeFunctionName(platform, conditionType)} maps ${failures.map((f) => f.code).join(', ')} in a machine's provider message to ${reason}; ${testFile} checks it and that other providers' and other failures' messages are not mapped (pattern platform-error-propagation)`,
        );
        mapped.push(platform);
      }
      return commit(
        `${req.workItemKey}: map ${mapped.join(', ')} ${errorClass} failures to ${conditionType}\n\nEach platform file maps only its own provider's failure, from the machine list the\nreconcile loop already has; the integration phase sets the condition.\nPhase: ${req.phase.id}`,
        (c) => `Mapped ${mapped.join(', ')} ${errorClass} failures to ${reason}; committed ${c.slice(0, 12)} on ${req.branch}`,
      );
    });
  };

  /** Docs (pattern platform-error-propagation, step 4): the condition, its reasons and its platforms, read from the code, on the page where HyperShift's docs list NodePool conditions. */
  const documentCondition = (req: ExecuteRequest, ctx: StepContext, conditionType: string) =>
    inScope(req, ctx, async ({ scope, evidence, beat, commit }) => {
      beat('read the code');
      const files = new Map<string, string>();
      for (const dir of [apiDir, controllerDir]) {
        for (const name of readdirSync(scope.resolveForRead(dir))) {
          if (name.endsWith('.go') && !name.endsWith('_test.go')) files.set(`${dir}/${name}`, read(scope, `${dir}/${name}`));
        }
      }
      const facts = conditionFacts(conditionType, files);
      if (!existsSync(scope.resolveForRead(conditionDocsFile)))
        throw new RecipeError(
          `${conditionDocsFile} does not exist: the docs phase adds the condition to the page where the NodePool conditions are documented`,
        );
      beat(`edit ${conditionDocsFile}`);
      write(scope, conditionDocsFile, addConditionDocs(read(scope, conditionDocsFile), facts));
      evidence.notes.push(
        `${conditionDocsFile} documents ${conditionType}: set by ${facts.setters.map((s) => s.name).join(', ')}; reasons ${facts.reasons.map((r) => r.value).join(', ')}; platforms ${facts.platforms.map((p) => p.label).join(', ') || 'none'}`,
      );
      return commit(
        `${req.workItemKey}: document the ${conditionType} condition\n\nIts reasons and the platforms that set it, as the code has them.\nPhase: ${req.phase.id}`,
        (c) => `Documented ${conditionType} in ${conditionDocsFile}; committed ${c.slice(0, 12)} on ${req.branch}`,
      );
    });

  return { fixRound, addCondition, platformBridge, documentCondition, needsModel };
}
