// "Docs and observability for CapacityError": what the code says about the condition, written into the
// documentation page where HyperShift lists NodePool conditions — the condition type, the reasons the
// controller sets it with, and the platforms whose bridge the controller calls, with the provider failures
// each maps. Read from the code, so the docs match it.
import { goConstants, goFunctions, stringSliceVar } from '../go-source.js';
import { bridgeCodesName, bridgeFunctionName, platformOfFile } from './bridge.js';
import { apiDir, conditionDocsFile, conditionsFile, conditionTypeConst, controllerDir, labelOf, RecipeError } from './paths.js';

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

/** String constants of a Go file, parsed from its const declarations: name, value, doc comment. */
function stringConstants(source: string): Map<string, { value: string; doc?: string }> {
  const out = new Map<string, { value: string; doc?: string }>();
  for (const c of goConstants(source)) if (c.stringValue !== undefined) out.set(c.name, { value: c.stringValue, ...(c.doc ? { doc: c.doc } : {}) });
  return out;
}

/**
 * What the code says about a condition. `files` maps repository paths to their content: the API package's
 * non-test Go files (the platform names are the PlatformType constants, wherever the package declares them)
 * and the controller's non-test Go files.
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
    .filter(
      (f) =>
        platformOfFile(f.file) !== undefined &&
        f.name === bridgeFunctionName(platformOfFile(f.file)!, conditionType) &&
        setters.some((s) => uses(s.text, f.name)),
    )
    .map((f) => {
      const platform = platformOfFile(f.file)!;
      return {
        platform,
        label: labelOf(platform),
        function: f.name,
        file: f.file,
        codes: stringSliceVar(files.get(f.file)!, bridgeCodesName(platform, conditionType)) ?? [],
      };
    });
  // Reasons are the API package's string constants named …Reason, wherever it declares them: HyperShift's
  // NodePool conditions also use the shared ones of hostedcluster_conditions.go (AsExpectedReason).
  const apiConstants = new Map(
    [...files.entries()]
      .filter(([path]) => path.startsWith(`${apiDir}/`) && path !== conditionsFile && !path.endsWith('_test.go'))
      .flatMap(([, source]) => [...stringConstants(source)]),
  );
  for (const [name, value] of constants) apiConstants.set(name, value);
  const reasonNames = new Set<string>();
  for (const f of [...setters, ...platforms.map((p) => functions.find((g) => g.name === p.function)!)]) {
    for (const m of f.text.matchAll(/\b(\w+Reason)\b/g)) reasonNames.add(m[1]!);
  }
  const reasons = [...reasonNames]
    .filter((n) => apiConstants.has(n))
    .sort()
    .map((constant) => ({ constant, ...apiConstants.get(constant)! }));
  const apiPlatforms = [...files.entries()]
    .filter(([path]) => path.startsWith(`${apiDir}/`) && !path.endsWith('_test.go'))
    .flatMap(([, source]) =>
      goConstants(source)
        .filter((c) => c.type === 'PlatformType' && c.stringValue !== undefined)
        .map((c) => c.stringValue!),
    );
  const silentPlatforms = apiPlatforms.filter((p) => !platforms.some((q) => q.label.toLowerCase() === p.toLowerCase()));
  return {
    conditionType,
    ...(declared.doc ? { doc: declared.doc } : {}),
    setters: setters.map((s) => ({ name: s.name, file: s.file })),
    reasons,
    platforms,
    silentPlatforms,
  };
}

export const conditionDocsHeading = (conditionType: string): string => `## NodePool condition \`${conditionType}\``;

/** The documentation section for the condition. */
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
    for (const p of facts.platforms)
      lines.push(`  - ${p.label}: ${p.codes.map(code).join(', ') || '(no codes listed)'} — ${code(p.function)} in ${code(p.file)}`);
  } else {
    lines.push('- No platform maps a provider failure to it yet.');
  }
  if (facts.silentPlatforms.length)
    lines.push(`- Not set on ${facts.silentPlatforms.join(', ')}: those platforms have no mapping, so they report nothing new.`);
  return lines.join('\n');
}

/** Appends the section to the conditions page (`conditionDocsFile`); refuses when the condition is documented already. */
export function addConditionDocs(page: string, facts: ConditionFacts): string {
  if (page.split('\n').includes(conditionDocsHeading(facts.conditionType)))
    throw new RecipeError(`${conditionDocsFile} already documents ${facts.conditionType}`);
  return `${page.replace(/\s*$/, '')}\n\n${conditionDocs(facts)}\n`;
}
