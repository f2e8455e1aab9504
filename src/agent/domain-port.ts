// The domain model engine (src/domain/) behind the agent's port: answers come from answerFromModel, which
// routes a question by the names the model gives its nodes, and rule checks from checkDiff, each with the
// model nodes and real files they rest on.
import {
  answerFromModel,
  checkDiff,
  indexTree,
  loadDomainModel,
  loadTree,
  matchAny,
  platformVariations,
  renderPlatform,
  snapshotTreeFile,
  type DomainModel,
  type TreeIndex,
} from '../domain/index.js';
import { isUserError } from '../contracts/failures.js';
import type { DomainModelPort, ModelAnswer, ModelFinding } from './model-port.js';

export class DomainEnginePort implements DomainModelPort {
  private summaryText?: string;
  private tree?: TreeIndex | null;
  /** treeFile: the pinned tree listing, so answers can tell a real HyperShift path from a mistyped one */
  constructor(
    readonly model: DomainModel,
    private readonly treeFile?: string,
  ) {}

  private hasPath(path: string): boolean {
    if (this.tree === undefined) {
      try {
        this.tree = this.treeFile ? indexTree(loadTree(this.treeFile)) : null;
      } catch (err) {
        if (!isUserError(err)) throw err;
        this.tree = null; // no listing: only the files the model itself references count as known
      }
    }
    if (!this.tree) return this.model.snapshot?.lineCounts[path] !== undefined;
    return this.tree.files.has(path) || this.tree.dirs.has(path.replace(/\/$/, ''));
  }

  summary(): string {
    this.summaryText ??= [
      'Components (who owns what, what each must not do):',
      ...this.model.map.components.map(
        (c) => `- ${c.id} (${c.name}); paths ${c.paths.join(', ')}; owns ${c.owns.join('; ')}; must not ${c.mustNot.join('; ')}`,
      ),
      'Boundary rules:',
      ...this.model.map.boundaryRules.map((r) => `- ${r.id}: ${r.reason} Instead: ${r.insteadDo}`),
      'Lifecycle invariants:',
      ...this.model.lifecycle.invariants.map((i) => `- ${i.id}: ${JSON.stringify(i).slice(0, 300)}`),
      'Platforms:',
      ...this.model.matrix.platforms.map((p) => `- ${p.id}`),
    ].join('\n');
    return this.summaryText;
  }

  answer(question: string): ModelAnswer {
    const routed = answerFromModel(this.model, question, { hasPath: (p) => this.hasPath(p) });
    return { kind: routed.kind, text: routed.text, citations: routed.citations };
  }

  checkDiff(diff: string): ModelFinding[] {
    return checkDiff(this.model, diff).violations.map((v) => ({
      rule: v.ruleId,
      file: v.file,
      line: v.line,
      message: `${v.message}${v.reason ? ` (${v.reason})` : ''}`,
      insteadDo: v.insteadDo,
    }));
  }

  componentFor(path: string): string | undefined {
    return this.model.map.components.find((c) => matchAny(c.paths, path))?.id;
  }

  platformsIn(text: string): Array<{ id: string; primer: string }> {
    // "None" and "Agent" are also everyday words: only "the Agent platform" names the latter.
    const named = this.model.matrix.platforms.filter(
      (p) => p.id !== 'None' && new RegExp(p.id === 'Agent' ? '\\bAgent platform\\b' : `\\b${p.id}\\b`, 'i').test(text),
    );
    return named.flatMap((p) => {
      let report;
      try {
        report = platformVariations(this.model, p.id);
      } catch (err) {
        if (!isUserError(err)) throw err;
        return [];
      }
      // The platform's own facts (template, scaling, quota errors, boot, network), not its long list of sub-states.
      return [
        {
          id: p.id,
          primer: renderPlatform(report)
            .split('\n')
            .slice(1, 6)
            .map((l) => l.trim())
            .join('\n'),
        },
      ];
    });
  }
}

export function loadDomainEnginePort(dir?: string): DomainEnginePort {
  return new DomainEnginePort(loadDomainModel(dir), snapshotTreeFile(dir));
}

/**
 * Stands in when the domain models do not load (a model being edited must not take the agent down with
 * it): the agent works from the code alone and says so in its prompt. The processes load the same models
 * at start-up (src/knowledge/insight.ts) and stop on an invalid one, so this is for the CLI and tests.
 */
export class UnavailableModelPort implements DomainModelPort {
  constructor(private readonly reason: string) {}

  summary(): string {
    return `Domain model unavailable (${this.reason}); reason from the code and the pattern library alone.`;
  }

  answer(): ModelAnswer | undefined {
    return undefined;
  }

  checkDiff(): ModelFinding[] {
    return [];
  }

  componentFor(): string | undefined {
    return undefined;
  }
}

/** The domain model engine when the models load; otherwise a port that knows nothing and says why. `onFallback` hears the error. */
export function loadModelPort(domainModelsDir: string, onFallback: (err: unknown) => void = () => {}): DomainModelPort {
  try {
    return loadDomainEnginePort(domainModelsDir);
  } catch (err) {
    onFallback(err);
    return new UnavailableModelPort((err instanceof Error ? err.message : String(err)).split('\n')[0]!);
  }
}
