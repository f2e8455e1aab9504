// API compatibility of a phase's change to the Go API types under api/. Pure: the phase's unified diff picks
// the API files that changed (through the project's one diff parser) and their source before and after the
// change says what changed in each exported struct and type. Removing or renaming an exported field or type,
// changing a field's JSON tag or Go type, narrowing its validation (kubebuilder markers) or making it required
// breaks clients and stored objects written by an older version; adding an optional field does not.
// gofmt'd source is assumed (HyperShift's CI enforces it): declarations at column 0, fields one tab in.
import { parseUnifiedDiff } from '../domain/diff.js';

export type ApiChangeKind =
  'removed-type' | 'removed-field' | 'renamed-field' | 'json-tag' | 'type-changed' | 'narrowed-validation' | 'became-required' | 'new-required-field';

export interface ApiChange {
  kind: ApiChangeKind;
  /** "NodePoolSpec.Replicas" or a type name. */
  subject: string;
  /** One line a reviewer can act on. */
  detail: string;
  /** Where the change is: the new file and line, or the old one for a removal. */
  file: string;
  line: number;
}

export interface ApiCompatibility {
  /** API source files the change touched (tests and generated files are not API). */
  files: string[];
  breaking: ApiChange[];
  /** Exported fields and types added without narrowing anything. */
  added: string[];
}

/** An API source file: a Go file under api/ that is neither a test nor generated code. */
export function isApiSource(path: string): boolean {
  return /^api\/.+\.go$/.test(path) && !path.endsWith('_test.go') && !/(^|\/)zz_generated[^/]*\.go$/.test(path);
}

interface Markers {
  optional: boolean;
  required: boolean;
  /** kubebuilder validation markers by name; XValidation rules are kept apart since a type may carry several. */
  validation: Map<string, string>;
  rules: string[];
}

interface Member {
  /** "Struct.Field", or the type's own name for type-level markers. */
  key: string;
  owner: string;
  name: string;
  goType: string;
  jsonName?: string;
  jsonTag?: string;
  omitempty: boolean;
  markers: Markers;
  file: string;
  line: number;
}

function emptyMarkers(): Markers {
  return { optional: false, required: false, validation: new Map(), rules: [] };
}

function addMarker(m: Markers, comment: string): void {
  const text = comment.replace(/^\s*\/\/\s?/, '').trim();
  if (text === '+optional' || text === '+kubebuilder:validation:Optional') m.optional = true;
  else if (text === '+required' || text === '+kubebuilder:validation:Required') m.required = true;
  const v = /^\+kubebuilder:validation:(\w+)(?:=(.*))?$/.exec(text);
  if (!v) return;
  if (v[1] === 'XValidation') m.rules.push(v[2] ?? '');
  else if (v[1] !== 'Optional' && v[1] !== 'Required') m.validation.set(v[1]!, (v[2] ?? '').trim());
}

const TYPE_STRUCT = /^type\s+([A-Za-z_]\w*)\s+struct\s*\{\s*(?:\/\/.*)?$/;
const TYPE_OTHER = /^type\s+([A-Za-z_]\w*)\s+(\S.*)$/;
const FIELD = /^\t([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s+([^`/]+?)\s*(`[^`]*`)?\s*(?:\/\/.*)?$/;
const EMBEDDED = /^\t(\*?[A-Za-z_][\w.]*)\s*(`[^`]*`)?\s*(?:\/\/.*)?$/;
const exported = (name: string) => /^[A-Z]/.test(name);

function jsonOf(tag: string | undefined): { jsonName?: string; jsonTag?: string; omitempty: boolean } {
  const m = tag ? /json:"([^"]*)"/.exec(tag) : null;
  if (!m) return { omitempty: false };
  const [name = '', ...opts] = m[1]!.split(',');
  return { jsonName: name, jsonTag: m[1]!, omitempty: opts.includes('omitempty') || opts.includes('omitzero') };
}

/** Exported struct fields and exported types (with their markers) of one Go source file. */
export function apiMembers(source: string, file: string): Member[] {
  const out: Member[] = [];
  const lines = source.split('\n');
  let pending = emptyMarkers();
  let owner: string | undefined;
  let depth = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (owner === undefined) {
      if (/^\s*\/\//.test(line)) {
        addMarker(pending, line);
        continue;
      }
      const struct = TYPE_STRUCT.exec(line);
      const other = struct ? null : TYPE_OTHER.exec(line);
      const name = struct?.[1] ?? other?.[1];
      if (name && exported(name))
        out.push({
          key: name,
          owner: name,
          name,
          goType: struct ? 'struct' : other![2]!.replace(/\s*\/\/.*$/, '').trim(),
          omitempty: false,
          markers: pending,
          file,
          line: i + 1,
        });
      if (struct) {
        owner = name;
        depth = 1;
      }
      pending = emptyMarkers();
      continue;
    }
    // Inside a struct: nested anonymous structs are tracked by depth and their fields left out.
    const opens = (line.match(/\{/g) ?? []).length;
    const closes = (line.match(/\}/g) ?? []).length;
    if (depth === 1 && /^\s*\/\//.test(line)) {
      addMarker(pending, line);
      continue;
    }
    if (depth === 1 && line.trim() === '') {
      pending = emptyMarkers();
      continue;
    }
    if (depth === 1 && /^\}/.test(line)) {
      owner = undefined;
      pending = emptyMarkers();
      continue;
    }
    if (depth === 1 && exported(owner)) {
      const field = FIELD.exec(line);
      const embedded = field ? null : EMBEDDED.exec(line);
      if (field) {
        for (const name of field[1]!.split(',').map((n) => n.trim())) {
          if (exported(name))
            out.push({ key: `${owner}.${name}`, owner, name, goType: field[2]!.trim(), ...jsonOf(field[3]), markers: pending, file, line: i + 1 });
        }
      } else if (embedded) {
        const name = embedded[1]!.replace(/^\*/, '').split('.').pop()!;
        if (exported(name))
          out.push({ key: `${owner}.${name}`, owner, name, goType: embedded[1]!, ...jsonOf(embedded[2]), markers: pending, file, line: i + 1 });
      }
      pending = emptyMarkers();
    }
    depth += opens - closes;
    if (depth <= 0) {
      owner = undefined;
      depth = 0;
      pending = emptyMarkers();
    }
  }
  return out;
}

const lowerBounds = ['Minimum', 'ExclusiveMinimum', 'MinLength', 'MinItems', 'MinProperties'];
const upperBounds = ['Maximum', 'ExclusiveMaximum', 'MaxLength', 'MaxItems', 'MaxProperties'];
const enumValues = (v: string) =>
  v
    .split(';')
    .map((s) => s.trim().replace(/^"(.*)"$/, '$1'))
    .filter(Boolean);

/** How the new markers restrict values the old ones accepted, one phrase each; empty when nothing narrowed. */
function narrowings(before: Markers, after: Markers): string[] {
  const out: string[] = [];
  const o = before.validation;
  const n = after.validation;
  const newEnum = n.get('Enum');
  if (newEnum !== undefined) {
    const oldEnum = o.get('Enum');
    if (oldEnum === undefined) out.push(`now limited to Enum ${enumValues(newEnum).join(', ')}`);
    else {
      const dropped = enumValues(oldEnum).filter((v) => !enumValues(newEnum).includes(v));
      if (dropped.length) out.push(`Enum no longer accepts ${dropped.map((d) => `"${d}"`).join(', ')}`);
    }
  }
  for (const [names, tighter] of [
    [lowerBounds, (a: number, b: number) => b > a],
    [upperBounds, (a: number, b: number) => b < a],
  ] as const) {
    for (const name of names) {
      const after = n.get(name);
      if (after === undefined) continue;
      const prior = o.get(name);
      if (prior === undefined) out.push(`new ${name}=${after}`);
      else if (Number.isFinite(Number(prior)) && Number.isFinite(Number(after)) && tighter(Number(prior), Number(after)))
        out.push(`${name} ${prior} → ${after}`);
    }
  }
  for (const name of ['Pattern', 'Format', 'Type']) {
    const after = n.get(name);
    if (after !== undefined && after !== o.get(name)) out.push(o.has(name) ? `${name} changed to ${after}` : `new ${name} ${after}`);
  }
  for (const rule of after.rules) if (!before.rules.includes(rule)) out.push(`new XValidation ${rule.slice(0, 120)}`);
  return out;
}

/**
 * Compares the API members of the changed files before and after, per Go package (a member moved between
 * two changed files of one package is not a removal).
 */
export function apiCompatibility(input: {
  diff: string;
  before: (path: string) => string | undefined;
  after: (path: string) => string | undefined;
}): ApiCompatibility {
  const files = parseUnifiedDiff(input.diff, 'phase diff');
  const changed = new Map<string, { oldPath: string | null; newPath: string | null }>();
  for (const f of files) {
    const path = f.newPath ?? f.oldPath;
    if (path && (isApiSource(f.oldPath ?? '') || isApiSource(f.newPath ?? ''))) changed.set(path, { oldPath: f.oldPath, newPath: f.newPath });
  }
  const packageOf = (p: string) => p.slice(0, p.lastIndexOf('/'));
  const before = new Map<string, Member>();
  const after = new Map<string, Member>();
  for (const { oldPath, newPath } of changed.values()) {
    if (oldPath && isApiSource(oldPath)) for (const m of apiMembers(input.before(oldPath) ?? '', oldPath)) before.set(`${packageOf(oldPath)}:${m.key}`, m);
    if (newPath && isApiSource(newPath)) for (const m of apiMembers(input.after(newPath) ?? '', newPath)) after.set(`${packageOf(newPath)}:${m.key}`, m);
  }
  const breaking: ApiChange[] = [];
  const added: string[] = [];
  const addedByOwner = new Map<string, Member[]>();
  for (const [k, m] of after) {
    if (before.has(k)) continue;
    if (m.key !== m.owner) addedByOwner.set(`${packageOf(m.file)}:${m.owner}`, [...(addedByOwner.get(`${packageOf(m.file)}:${m.owner}`) ?? []), m]);
    else added.push(m.key);
  }
  const renamedTo = new Set<Member>();
  for (const [k, old] of before) {
    const now = after.get(k);
    if (!now) {
      if (old.key === old.owner) {
        breaking.push({ kind: 'removed-type', subject: old.key, detail: `removed exported type ${old.key}`, file: old.file, line: old.line });
        continue;
      }
      if (!after.has(`${packageOf(old.file)}:${old.owner}`)) continue; // reported with its type
      // A rename keeps the JSON name or, failing that, the Go type of the field it replaces.
      const candidates = (addedByOwner.get(`${packageOf(old.file)}:${old.owner}`) ?? []).filter((a) => !renamedTo.has(a));
      const twin =
        candidates.find((a) => a.jsonName !== undefined && a.jsonName === old.jsonName) ??
        (candidates.filter((a) => a.goType === old.goType).length === 1 ? candidates.find((a) => a.goType === old.goType) : undefined);
      if (twin) {
        renamedTo.add(twin);
        breaking.push({
          kind: 'renamed-field',
          subject: old.key,
          detail: `renamed exported field ${old.key} to ${twin.key}`,
          file: twin.file,
          line: twin.line,
        });
      } else breaking.push({ kind: 'removed-field', subject: old.key, detail: `removed exported field ${old.key}`, file: old.file, line: old.line });
      continue;
    }
    const isField = old.key !== old.owner;
    if (isField && old.jsonName !== now.jsonName)
      breaking.push({
        kind: 'json-tag',
        subject: old.key,
        detail: `changed the JSON name of ${old.key} from "${old.jsonName ?? old.name}" to "${now.jsonName ?? now.name}"`,
        file: now.file,
        line: now.line,
      });
    else if (isField && old.omitempty && !now.omitempty)
      breaking.push({
        kind: 'json-tag',
        subject: old.key,
        detail: `dropped omitempty from ${old.key}'s JSON tag: empty values are now written`,
        file: now.file,
        line: now.line,
      });
    if (old.goType !== now.goType && old.goType !== 'struct')
      breaking.push({
        kind: 'type-changed',
        subject: old.key,
        detail: `changed the type of ${old.key} from ${old.goType} to ${now.goType}`,
        file: now.file,
        line: now.line,
      });
    const narrowed = narrowings(old.markers, now.markers);
    if (narrowed.length)
      breaking.push({
        kind: 'narrowed-validation',
        subject: old.key,
        detail: `narrowed validation of ${old.key}: ${narrowed.join('; ')}`,
        file: now.file,
        line: now.line,
      });
    if (isField && !old.markers.required && now.markers.required)
      breaking.push({ kind: 'became-required', subject: old.key, detail: `${old.key} became required`, file: now.file, line: now.line });
  }
  for (const list of addedByOwner.values()) {
    for (const m of list) {
      if (renamedTo.has(m)) continue;
      if (m.markers.required)
        breaking.push({
          kind: 'new-required-field',
          subject: m.key,
          detail: `new required field ${m.key}: objects written before it fail validation`,
          file: m.file,
          line: m.line,
        });
      else added.push(m.key);
    }
  }
  return { files: [...changed.keys()], breaking, added };
}
