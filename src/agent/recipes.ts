// Recipes: what the offline agent knows how to do without a model. Each is pure (text in, text out)
// so it can be tested without a repository; offline.ts applies them inside a scope.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PlannedPhase } from '../plan/schema.js';
import { isCamelCase } from './review.js';

export const conditionsFile = 'api/hypershift/v1beta1/nodepool_conditions.go';
export const generatedConditionsFile = 'api/hypershift/v1beta1/zz_generated.conditions.go';
export const controllerDir = 'hypershift-operator/controllers/nodepool';
const platformFiles = ['aws', 'azure', 'kubevirt', 'openstack', 'gcp', 'powervs', 'agent'].map((p) => `${controllerDir}/${p}.go`);

// ---------------------------------------------------------------------------------------------------
// "add a NodePool condition type X [with reason Y]"

export interface ConditionRequest {
  conditionType: string;
  reason: string;
}

/** Parses the instruction; undefined when it is not this recipe. */
export function parseConditionRequest(instruction: string): ConditionRequest | undefined {
  const m = /\bcondition(?:\s+type)?\s+["'`]?([A-Za-z][\w-]*)["'`]?/i.exec(instruction);
  if (!m || !/\badd\b/i.test(instruction)) return undefined;
  const reason = /\breason\s+["'`]?([A-Za-z][\w-]*)["'`]?/i.exec(instruction)?.[1];
  return { conditionType: m[1]!, reason: reason ?? `${m[1]!}Detected` };
}

export function conditionTypeConst(t: string): string {
  return `NodePool${t}ConditionType`;
}
export function reasonConst(r: string): string {
  return `NodePool${r}Reason`;
}

export class RecipeError extends Error {
  override readonly name = 'RecipeError';
}

/**
 * Adds the condition type to the "// Condition types." const block and the reason to the "// Reasons."
 * block, keeping gofmt's alignment so `make verify` stays clean.
 */
export function addConditionConstants(source: string, req: ConditionRequest): string {
  for (const v of [req.conditionType, req.reason]) {
    if (!isCamelCase(v)) throw new RecipeError(`"${v}" is not CamelCase: condition types and reasons are CamelCase (e.g. "CapacityError")`);
  }
  const typeName = conditionTypeConst(req.conditionType);
  const reasonName = reasonConst(req.reason);
  if (new RegExp(`\\b${typeName}\\b`).test(source) || new RegExp(`=\\s*"${req.conditionType}"`).test(source)) {
    throw new RecipeError(`condition type ${req.conditionType} already exists in ${conditionsFile}`);
  }
  let out = insertIntoBlock(source, '// Condition types.', [
    `\t// ${typeName} reports ${splitWords(req.conditionType)} observed on the NodePool's machines.`,
    `\t${typeName} ConditionType = "${req.conditionType}"`,
  ]);
  if (!new RegExp(`\\b${reasonName}\\b`).test(out)) {
    out = insertIntoBlock(out, '// Reasons.', [`\t${reasonName} = "${req.reason}"`]);
  }
  return out;
}

function insertIntoBlock(source: string, marker: string, newLines: string[]): string {
  const lines = source.split('\n');
  const start = lines.findIndex((l) => l.trim() === marker);
  if (start < 0) throw new RecipeError(`${conditionsFile} has no "${marker}" const block; add the constant by hand or with a model`);
  const close = lines.findIndex((l, i) => i > start && l === ')');
  if (close < 0) throw new RecipeError(`${conditionsFile}: the "${marker}" block is not closed`);
  lines.splice(close, 0, ...newLines);
  return realignConstRuns(lines, start, close + newLines.length).join('\n');
}

/** gofmt aligns `=` across consecutive `Name = value` lines; comment or blank lines end a run. */
function realignConstRuns(lines: string[], from: number, to: number): string[] {
  const spec = /^\t(\w+)\s*=\s*(.*)$/;
  let i = from;
  while (i <= to) {
    if (!spec.test(lines[i] ?? '')) {
      i++;
      continue;
    }
    let j = i;
    while (j <= to && spec.test(lines[j] ?? '')) j++;
    const run = lines.slice(i, j).map((l) => spec.exec(l)!);
    const width = Math.max(...run.map((m) => m[1]!.length));
    run.forEach((m, k) => {
      lines[i + k] = `\t${m[1]!.padEnd(width)} = ${m[2]}`;
    });
    i = j;
  }
  return lines;
}

function splitWords(camel: string): string {
  return camel.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

export function conditionTestPath(req: ConditionRequest): string {
  const snake = req.conditionType.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  return `api/hypershift/v1beta1/nodepool_condition_${snake}_test.go`;
}

/** A Go test that fails until the constant is declared, generated into the known list, and CamelCase. */
export function conditionTestSource(req: ConditionRequest): string {
  const typeName = conditionTypeConst(req.conditionType);
  const reasonName = reasonConst(req.reason);
  return `package v1beta1

import "testing"

func Test${req.conditionType}ConditionIsRegistered(t *testing.T) {
	if ${typeName} != "${req.conditionType}" {
		t.Fatalf("unexpected value %q", ${typeName})
	}
	found := false
	for _, c := range KnownNodePoolConditionTypes() {
		if c == ${typeName} {
			found = true
		}
	}
	if !found {
		t.Fatalf("%s missing from KnownNodePoolConditionTypes: run make api", ${typeName})
	}
	reasonFound := false
	for _, r := range KnownNodePoolReasons() {
		if r == ${reasonName} {
			reasonFound = true
		}
	}
	if !reasonFound {
		t.Fatalf("%s missing from KnownNodePoolReasons: run make api", ${reasonName})
	}
}
`;
}

// ---------------------------------------------------------------------------------------------------
// Plans from the pattern library.

export interface PlanRecipe {
  id: string;
  /** Pattern library entry this recipe follows. */
  pattern: string;
  matches(intention: string): boolean;
  phases(ctx: { intention: string; targetRepo: string; allowedCommands: readonly string[] }): PlannedPhase[];
}

/** "capacity errors" → "CapacityError". */
export function conditionNameFromIntention(intention: string): string | undefined {
  const explicit = parseConditionRequest(intention);
  if (explicit) return explicit.conditionType;
  const m = /\b([a-z][a-z-]*)\s+(errors?|failures?)\b/i.exec(intention);
  if (!m) return undefined;
  const word = m[1]!.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()).join('');
  return `${word}${/^fail/i.test(m[2]!) ? 'Failure' : 'Error'}`;
}

const validation = (allowed: readonly string[], steps: Array<[string, string]>) =>
  steps.filter(([command]) => allowed.includes(command)).map(([command, why]) => ({ command, why }));

export const platformErrorRecipe: PlanRecipe = {
  id: 'platform-error-propagation',
  pattern: 'platform-error-propagation',
  matches: (intention) => /\b(report|surface|propagat\w*|expose)\b/i.test(intention) && /\b(errors?|failures?)\b/i.test(intention),
  phases: ({ intention, targetRepo, allowedCommands }) => {
    const name = conditionNameFromIntention(intention) ?? 'ProviderError';
    const platforms = platformFiles.filter((f) => existsSync(join(targetRepo, f)));
    return [
      {
        id: 'api-surface',
        // Worded as the add-condition recipe's instruction, so the offline agent can execute the phase it planned.
        title: `API surface: add NodePool condition type ${name} and reason ${name}Detected`,
        activity: 'api_changes',
        files: [conditionsFile, generatedConditionsFile, `api/hypershift/v1beta1/nodepool_condition_${name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()}_test.go`],
        constraints: [`condition type "${name}" and its reason are CamelCase`, 'the API package imports no Cluster API or provider package', 'regenerate with make api; never edit zz_generated files by hand'],
        validation: validation(allowedCommands, [['make api', 'regenerate the known-conditions list'], ['make verify', 'generated code current, gofmt and vet clean'], ['go test ./...', 'the constant is registered']]),
        dependsOn: [],
        mergeOrder: 1,
      },
      {
        id: 'platform-bridge',
        title: `Platform bridge: map each provider's failure to ${name}`,
        activity: 'implementation',
        files: platforms.length ? platforms : [`${controllerDir}/aws.go`],
        constraints: ["each platform file maps only its own provider's failure", 'platforms without a mapping report nothing new', 'work on the machine list the reconcile loop already fetched'],
        validation: validation(allowedCommands, [['go test ./...', 'per-platform mapping covered by unit tests']]),
        dependsOn: ['api-surface'],
        mergeOrder: 2,
      },
      {
        id: 'nodepool-integration',
        title: `NodePool integration: set ${name} in the reconcile loop`,
        activity: 'core_logic',
        files: [`${controllerDir}/conditions.go`, `${controllerDir}/nodepool_controller.go`],
        constraints: ['reuse the machine list you already have: no API call per machine or per condition', 'messages carry counts, not one line per machine', 'Ready reflects the new condition only if the team agrees it gates readiness'],
        validation: validation(allowedCommands, [['go test ./...', 'condition set and cleared as machines change'], ['make verify', 'vet and gofmt clean']]),
        dependsOn: ['api-surface', 'platform-bridge'],
        mergeOrder: 3,
      },
      {
        id: 'docs-observability',
        title: `Docs and observability for ${name}`,
        activity: 'tests',
        files: ['README.md'],
        constraints: [`document ${name}, its reason, and which platforms set it`],
        validation: validation(allowedCommands, [['make test', 'the whole module still passes']]),
        dependsOn: ['nodepool-integration'],
        mergeOrder: 4,
      },
    ];
  },
};

export const addConditionRecipe: PlanRecipe = {
  id: 'add-condition-type',
  pattern: 'nodepool-condition-type',
  matches: (intention) => parseConditionRequest(intention) !== undefined,
  phases: ({ intention, allowedCommands }) => {
    const req = parseConditionRequest(intention)!;
    return [
      {
        id: 'api-surface',
        title: `Add NodePool condition type ${req.conditionType} and reason ${req.reason}`,
        activity: 'api_changes',
        files: [conditionsFile, generatedConditionsFile, conditionTestPath(req)],
        constraints: ['CamelCase condition type and reason values', 'regenerate with make api'],
        validation: validation(allowedCommands, [['make api', 'regenerate the known-conditions list'], ['make verify', 'generated code current'], ['go test ./...', 'the constant is registered']]),
        dependsOn: [],
        mergeOrder: 1,
      },
    ];
  },
};

export const planRecipes: PlanRecipe[] = [addConditionRecipe, platformErrorRecipe];

/** A planned file must exist, or be new inside a directory that exists. */
export function fileProblems(targetRepo: string, files: string[]): string[] {
  return files
    .filter((f) => !existsSync(join(targetRepo, f)) && !existsSync(join(targetRepo, dirname(f))))
    .map((f) => `${f}: neither the file nor its directory exists in the target repository`);
}
