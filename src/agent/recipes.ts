// Recipes: what the offline agent knows how to do without a model. Each is pure (text in, text out)
// so it can be tested without a repository; offline.ts applies them inside a scope.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PlannedPhase } from '../plan/schema.js';
import { appendDeclarations, docCommentAbove, ensureImports, goFunctions, goString, stringSliceVar } from './go-source.js';
import { isCamelCase } from './review.js';

export const conditionsFile = 'api/hypershift/v1beta1/nodepool_conditions.go';
export const generatedConditionsFile = 'api/hypershift/v1beta1/zz_generated.conditions.go';
export const controllerDir = 'hypershift-operator/controllers/nodepool';
export const apiTypesFile = 'api/hypershift/v1beta1/nodepool_types.go';
/** Platform files of the NodePool controller, by the name HyperShift gives them, with how people write the platform. */
export const platformLabels: Record<string, string> = { aws: 'AWS', azure: 'Azure', kubevirt: 'KubeVirt', openstack: 'OpenStack', gcp: 'GCP', powervs: 'PowerVS', agent: 'Agent' };
const platformFiles = Object.keys(platformLabels).map((p) => `${controllerDir}/${p}.go`);

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
// "Platform bridge: map each provider's failure to CapacityError": in each platform file of the NodePool
// controller, a function that maps that provider's failure on one machine (Machine.ProviderMessage) to the
// condition's reason, and a table test. Each file knows only its own provider's words for the failure.

/** Error classes the offline agent knows the providers' words for. Any other class needs a model. */
export type ErrorClass = 'capacity' | 'quota' | 'subnet';

export interface ProviderFailure {
  /** Matched as a substring of Machine.ProviderMessage. */
  code: string;
  /** A message as the provider reports it, for the tests. */
  sample: string;
}

/** What a provider says when it cannot create a machine, per error class; platforms without an entry have no mapping. */
export const providerFailures: Record<ErrorClass, { describe: string; byPlatform: Partial<Record<string, ProviderFailure[]>> }> = {
  capacity: {
    describe: 'lack of capacity',
    byPlatform: {
      aws: [{ code: 'InsufficientInstanceCapacity', sample: 'InsufficientInstanceCapacity: We currently do not have sufficient m5.xlarge capacity in the Availability Zone you requested (us-east-1a).' }],
      azure: [
        { code: 'AllocationFailed', sample: 'AllocationFailed: Allocation failed. We do not have sufficient capacity for the requested VM size in this region.' },
        { code: 'ZonalAllocationFailed', sample: 'ZonalAllocationFailed: Allocation failed. We do not have sufficient capacity for the requested VM size in this zone.' },
      ],
      gcp: [{ code: 'ZONE_RESOURCE_POOL_EXHAUSTED', sample: "ZONE_RESOURCE_POOL_EXHAUSTED: The zone 'projects/p/zones/us-central1-a' does not have enough resources available to fulfill the request." }],
      openstack: [{ code: 'No valid host was found', sample: 'No valid host was found. There are not enough hosts available.' }],
      kubevirt: [{ code: 'ErrorUnschedulable', sample: 'ErrorUnschedulable: 0/3 nodes are available: 3 Insufficient memory.' }],
    },
  },
  quota: {
    describe: 'an exceeded quota',
    byPlatform: {
      aws: [
        { code: 'VcpuLimitExceeded', sample: 'VcpuLimitExceeded: You have requested more vCPU capacity than your current vCPU limit of 32 allows for the instance bucket that the specified instance type belongs to.' },
        { code: 'InstanceLimitExceeded', sample: 'InstanceLimitExceeded: Your quota allows for 0 more running instance(s). You requested at least 1.' },
      ],
      azure: [{ code: 'QuotaExceeded', sample: 'QuotaExceeded: Operation could not be completed as it results in exceeding approved standardDSv3Family Cores quota.' }],
      gcp: [{ code: 'QUOTA_EXCEEDED', sample: "QUOTA_EXCEEDED: Quota 'CPUS' exceeded. Limit: 24.0 in region us-central1." }],
      openstack: [{ code: 'Quota exceeded', sample: 'Quota exceeded for cores: Requested 8, but already used 20 of 24 cores.' }],
    },
  },
  subnet: {
    describe: 'a subnet without free addresses',
    byPlatform: {
      aws: [{ code: 'InsufficientFreeAddressesInSubnet', sample: 'InsufficientFreeAddressesInSubnet: The specified subnet does not have enough free addresses to satisfy the request.' }],
      azure: [{ code: 'SubnetIsFull', sample: 'SubnetIsFull: Subnet workers with address prefix 10.0.1.0/24 does not have enough capacity for 1 IP addresses.' }],
      gcp: [{ code: 'IP_SPACE_EXHAUSTED', sample: "IP_SPACE_EXHAUSTED: IP space of 'projects/p/regions/us-central1/subnetworks/workers' is exhausted." }],
      openstack: [{ code: 'IpAddressGenerationFailure', sample: 'IpAddressGenerationFailure: No more IP addresses available on network 1f2e.' }],
    },
  },
};

/** "CapacityError" → "capacity"; undefined when the offline agent does not know the class. */
export function errorClassOf(conditionType: string): ErrorClass | undefined {
  const word = /^([A-Z][a-z]+)(?:Error|Failure)s?$/.exec(conditionType)?.[1]?.toLowerCase();
  return word && word in providerFailures ? (word as ErrorClass) : undefined;
}

/** The platform-bridge phase's title names the condition: "Platform bridge: map each provider's failure to X". */
export function parseBridgeRequest(title: string): { conditionType: string } | undefined {
  const m = /\bplatform bridge\b.*?\bto\s+["'`]?([A-Z][A-Za-z0-9]*)["'`]?\s*$/i.exec(title.trim());
  return m ? { conditionType: m[1]! } : undefined;
}

export const platformOfFile = (file: string): string | undefined => new RegExp(`^${controllerDir}/(${Object.keys(platformLabels).join('|')})\\.go$`).exec(file)?.[1];
export const platformTestFile = (file: string): string => file.replace(/\.go$/, '_test.go');
export const bridgeFunctionName = (platform: string, conditionType: string): string => `${platform}${conditionType}`;
export const bridgeCodesName = (platform: string, conditionType: string): string => `${bridgeFunctionName(platform, conditionType)}Codes`;
const labelOf = (platform: string) => platformLabels[platform] ?? platform[0]!.toUpperCase() + platform.slice(1);

/** The reason the API surface declared for the condition: NodePool<X>DetectedReason, or the only NodePool<X>…Reason. */
export function bridgeReason(conditionsSource: string, conditionType: string): string {
  const typeName = conditionTypeConst(conditionType);
  if (!new RegExp(`^\\t${typeName}\\s+ConditionType\\s*=`, 'm').test(conditionsSource)) {
    throw new RecipeError(`${typeName} is not declared in ${conditionsFile}: the API surface phase must merge before the platform bridge`);
  }
  const reasons = [...conditionsSource.matchAll(new RegExp(`^\\t(NodePool${conditionType}\\w*Reason)\\s*=`, 'gm'))].map((m) => m[1]!);
  const detected = reasonConst(`${conditionType}Detected`);
  if (reasons.includes(detected)) return detected;
  if (reasons.length === 1) return reasons[0]!;
  throw new RecipeError(`${conditionsFile} declares ${reasons.length ? `several reasons for ${conditionType} (${reasons.join(', ')})` : `no reason for ${conditionType}`}; which one the bridge maps to needs a person or a model`);
}

export interface BridgeSpec {
  platform: string;
  conditionType: string;
  /** Reason constant the mapping returns, e.g. NodePoolCapacityErrorDetectedReason. */
  reason: string;
  errorClass: ErrorClass;
  /** Import path of the API package (module path + /api/hypershift/v1beta1). */
  apiImport: string;
}

/** The import name the file uses for the API package, adding `hyperv1` when it does not import it yet. */
function withApiImport(source: string, apiImport: string): { source: string; name: string } {
  const existing = new RegExp(`^\\t(?:(\\w+)\\s+)?"${apiImport.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"$`, 'm').exec(source);
  if (existing) return { source, name: existing[1] ?? apiImport.split('/').at(-1)! };
  return { source: ensureImports(source, [{ path: apiImport, alias: 'hyperv1' }]), name: 'hyperv1' };
}

/** Adds the codes table and the mapping function to the platform's file. */
export function addBridgeFunction(source: string, spec: BridgeSpec): string {
  const failures = providerFailures[spec.errorClass].byPlatform[spec.platform];
  if (!failures?.length) throw new RecipeError(`no known ${spec.errorClass} failure for ${labelOf(spec.platform)}`);
  const fn = bridgeFunctionName(spec.platform, spec.conditionType);
  const codes = bridgeCodesName(spec.platform, spec.conditionType);
  if (new RegExp(`^(func|var) ${fn}\\b`, 'm').test(source)) throw new RecipeError(`${fn} already exists in ${spec.platform}.go`);
  const api = withApiImport(ensureImports(source, [{ path: 'strings' }]), spec.apiImport);
  const label = labelOf(spec.platform);
  const what = providerFailures[spec.errorClass].describe;
  return appendDeclarations(api.source, [
    `// ${codes} are what the ${label} provider puts in a machine's ProviderMessage when it`,
    `// cannot create the machine for ${what}.`,
    `var ${codes} = []string{${failures.map((f) => goString(f.code)).join(', ')}}`,
    '',
    `// ${fn} maps the ${label} provider's failure for ${what} on one machine to the`,
    `// ${spec.conditionType} condition's reason. It reads only the machine it is given, so the reconcile loop`,
    `// calls it on the machine list it already fetched. Other failures, and other providers', are not its`,
    '// business: ok is false for them.',
    `func ${fn}(machine Machine) (reason string, ok bool) {`,
    `\tfor _, code := range ${codes} {`,
    '\t\tif strings.Contains(machine.ProviderMessage, code) {',
    `\t\t\treturn ${api.name}.${spec.reason}, true`,
    '\t\t}',
    '\t}',
    '\treturn "", false',
    '}',
  ].join('\n'));
}

/** Messages the mapping must not take for its own: other providers' words for the same class, and its provider's other failures. */
export function bridgeCounterExamples(platform: string, errorClass: ErrorClass): Array<{ name: string; sample: string }> {
  const own = providerFailures[errorClass].byPlatform[platform] ?? [];
  const mine = (sample: string) => own.some((f) => sample.includes(f.code));
  const out: Array<{ name: string; sample: string }> = [];
  for (const [other, failures] of Object.entries(providerFailures[errorClass].byPlatform)) {
    if (other !== platform && failures?.[0] && !mine(failures[0].sample)) out.push({ name: `${labelOf(other)} ${failures[0].code}`, sample: failures[0].sample });
  }
  for (const [cls, entry] of Object.entries(providerFailures)) {
    const f = entry.byPlatform[platform]?.[0];
    if (cls !== errorClass && f && !mine(f.sample)) out.push({ name: `${labelOf(platform)} ${f.code}`, sample: f.sample });
  }
  return out;
}

/** The platform's test file with a table test of the mapping (a new file, or the existing one extended). */
export function addBridgeTest(existing: string | undefined, packageName: string, spec: BridgeSpec): string {
  const fn = bridgeFunctionName(spec.platform, spec.conditionType);
  const label = labelOf(spec.platform);
  const testName = `Test${label}${spec.conditionType}`;
  const base = existing ?? `package ${packageName}\n`;
  if (new RegExp(`^func ${testName}\\(`, 'm').test(base)) throw new RecipeError(`${testName} already exists`);
  const api = withApiImport(ensureImports(base, [{ path: 'testing' }]), spec.apiImport);
  const reason = `${api.name}.${spec.reason}`;
  const rows = [
    ...(providerFailures[spec.errorClass].byPlatform[spec.platform] ?? []).map((f) => ({ name: f.code, sample: f.sample, want: true })),
    ...bridgeCounterExamples(spec.platform, spec.errorClass).map((c) => ({ ...c, want: false })),
    { name: 'no provider message', sample: '', want: false },
  ];
  return appendDeclarations(api.source, [
    `// ${testName}: the ${label} bridge maps its provider's failures for ${providerFailures[spec.errorClass].describe}, and nothing`,
    `// else, to the ${spec.conditionType} condition's reason.`,
    `func ${testName}(t *testing.T) {`,
    '\tcases := []struct {',
    '\t\tname    string',
    '\t\tmessage string',
    '\t\twant    bool',
    '\t}{',
    ...rows.map((r) => `\t\t{name: ${goString(r.name)}, message: ${goString(r.sample)}, want: ${r.want}},`),
    '\t}',
    '\tfor _, tc := range cases {',
    '\t\tt.Run(tc.name, func(t *testing.T) {',
    `\t\t\treason, ok := ${fn}(Machine{Name: "workers-a", ProviderMessage: tc.message})`,
    '\t\t\tif ok != tc.want {',
    `\t\t\t\tt.Fatalf("${fn}(%q) = %v, want %v", tc.message, ok, tc.want)`,
    '\t\t\t}',
    `\t\t\tif ok && reason != ${reason} {`,
    `\t\t\t\tt.Fatalf("reason %q, want %q", reason, ${reason})`,
    '\t\t\t}',
    '\t\t\tif !ok && reason != "" {',
    '\t\t\t\tt.Fatalf("an unmapped failure has no reason, got %q", reason)',
    '\t\t\t}',
    '\t\t})',
    '\t}',
    '}',
  ].join('\n'));
}

// ---------------------------------------------------------------------------------------------------
// "Docs and observability for CapacityError": what the code says about the condition, written into the
// README — the condition type, the reasons the controller sets it with, and the platforms whose bridge the
// controller calls, with the provider failures each maps. Read from the code, so the docs match it.

export function parseDocsRequest(title: string): { conditionType: string } | undefined {
  const m = /\bdocs?\b.*?\bfor\s+["'`]?([A-Z][A-Za-z0-9]*)["'`]?\s*$/i.exec(title.trim());
  return m ? { conditionType: m[1]! } : undefined;
}

export interface ConditionFacts {
  conditionType: string;
  /** The type constant's doc comment. */
  doc?: string;
  setters: Array<{ name: string; file: string }>;
  reasons: Array<{ constant: string; value: string; doc?: string }>;
  platforms: Array<{ platform: string; label: string; function: string; file: string; codes: string[] }>;
  /** Platforms of the API that do not set the condition. */
  silentPlatforms: string[];
}

/** Constants of `const (...)` blocks: name, string value, doc comment. */
function stringConstants(source: string): Map<string, { value: string; doc?: string }> {
  const lines = source.split('\n');
  const out = new Map<string, { value: string; doc?: string }>();
  lines.forEach((l, i) => {
    const m = /^\t(\w+)(?:\s+\w+)?\s*=\s*"([^"]*)"/.exec(l);
    if (!m) return;
    const doc = docCommentAbove(lines, i);
    out.set(m[1]!, { value: m[2]!, ...(doc ? { doc } : {}) });
  });
  return out;
}

/**
 * What the code says about a condition. `files` maps repository paths to their content: the API's
 * conditions and types files and the controller's non-test Go files.
 */
export function conditionFacts(conditionType: string, files: Map<string, string>): ConditionFacts {
  const typeName = conditionTypeConst(conditionType);
  const constants = stringConstants(files.get(conditionsFile) ?? '');
  const declared = constants.get(typeName);
  if (!declared) throw new RecipeError(`${typeName} is not declared in ${conditionsFile}`);
  const controllerFiles = [...files.entries()].filter(([path]) => path.startsWith(`${controllerDir}/`) && path.endsWith('.go') && !path.endsWith('_test.go'));
  const functions = controllerFiles.flatMap(([file, source]) => goFunctions(source).map((f) => ({ ...f, file })));
  const uses = (text: string, identifier: string) => new RegExp(`\\b${identifier}\\b`).test(text);
  const setters = functions.filter((f) => uses(f.text, typeName));
  if (setters.length === 0) throw new RecipeError(`nothing in ${controllerDir} sets ${typeName} yet: the integration phase must merge before its docs`);
  const platforms = functions
    .filter((f) => platformOfFile(f.file) !== undefined && f.name === bridgeFunctionName(platformOfFile(f.file)!, conditionType) && setters.some((s) => uses(s.text, f.name)))
    .map((f) => {
      const platform = platformOfFile(f.file)!;
      return { platform, label: labelOf(platform), function: f.name, file: f.file, codes: stringSliceVar(files.get(f.file)!, bridgeCodesName(platform, conditionType)) ?? [] };
    });
  const reasonNames = new Set<string>();
  for (const f of [...setters, ...platforms.map((p) => functions.find((g) => g.name === p.function)!)]) {
    for (const m of f.text.matchAll(/\b(NodePool\w+Reason)\b/g)) reasonNames.add(m[1]!);
  }
  const reasons = [...reasonNames].filter((n) => constants.has(n)).sort().map((constant) => ({ constant, ...constants.get(constant)! }));
  const apiPlatforms = [...(files.get(apiTypesFile) ?? '').matchAll(/^\t\w+\s+PlatformType\s*=\s*"([^"]+)"/gm)].map((m) => m[1]!);
  const silentPlatforms = apiPlatforms.filter((p) => !platforms.some((q) => q.label.toLowerCase() === p.toLowerCase()));
  return { conditionType, ...(declared.doc ? { doc: declared.doc } : {}), setters: setters.map((s) => ({ name: s.name, file: s.file })), reasons, platforms, silentPlatforms };
}

export const conditionDocsHeading = (conditionType: string): string => `## NodePool condition \`${conditionType}\``;

/** The README section for the condition. */
export function conditionDocs(facts: ConditionFacts): string {
  const code = (s: string) => `\`${s}\``;
  const typeName = conditionTypeConst(facts.conditionType);
  const sentence = (doc: string, identifier: string) => doc.replace(new RegExp(`^${identifier}\\b`), code(identifier));
  const lines = [
    conditionDocsHeading(facts.conditionType),
    '',
    ...(facts.doc ? [sentence(facts.doc, typeName), ''] : []),
    `- Type: ${code(facts.conditionType)} (${code(typeName)} in ${code(conditionsFile)}).`,
    `- Set by ${facts.setters.map((s) => `${code(s.name)} (${code(s.file)})`).join(', ')}.`,
    '- Reasons:',
    ...facts.reasons.map((r) => `  - ${code(r.value)}${r.doc ? `: ${sentence(r.doc, r.constant)}` : ` (${code(r.constant)})`}`),
  ];
  if (facts.platforms.length) {
    lines.push('- Platforms that set it, and the provider failures each one maps:');
    for (const p of facts.platforms) lines.push(`  - ${p.label}: ${p.codes.map(code).join(', ') || '(no codes listed)'} — ${code(p.function)} in ${code(p.file)}`);
  } else {
    lines.push('- No platform maps a provider failure to it yet.');
  }
  if (facts.silentPlatforms.length) lines.push(`- Not set on ${facts.silentPlatforms.join(', ')}: those platforms have no mapping, so they report nothing new.`);
  return lines.join('\n');
}

/** Appends the section to the README; refuses when the condition is documented already. */
export function addConditionDocs(readme: string, facts: ConditionFacts): string {
  if (readme.split('\n').includes(conditionDocsHeading(facts.conditionType))) throw new RecipeError(`README.md already documents ${facts.conditionType}`);
  return `${readme.replace(/\s*$/, '')}\n\n${conditionDocs(facts)}\n`;
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
        // Each platform file and its test file: the offline recipe writes both, and the scope refuses anything else.
        files: (platforms.length ? platforms : [`${controllerDir}/aws.go`]).flatMap((f) => [f, platformTestFile(f)]),
        constraints: ["each platform file maps only its own provider's failure", 'platforms without a mapping report nothing new', 'work on the machine list the reconcile loop already fetched'],
        validation: validation(allowedCommands, [['go test ./...', 'per-platform mapping covered by unit tests']]),
        dependsOn: ['api-surface'],
        mergeOrder: 2,
      },
      {
        id: 'nodepool-integration',
        title: `NodePool integration: set ${name} in the reconcile loop`,
        activity: 'core_logic',
        // The API conditions file and its generated list are here too: the integration may need a reason the API
        // phase did not foresee, and whoever adds it (the developer pairing, or RH-A's fix round after CI caught a
        // stale list) must be able to regenerate with make api inside this phase's scope.
        files: [`${controllerDir}/conditions.go`, `${controllerDir}/nodepool_controller.go`, `${controllerDir}/conditions_test.go`, conditionsFile, generatedConditionsFile],
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
