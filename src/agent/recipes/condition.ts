// "add a NodePool condition type X [with reason Y]": the constants in the API's conditions file and a test.
import { goConstBlocks, type GoConstBlock } from '../go-source.js';
import { isCamelCase } from '../review.js';
import { conditionsFile, conditionTypeConst, reasonConst, RecipeError } from './paths.js';

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

/**
 * Adds the condition type to the const block that declares the NodePool condition types and the reason to the
 * block that declares the reasons. The blocks are found by the constants they hold, not by comments (HyperShift
 * heads them "// Conditions" and "// Reasons"), and the new constants follow the file's style: typed when the
 * condition types are typed, untyped as in HyperShift. gofmt's alignment is kept so `make verify` stays clean.
 */
export function addConditionConstants(source: string, req: ConditionRequest): string {
  for (const v of [req.conditionType, req.reason]) {
    if (!isCamelCase(v)) throw new RecipeError(`"${v}" is not CamelCase: condition types and reasons are CamelCase (e.g. "CapacityError")`);
  }
  const typeName = conditionTypeConst(req.conditionType);
  const reasonName = reasonConst(req.reason);
  const blocks = goConstBlocks(source);
  const constants = blocks.flatMap((b) => b.specs);
  if (constants.some((c) => c.name === typeName || (/ConditionType$|Type$/.test(c.name) && c.stringValue === req.conditionType))) {
    throw new RecipeError(`condition type ${req.conditionType} already exists in ${conditionsFile}`);
  }
  const typeBlock = blockWithMost(blocks, (name) => /^NodePool\w+ConditionType$/.test(name));
  if (!typeBlock) throw new RecipeError(`${conditionsFile} has no const block of NodePool…ConditionType constants; add the constant by hand or with a model`);
  const reasonBlock = blockWithMost(blocks, (name) => /Reason$/.test(name));
  if (!reasonBlock) throw new RecipeError(`${conditionsFile} has no const block of …Reason constants; add the constant by hand or with a model`);
  const conditionTypes = typeBlock.specs.filter((s) => /^NodePool\w+ConditionType$/.test(s.name));
  const typed = conditionTypes.filter((s) => s.type).length > conditionTypes.length / 2 ? conditionTypes.find((s) => s.type)!.type : undefined;

  const lines = source.split('\n');
  const insertions: Array<{ at: number; lines: string[] }> = [
    {
      at: typeBlock.close,
      lines: [
        `\t// ${typeName} reports ${splitWords(req.conditionType)} observed on the NodePool's machines.`,
        `\t${typeName}${typed ? ` ${typed}` : ''} = "${req.conditionType}"`,
      ],
    },
  ];
  if (!constants.some((c) => c.name === reasonName)) insertions.push({ at: reasonBlock.close, lines: [`\t${reasonName} = "${req.reason}"`] });
  // Bottom-up, so earlier line numbers stay valid; then realign each block's last run of specs.
  for (const ins of insertions.sort((a, b) => b.at - a.at)) {
    lines.splice(ins.at, 0, ...ins.lines);
    realignConstRuns(lines, ins.at - 1, ins.at + ins.lines.length - 1);
  }
  return lines.join('\n');
}

function blockWithMost(blocks: readonly GoConstBlock[], wanted: (name: string) => boolean): GoConstBlock | undefined {
  let best: GoConstBlock | undefined;
  let most = 0;
  for (const b of blocks) {
    const n = b.specs.filter((s) => wanted(s.name)).length;
    if (b.close > b.open && n > most) [best, most] = [b, n];
  }
  return best;
}

/**
 * gofmt aligns `=` across consecutive `Name = value` lines; comment or blank lines end a run. Realigns the run
 * that contains lines from..to, extended up and down to its ends.
 */
function realignConstRuns(lines: string[], from: number, to: number): void {
  const spec = /^\t(\w+)\s*=\s*(.*)$/;
  let start = from;
  while (start > 0 && spec.test(lines[start - 1] ?? '')) start--;
  let end = to;
  while (spec.test(lines[end + 1] ?? '')) end++;
  let i = start;
  while (i <= end) {
    if (!spec.test(lines[i] ?? '')) {
      i++;
      continue;
    }
    let j = i;
    while (j <= end && spec.test(lines[j] ?? '')) j++;
    const run = lines.slice(i, j).map((l) => spec.exec(l)!);
    const width = Math.max(...run.map((m) => m[1]!.length));
    run.forEach((m, k) => {
      lines[i + k] = `\t${m[1]!.padEnd(width)} = ${m[2]}`;
    });
    i = j;
  }
}

function splitWords(camel: string): string {
  return camel.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

export function conditionTestPath(req: ConditionRequest): string {
  const snake = req.conditionType.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  return `api/hypershift/v1beta1/nodepool_condition_${snake}_test.go`;
}

/**
 * A Go test of the new constants: they hold the declared values. HyperShift keeps no generated list of the
 * known conditions (the constants are untyped and generate nothing), so there is nothing else to check.
 */
export function conditionTestSource(req: ConditionRequest): string {
  const typeName = conditionTypeConst(req.conditionType);
  const reasonName = reasonConst(req.reason);
  return `package v1beta1

import "testing"

func Test${req.conditionType}ConditionIsDeclared(t *testing.T) {
	if got := string(${typeName}); got != "${req.conditionType}" {
		t.Fatalf("${typeName} = %q, want %q", got, "${req.conditionType}")
	}
	if got := string(${reasonName}); got != "${req.reason}" {
		t.Fatalf("${reasonName} = %q, want %q", got, "${req.reason}")
	}
}
`;
}
