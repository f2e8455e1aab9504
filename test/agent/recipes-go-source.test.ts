// The recipes find their anchors by parsing the Go source, so they apply to HyperShift's own layout (untyped
// constants in blocks headed "// Conditions" and "// Reasons", a prefix block between them) as well as to the
// example repository's typed constants. The HyperShift-style source here is written for the test in that layout.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goConstBlocks } from '../../src/agent/go-source.js';
import {
  addBridgeFunction,
  addConditionConstants,
  addConditionDocs,
  bridgeReason,
  conditionFacts,
  conditionsFile,
  RecipeError,
} from '../../src/agent/recipes.js';

const hypershiftStyle = `package v1beta1

// Conditions
const (
	// NodePoolValidPlatformConfigConditionType signals if the platform settings are usable.
	NodePoolValidPlatformConfigConditionType = "ValidPlatformConfig"

	// NodePoolReadyConditionType bubbles up the machines' readiness.
	NodePoolReadyConditionType = "Ready"
)

// PerformanceProfile Conditions
const (
	// NodePoolTuningConditionTypePrefix is shared by the tuning conditions.
	NodePoolTuningConditionTypePrefix = "performance.example.io"
	NodePoolTuningAvailableConditionType = NodePoolTuningConditionTypePrefix + "/Available"
)

// Reasons
const (
	NodePoolValidationFailedReason        = "ValidationFailed"
	DefaultAWSSecurityGroupNotReadyReason = "DefaultSGNotReady"
	NodePoolNotFoundReason                = "NotFound"
)
`;
const request = { conditionType: 'CapacityError', reason: 'CapacityErrorDetected' };

describe('recipes on HyperShift-style Go source', () => {
  it('parses const blocks: names, types, string values and doc comments', () => {
    const blocks = goConstBlocks(hypershiftStyle);
    expect(blocks.map((b) => b.specs.map((s) => s.name))).toEqual([
      ['NodePoolValidPlatformConfigConditionType', 'NodePoolReadyConditionType'],
      ['NodePoolTuningConditionTypePrefix', 'NodePoolTuningAvailableConditionType'],
      ['NodePoolValidationFailedReason', 'DefaultAWSSecurityGroupNotReadyReason', 'NodePoolNotFoundReason'],
    ]);
    expect(blocks[0]!.specs[1]).toMatchObject({ stringValue: 'Ready', doc: "NodePoolReadyConditionType bubbles up the machines' readiness." });
    expect(blocks[0]!.specs[1]!.type).toBeUndefined();
    expect(blocks[1]!.specs[1]).toMatchObject({ value: 'NodePoolTuningConditionTypePrefix + "/Available"' });
    expect(blocks[1]!.specs[1]!.stringValue).toBeUndefined();
  });

  it('adds an untyped condition type to the conditions block and an aligned reason to the reasons block', () => {
    const out = addConditionConstants(hypershiftStyle, request);
    const blocks = goConstBlocks(out);
    expect(blocks[0]!.specs.at(-1)).toMatchObject({ name: 'NodePoolCapacityErrorConditionType', stringValue: 'CapacityError' });
    expect(blocks[0]!.specs.at(-1)!.type).toBeUndefined();
    expect(blocks[1]!.specs.map((s) => s.name)).not.toContain('NodePoolCapacityErrorConditionType');
    expect(out).toContain('\tNodePoolValidationFailedReason        = "ValidationFailed"\n');
    expect(out).toContain('\tNodePoolCapacityErrorDetectedReason   = "CapacityErrorDetected"\n)\n');
    expect(bridgeReason(out, 'CapacityError')).toBe('NodePoolCapacityErrorDetectedReason');
    expect(() => addConditionConstants(out, request)).toThrow('condition type CapacityError already exists');
  });

  it("follows the example repository's style, which is HyperShift's: untyped constants", () => {
    const example = readFileSync(join(import.meta.dirname, '../../examples/target-repo', conditionsFile), 'utf8');
    const out = addConditionConstants(example, request);
    expect(out).toContain('\tNodePoolCapacityErrorConditionType = "CapacityError"\n)');
  });

  it('keeps a typed style where a file has one', () => {
    const typed =
      'package v1beta1\n\ntype ConditionType string\n\nconst (\n\tNodePoolReadyConditionType ConditionType = "Ready"\n)\n\nconst (\n\tNodePoolAsExpectedReason = "AsExpected"\n)\n';
    expect(addConditionConstants(typed, request)).toContain('\tNodePoolCapacityErrorConditionType ConditionType = "CapacityError"\n)');
  });

  it('says what is missing when the file has no block of condition types', () => {
    expect(() => addConditionConstants('package v1beta1\n\nconst (\n\tNodePoolNotFoundReason = "NotFound"\n)\n', request)).toThrow(RecipeError);
    expect(() => addConditionConstants('package v1beta1\n\nconst (\n\tNodePoolNotFoundReason = "NotFound"\n)\n', request)).toThrow(
      'has no const block of NodePool…ConditionType constants',
    );
    expect(() => bridgeReason(hypershiftStyle, 'CapacityError')).toThrow('NodePoolCapacityErrorConditionType is not declared');
  });

  it('the bridge maps a provider message string, so it needs no type of the controller; docs read platforms from any API file', () => {
    const aws = 'package nodepool\n\nimport (\n\t"fmt"\n\n\thyperv1 "github.com/openshift/hypershift/api/hypershift/v1beta1"\n)\n\nvar _ = fmt.Sprint\n';
    const spec = {
      platform: 'aws',
      conditionType: 'CapacityError',
      reason: 'NodePoolCapacityErrorDetectedReason',
      errorClass: 'capacity' as const,
      apiImport: 'github.com/openshift/hypershift/api/hypershift/v1beta1',
    };
    const bridged = addBridgeFunction(aws, spec);
    expect(bridged).toContain('func awsCapacityError(providerMessage string) (reason string, ok bool) {');
    expect(bridged).toContain('import (\n\t"fmt"\n\t"strings"\n\n\thyperv1 "github.com/openshift/hypershift/api/hypershift/v1beta1"\n)');
    const controller =
      'package nodepool\n\nfunc setCapacityErrorCondition(msg string) {\n\tif r, ok := awsCapacityError(msg); ok {\n\t\t_ = hyperv1.NodePoolCapacityErrorConditionType\n\t\t_ = r\n\t}\n}\n';
    const facts = conditionFacts(
      'CapacityError',
      new Map([
        [conditionsFile, addConditionConstants(hypershiftStyle, request)],
        [
          'api/hypershift/v1beta1/hostedcluster_types.go',
          'package v1beta1\n\nconst (\n\tAWSPlatform PlatformType = "AWS"\n\tKubevirtPlatform PlatformType = "KubeVirt"\n)\n',
        ],
        ['hypershift-operator/controllers/nodepool/aws.go', bridged],
        ['hypershift-operator/controllers/nodepool/conditions.go', controller],
      ]),
    );
    expect(facts.platforms.map((p) => [p.label, p.codes])).toEqual([['AWS', ['InsufficientInstanceCapacity']]]);
    expect(facts.silentPlatforms).toEqual(['KubeVirt']);
  });

  it('docs take a reason from whichever API file declares it, and append to the mkdocs page without touching what it says', () => {
    // HyperShift's NodePool conditions use the shared AsExpectedReason, declared beside the HostedCluster conditions.
    const controller =
      'package nodepool\n\nfunc setCapacityErrorCondition() {\n\t_ = hyperv1.NodePoolCapacityErrorConditionType\n\t_ = hyperv1.AsExpectedReason\n\t_ = hyperv1.NodePoolCapacityErrorDetectedReason\n\t_ = hyperv1.UndeclaredReason\n}\n';
    const facts = conditionFacts(
      'CapacityError',
      new Map([
        [conditionsFile, addConditionConstants(hypershiftStyle, request)],
        [
          'api/hypershift/v1beta1/hostedcluster_conditions.go',
          'package v1beta1\n\nconst (\n\t// AsExpectedReason means nothing is wrong.\n\tAsExpectedReason = "AsExpected"\n)\n',
        ],
        ['hypershift-operator/controllers/nodepool/conditions.go', controller],
      ]),
    );
    expect(facts.reasons).toEqual([
      { constant: 'AsExpectedReason', value: 'AsExpected', doc: 'AsExpectedReason means nothing is wrong.' },
      { constant: 'NodePoolCapacityErrorDetectedReason', value: 'CapacityErrorDetected' },
    ]);
    const page = '---\ntitle: NodePool Rollouts\n---\n\n# NodePool Rollouts\n\n## Conditions\n\n| Condition | Meaning |\n| --- | --- |\n\n';
    const documented = addConditionDocs(page, facts);
    expect(documented.startsWith(page.trimEnd() + '\n\n## NodePool condition `CapacityError`\n')).toBe(true);
    expect(documented).toContain('  - `AsExpected`: `AsExpectedReason` means nothing is wrong.');
    expect(() => addConditionDocs(documented, facts)).toThrow(new RecipeError('docs/content/reference/nodepool-rollouts.md already documents CapacityError'));
  });
});
