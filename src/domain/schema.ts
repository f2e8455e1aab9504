// Zod schemas for the four domain-model files. Shapes are strict so a typo in a key is an error, not a
// silently ignored field. Cross-file references (state ids, condition consts, platforms) are checked after
// parsing in parse.ts, where the line of each value is known.
import { z } from 'zod';

/** "path[:line][#Symbol]" — a reference into the pinned HyperShift tree. */
export const REF_RE = /^(?<path>[A-Za-z0-9_.\-/]+?)(?::(?<line>\d+))?(?:#(?<symbol>[A-Za-z_][\w.]*))?$/;
export const Ref = z.string().regex(REF_RE, 'expected a code reference "path[:line][#Symbol]"');

const Id = z.string().min(1);
const Text = z.string().min(1);

// ---------------------------------------------------------------------------------------------- lifecycle
/** Words people use for a model node besides its id; questions are routed by them (src/domain/route.ts). */
const Aliases = z.array(Text).default([]);

export const ConditionEntry = z
  .object({ const: Id, value: Text, kind: z.enum(['type', 'reason']), ref: Ref, note: Text.optional(), aliases: Aliases })
  .strict();

export const Substate = z
  .object({
    id: Id,
    summary: Text,
    strategy: z.enum(['Replace', 'InPlace', 'both']).optional(),
    code: z.array(Ref).default([]),
    conditions: z.array(Id).default([]),
    next: z.array(Id).min(1),
  })
  .strict();

export const Strategy = z
  .object({ id: z.enum(['Replace', 'InPlace']), capiObject: Id, summary: Text, code: z.array(Ref).default([]), aliases: Aliases })
  .strict();

export const State = z
  .object({
    id: Id,
    aliases: Aliases,
    summary: Text,
    trigger: Text.optional(),
    code: z.array(Ref).default([]),
    conditions: z.array(Id).default([]),
    strategies: z.array(Strategy).default([]),
    substates: z.array(Substate).default([]),
    next: z.array(Id).default([]),
    terminal: z.boolean().default(false),
  })
  .strict();

export const PlatformVariation = z
  .object({
    platform: z.array(Id).min(1),
    state: Id,
    substates: z.array(Id).default([]),
    behaviour: Text,
    code: z.array(Ref).default([]),
    conditions: z.array(Id).default([]),
  })
  .strict();

export const FailureMode = z
  .object({
    id: Id,
    state: Id,
    substate: Id.optional(),
    platforms: z.array(Id).default([]),
    symptom: Text,
    surfacedAs: z.object({ condition: Id, reason: Id.optional() }).strict(),
    lossy: z.boolean().default(false),
  })
  .strict();

export const Invariant = z
  .object({
    id: Id,
    statement: Text,
    appliesTo: z.array(Id).min(1),
    enforcedBy: z.array(Ref).min(1),
    conditions: z.array(Id).default([]),
    recheckWhenTouching: z.array(Text).min(1),
  })
  .strict();

export const Lifecycle = z
  .object({
    kind: z.literal('NodePoolLifecycle'),
    version: z.literal(1),
    conditionCatalog: z.array(ConditionEntry).min(1),
    states: z.array(State).min(1),
    platformVariations: z.array(PlatformVariation).default([]),
    failureModes: z.array(FailureMode).default([]),
    invariants: z.array(Invariant).default([]),
  })
  .strict();

// ------------------------------------------------------------------------------------------ abstraction map
export const Component = z
  .object({
    id: Id,
    name: Text,
    side: z.enum(['management', 'dataPlane']),
    runsIn: Text,
    paths: z.array(Text).min(1),
    entry: Ref,
    registeredAt: Ref.optional(),
    owns: z.array(Text).default([]),
    reads: z.array(Text).default([]),
    mustNot: z.array(Text).default([]),
    code: z.array(Ref).default([]),
    /** which platforms a change here can affect when the file is not platform-specific */
    blastRadius: z.enum(['all', 'automated', 'none']).default('all'),
    /** files of this component that affect every platform even when blastRadius is "automated" */
    allPlatformFiles: z.array(Text).default([]),
  })
  .strict();

export const BoundaryRule = z
  .object({
    id: Id,
    reason: Text,
    paths: z.array(Text).min(1),
    forbidImports: z.array(Text).default([]),
    forbidIdentifiers: z.array(Text).default([]),
    allowedExceptions: z.array(Text).default([]),
    insteadDo: Text,
    evidence: Text,
  })
  .strict();

export const Convention = z
  .object({
    id: Id,
    detector: z.enum(['conditionConstValue', 'conditionLiteral', 'conditionMessageList']),
    paths: z.array(Text).min(1),
    /** Globs the convention leaves out, e.g. tests, which spell the expected condition out on purpose. */
    except: z.array(Text).default([]),
    reason: Text,
    insteadDo: Text,
  })
  .strict();

export const AbstractionMap = z
  .object({
    kind: z.literal('CapiAbstractionMap'),
    version: z.literal(1),
    sides: z.object({ management: Text, dataPlane: Text }).strict(),
    components: z.array(Component).min(1),
    communication: z
      .object({
        rule: z.literal('one-way'),
        from: z.literal('management'),
        to: z.literal('dataPlane'),
        statement: Text,
        dataPlaneMayReach: z.array(z.object({ endpoint: Text, ref: Ref }).strict()),
        channels: z.array(z.object({ from: Id, to: Id, how: Text, ref: Ref }).strict()),
      })
      .strict(),
    boundaryRules: z.array(BoundaryRule).min(1),
    conventions: z.array(Convention).default([]),
  })
  .strict();

// ----------------------------------------------------------------------------------------- platform matrix
const Estimate = z.object({ value: z.number().nonnegative(), estimate: z.boolean(), note: Text.optional() }).strict();

export const E2eSuite = z
  .object({
    id: Id,
    ref: Ref,
    typicalMinutes: z.number().positive(),
    estimate: z.boolean(),
    platforms: z.array(Id).min(1),
    covers: z.array(Text).min(1),
    note: Text.optional(),
  })
  .strict();

export const Platform = z
  .object({
    id: Id,
    /** matched case-insensitively; the id itself only as written (None and Agent are also English words) */
    aliases: Aliases,
    constRef: Ref,
    automatedMachineManagement: z.boolean(),
    machineTemplate: z.object({ kind: Id, builder: Ref, providerPackage: Text, providerMachineKind: Id, providerTypes: Ref }).strict().nullable(),
    files: z.array(Text).min(1),
    scalingPrimitive: Text,
    quotaErrorSource: Text,
    typicalBootMinutes: Estimate,
    imageReference: Text,
    networkModel: Text,
    e2eSuites: z.array(Id).default([]),
    featureGates: z.array(Id).default([]),
    featureGateRef: Ref.optional(),
    conditionSetter: Ref.optional(),
    note: Text.optional(),
  })
  .strict();

export const NewPlatformStep = z.object({ id: Id, step: Text, refs: z.array(Ref).min(1), component: Id }).strict();

/** Why a change to a machine template builder rolls every NodePool of its platform. */
export const TemplateRollout = z
  .object({
    statement: Text,
    /** where the template name is derived from the builder's output; a change to this file can roll every automated platform */
    namedBy: Ref,
    code: z.array(Ref).min(1),
  })
  .strict();

export const PlatformMatrix = z
  .object({
    kind: z.literal('PlatformMatrix'),
    version: z.literal(1),
    e2eSuites: z.array(E2eSuite).min(1),
    platforms: z.array(Platform).min(1),
    newPlatformSteps: z.array(NewPlatformStep).min(1),
    templateRollout: TemplateRollout.optional(),
  })
  .strict();

// --------------------------------------------------------------------------------------- propagation flows
export const Concept = z
  .object({
    id: Id,
    name: Text,
    aliases: z.array(Text).default([]),
    platform: Id.optional(),
    component: Id,
    ref: Ref,
  })
  .strict();

export const Edge = z
  .object({
    from: Id,
    to: Id,
    actor: Id,
    via: z.array(Ref).min(1),
    carries: Text,
    lossy: z.boolean(),
    loss: Text.optional(),
    /** HyperShift's own code reads or writes the provider object here, not through a Cluster API object */
    direct: z.boolean().default(false),
  })
  .strict()
  .refine((e) => !e.lossy || e.loss !== undefined, { message: 'a lossy edge must say what is lost (loss)', path: ['loss'] });

export const Flow = z.object({ id: Id, title: Text, chain: z.array(Id).min(2) }).strict();

export const PropagationFlows = z
  .object({
    kind: z.literal('PropagationFlows'),
    version: z.literal(1),
    concepts: z.array(Concept).min(1),
    edges: z.array(Edge).min(1),
    flows: z.array(Flow).default([]),
  })
  .strict();

// ---------------------------------------------------------------------------------------- snapshot index
const Line = z.number().int().positive();
const SnapshotFile = z
  .object({
    kind: z.literal('SnapshotIndex'),
    repo: Text,
    commit: z.string().regex(/^[0-9a-f]{40}$/),
    /** committer date of the pinned commit, ISO 8601 */
    date: z.string().regex(/^\d{4}-\d\d-\d\dT/, 'expected an ISO 8601 date'),
    /** number of paths in tree.txt.gz beside this file */
    treePaths: z.number().int().positive(),
    /** names an old design draft used that do not exist; a model must never reference them (curated, carried over) */
    bannedSymbols: z.array(Id),
    /** line count of every file a model references */
    lineCounts: z.record(z.string(), Line),
    /** top-level declarations (methods as Receiver.Name) of every Go file a model references, with their lines */
    declarations: z.record(z.string(), z.record(z.string(), Line)),
  })
  .strict();

/** The snapshot index as loaded: the file, plus every declared name part (for name-level checks of other refs). */
export const SnapshotIndex = SnapshotFile.transform((s) => ({
  ...s,
  symbols: [...new Set(Object.values(s.declarations).flatMap((d) => Object.keys(d).flatMap((k) => k.split('.'))))].sort(),
}));
export type SnapshotFile = z.infer<typeof SnapshotFile>;

export type ConditionEntry = z.infer<typeof ConditionEntry>;
export type Substate = z.infer<typeof Substate>;
export type State = z.infer<typeof State>;
export type PlatformVariation = z.infer<typeof PlatformVariation>;
export type FailureMode = z.infer<typeof FailureMode>;
export type Invariant = z.infer<typeof Invariant>;
export type Lifecycle = z.infer<typeof Lifecycle>;
export type Component = z.infer<typeof Component>;
export type BoundaryRule = z.infer<typeof BoundaryRule>;
export type Convention = z.infer<typeof Convention>;
export type AbstractionMap = z.infer<typeof AbstractionMap>;
export type E2eSuite = z.infer<typeof E2eSuite>;
export type Platform = z.infer<typeof Platform>;
export type NewPlatformStep = z.infer<typeof NewPlatformStep>;
export type TemplateRollout = z.infer<typeof TemplateRollout>;
export type PlatformMatrix = z.infer<typeof PlatformMatrix>;
export type Concept = z.infer<typeof Concept>;
export type Edge = z.infer<typeof Edge>;
export type Flow = z.infer<typeof Flow>;
export type PropagationFlows = z.infer<typeof PropagationFlows>;
export type SnapshotIndex = z.infer<typeof SnapshotIndex>;

/** One code reference found in a model file, with where it was written. */
export interface RefSite {
  file: string;
  line: number;
  /** YAML path of the value, e.g. states.Upgrading.substates[3].code[0] */
  at: string;
  ref: string;
  path: string;
  lineNo?: number;
  symbol?: string;
}

/** One glob found in a model file (rule paths, platform files, invariants' recheckWhenTouching). */
export interface GlobSite {
  file: string;
  line: number;
  at: string;
  glob: string;
}

export type { Ratchet } from './ratchet.js';
import type { Ratchet } from './ratchet.js';

export interface DomainModel {
  lifecycle: Lifecycle;
  map: AbstractionMap;
  matrix: PlatformMatrix;
  flows: PropagationFlows;
  snapshot: SnapshotIndex | null;
  /** Rules the real code breaks today, with the baseline of violations each tolerates (ratchets.yaml). */
  ratchets: Ratchet[];
  refs: RefSite[];
  globs: GlobSite[];
  /** file name of each model part, for messages */
  files: { lifecycle: string; map: string; matrix: string; flows: string; ratchets?: string };
}

export function parseRef(ref: string): { path: string; line?: number; symbol?: string } {
  const m = REF_RE.exec(ref);
  if (!m?.groups) return { path: ref };
  const out: { path: string; line?: number; symbol?: string } = { path: m.groups['path'] ?? ref };
  if (m.groups['line']) out.line = Number(m.groups['line']);
  if (m.groups['symbol']) out.symbol = m.groups['symbol'];
  return out;
}
