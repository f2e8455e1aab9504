// Plans from the pattern library: which phases a recipe plans, with their files, constraints and checks.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PlannedPhase } from '../../plan/schema.js';
import { conditionTestPath, parseConditionRequest } from './condition.js';
import { platformTestFile } from './bridge.js';
import { apiTypesFile, conditionDocsFile, conditionsFile, controllerDir, deepcopyFile, platformFiles, vendoredConditionsFile } from './paths.js';

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
  const word = m[1]!
    .split('-')
    .map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase())
    .join('');
  return `${word}${/^fail/i.test(m[2]!) ? 'Failure' : 'Error'}`;
}

/** Where the target vendors its API module (HyperShift does), the API phase refreshes the vendored copy too. */
const vendoredApi = (targetRepo: string) =>
  existsSync(join(targetRepo, vendoredConditionsFile))
    ? {
        files: [vendoredConditionsFile],
        constraints: ['the operator builds against vendor/: refresh the vendored API copy as make update (go mod vendor) does'],
      }
    : { files: [], constraints: [] };

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
        files: [
          conditionsFile,
          `api/hypershift/v1beta1/nodepool_condition_${name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()}_test.go`,
          ...vendoredApi(targetRepo).files,
        ],
        constraints: [
          ...vendoredApi(targetRepo).constraints,
          `condition type "${name}" and its reason are CamelCase`,
          'untyped string constants in the Conditions and Reasons blocks of nodepool_conditions.go, like the others',
          'the API package imports no Cluster API or provider package',
          'a new field or type needs make api (zz_generated.deepcopy.go); never edit zz_generated files by hand',
        ],
        validation: validation(allowedCommands, [
          ['make verify', 'generated code current, gofmt and vet clean'],
          ['go test ./...', 'the constants hold the declared values'],
        ]),
        dependsOn: [],
        mergeOrder: 1,
      },
      {
        id: 'platform-bridge',
        title: `Platform bridge: map each provider's failure to ${name}`,
        activity: 'implementation',
        // Each platform file and its test file: the offline recipe writes both, and the scope refuses anything else.
        files: (platforms.length ? platforms : [`${controllerDir}/aws.go`]).flatMap((f) => [f, platformTestFile(f)]),
        constraints: [
          "each platform file maps only its own provider's failure",
          'platforms without a mapping report nothing new',
          'work on the machine list the reconcile loop already fetched',
        ],
        validation: validation(allowedCommands, [['go test ./...', 'per-platform mapping covered by unit tests']]),
        dependsOn: ['api-surface'],
        mergeOrder: 2,
      },
      {
        id: 'nodepool-integration',
        title: `NodePool integration: set ${name} in the reconcile loop`,
        activity: 'core_logic',
        // The API files and the deepcopy code generated from them are here too: the integration may need a reason
        // or a status field the API phase did not foresee, and whoever adds it (the developer pairing, or RH-A's
        // fix round after CI caught stale deepcopy code) must be able to regenerate with make api inside this scope.
        files: [
          `${controllerDir}/conditions.go`,
          `${controllerDir}/nodepool_controller.go`,
          `${controllerDir}/conditions_test.go`,
          conditionsFile,
          apiTypesFile,
          deepcopyFile,
        ],
        constraints: [
          'reuse the machine list you already have: no API call per machine or per condition',
          'messages carry counts, not one line per machine',
          'Ready reflects the new condition only if the team agrees it gates readiness',
        ],
        validation: validation(allowedCommands, [
          ['go test ./...', 'condition set and cleared as machines change'],
          ['make verify', 'vet and gofmt clean'],
        ]),
        dependsOn: ['api-surface', 'platform-bridge'],
        mergeOrder: 3,
      },
      {
        id: 'docs-observability',
        title: `Docs and observability for ${name}`,
        activity: 'tests',
        files: [conditionDocsFile],
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
  phases: ({ intention, targetRepo, allowedCommands }) => {
    const req = parseConditionRequest(intention)!;
    return [
      {
        id: 'api-surface',
        title: `Add NodePool condition type ${req.conditionType} and reason ${req.reason}`,
        activity: 'api_changes',
        files: [conditionsFile, conditionTestPath(req), ...vendoredApi(targetRepo).files],
        constraints: [
          'CamelCase condition type and reason values',
          'untyped string constants, as nodepool_conditions.go declares the others',
          ...vendoredApi(targetRepo).constraints,
        ],
        validation: validation(allowedCommands, [
          ['make verify', 'generated code still current, gofmt and vet clean'],
          ['go test ./...', 'the constants hold the declared values'],
        ]),
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
