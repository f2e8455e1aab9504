// "Platform bridge: map each provider's failure to CapacityError": in each platform file of the NodePool
// controller, a function that maps that provider's message for one machine to the condition's reason, and a
// table test. Each file knows only its own provider's words for the failure.
import { appendDeclarations, ensureImports, goConstants, goString } from '../go-source.js';
import { conditionsFile, conditionTypeConst, controllerDir, labelOf, platformLabels, reasonConst, RecipeError } from './paths.js';

/** Error classes the offline agent knows the providers' words for. Any other class needs a model. */
export type ErrorClass = 'capacity' | 'quota' | 'subnet';

export interface ProviderFailure {
  /** Matched as a substring of the message the provider reports for a machine. */
  code: string;
  /** A message as the provider reports it, for the tests. */
  sample: string;
}

/** What a provider says when it cannot create a machine, per error class; platforms without an entry have no mapping. */
export const providerFailures: Record<ErrorClass, { describe: string; byPlatform: Partial<Record<string, ProviderFailure[]>> }> = {
  capacity: {
    describe: 'lack of capacity',
    byPlatform: {
      aws: [
        {
          code: 'InsufficientInstanceCapacity',
          sample: 'InsufficientInstanceCapacity: We currently do not have sufficient m5.xlarge capacity in the Availability Zone you requested (us-east-1a).',
        },
      ],
      azure: [
        {
          code: 'AllocationFailed',
          sample: 'AllocationFailed: Allocation failed. We do not have sufficient capacity for the requested VM size in this region.',
        },
        {
          code: 'ZonalAllocationFailed',
          sample: 'ZonalAllocationFailed: Allocation failed. We do not have sufficient capacity for the requested VM size in this zone.',
        },
      ],
      gcp: [
        {
          code: 'ZONE_RESOURCE_POOL_EXHAUSTED',
          sample: "ZONE_RESOURCE_POOL_EXHAUSTED: The zone 'projects/p/zones/us-central1-a' does not have enough resources available to fulfill the request.",
        },
      ],
      openstack: [{ code: 'No valid host was found', sample: 'No valid host was found. There are not enough hosts available.' }],
      kubevirt: [{ code: 'ErrorUnschedulable', sample: 'ErrorUnschedulable: 0/3 nodes are available: 3 Insufficient memory.' }],
    },
  },
  quota: {
    describe: 'an exceeded quota',
    byPlatform: {
      aws: [
        {
          code: 'VcpuLimitExceeded',
          sample:
            'VcpuLimitExceeded: You have requested more vCPU capacity than your current vCPU limit of 32 allows for the instance bucket that the specified instance type belongs to.',
        },
        { code: 'InstanceLimitExceeded', sample: 'InstanceLimitExceeded: Your quota allows for 0 more running instance(s). You requested at least 1.' },
      ],
      azure: [
        {
          code: 'QuotaExceeded',
          sample: 'QuotaExceeded: Operation could not be completed as it results in exceeding approved standardDSv3Family Cores quota.',
        },
      ],
      gcp: [{ code: 'QUOTA_EXCEEDED', sample: "QUOTA_EXCEEDED: Quota 'CPUS' exceeded. Limit: 24.0 in region us-central1." }],
      openstack: [{ code: 'Quota exceeded', sample: 'Quota exceeded for cores: Requested 8, but already used 20 of 24 cores.' }],
    },
  },
  subnet: {
    describe: 'a subnet without free addresses',
    byPlatform: {
      aws: [
        {
          code: 'InsufficientFreeAddressesInSubnet',
          sample: 'InsufficientFreeAddressesInSubnet: The specified subnet does not have enough free addresses to satisfy the request.',
        },
      ],
      azure: [
        { code: 'SubnetIsFull', sample: 'SubnetIsFull: Subnet workers with address prefix 10.0.1.0/24 does not have enough capacity for 1 IP addresses.' },
      ],
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

export const platformOfFile = (file: string): string | undefined =>
  new RegExp(`^${controllerDir}/(${Object.keys(platformLabels).join('|')})\\.go$`).exec(file)?.[1];
export const platformTestFile = (file: string): string => file.replace(/\.go$/, '_test.go');
export const bridgeFunctionName = (platform: string, conditionType: string): string => `${platform}${conditionType}`;
export const bridgeCodesName = (platform: string, conditionType: string): string => `${bridgeFunctionName(platform, conditionType)}Codes`;

/** The reason the API surface declared for the condition: NodePool<X>DetectedReason, or the only NodePool<X>…Reason. */
export function bridgeReason(conditionsSource: string, conditionType: string): string {
  const typeName = conditionTypeConst(conditionType);
  const constants = goConstants(conditionsSource);
  if (!constants.some((c) => c.name === typeName)) {
    throw new RecipeError(`${typeName} is not declared in ${conditionsFile}: the API surface phase must merge before the platform bridge`);
  }
  const reasons = constants.map((c) => c.name).filter((n) => n.startsWith(`NodePool${conditionType}`) && n.endsWith('Reason'));
  const detected = reasonConst(`${conditionType}Detected`);
  if (reasons.includes(detected)) return detected;
  if (reasons.length === 1) return reasons[0]!;
  throw new RecipeError(
    `${conditionsFile} declares ${reasons.length ? `several reasons for ${conditionType} (${reasons.join(', ')})` : `no reason for ${conditionType}`}; which one the bridge maps to needs a person or a model`,
  );
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
  return appendDeclarations(
    api.source,
    [
      `// ${codes} are what the ${label} provider reports on a machine when it`,
      `// cannot create the machine for ${what}.`,
      `var ${codes} = []string{${failures.map((f) => goString(f.code)).join(', ')}}`,
      '',
      `// ${fn} maps the message the ${label} provider reported for one machine, when it means`,
      `// ${what}, to the ${spec.conditionType} condition's reason. It reads only the message it is given, so`,
      `// the reconcile loop calls it per machine of the list it already fetched. Other failures, and other`,
      "// providers', are not its business: ok is false for them.",
      `func ${fn}(providerMessage string) (reason string, ok bool) {`,
      `\tfor _, code := range ${codes} {`,
      '\t\tif strings.Contains(providerMessage, code) {',
      `\t\t\treturn ${api.name}.${spec.reason}, true`,
      '\t\t}',
      '\t}',
      '\treturn "", false',
      '}',
    ].join('\n'),
  );
}

/** Messages the mapping must not take for its own: other providers' words for the same class, and its provider's other failures. */
export function bridgeCounterExamples(platform: string, errorClass: ErrorClass): Array<{ name: string; sample: string }> {
  const own = providerFailures[errorClass].byPlatform[platform] ?? [];
  const mine = (sample: string) => own.some((f) => sample.includes(f.code));
  const out: Array<{ name: string; sample: string }> = [];
  for (const [other, failures] of Object.entries(providerFailures[errorClass].byPlatform)) {
    if (other !== platform && failures?.[0] && !mine(failures[0].sample))
      out.push({ name: `${labelOf(other)} ${failures[0].code}`, sample: failures[0].sample });
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
  return appendDeclarations(
    api.source,
    [
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
      `\t\t\treason, ok := ${fn}(tc.message)`,
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
    ].join('\n'),
  );
}
