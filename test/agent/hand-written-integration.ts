// What maria writes by hand in the paired NodePool integration phase of the platform-error plan, after the
// pair review: the controller sets the condition from the machine list the reconcile loop already has, counts
// instead of listing machines, and uses CamelCase constants. She also adds a reason the API phase did not
// have ("<Class>Exhausted": no machine of the NodePool can be created), and a status field counting the failing
// machines by reason, with a test that a DeepCopy of the NodePool owns that field — and forgets `make api`, so
// zz_generated.deepcopy.go is stale (the copy shares the map) until someone regenerates it. Her editor runs gofmt.
//
// Used by the offline-agent tests (docs and fix round on top of it), by the end-to-end scenario, and by
// `npm run demo`, which tells the same story against `npm run dev`.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { apiTypesFile, conditionsFile, controllerDir, errorClassOf, providerFailures } from '../../src/agent/recipes.js';

const run = promisify(execFile);

export interface HandWritten {
  /** The reason she adds, e.g. "CapacityExhausted", and its constant. */
  reason: string;
  reasonConst: string;
  /** The test that fails while the generated deepcopy code is stale, and what it prints then. */
  registeredTest: string;
  staleMessage: string;
  /** The status field she adds; the regenerated deepcopy code names it. */
  field: string;
  /** The condition message for `failing` of `total` machines. */
  message(failing: number, total: number): string;
  /** Repository paths she changes. */
  files: string[];
  /** Writes her change into the worktree (gofmt'd, not committed, no `make api`). */
  write(worktree: string): Promise<void>;
}

export function handWrittenIntegration(conditionType: string): HandWritten {
  const errorClass = errorClassOf(conditionType);
  if (!errorClass) throw new Error(`no known provider failures for ${conditionType}`);
  const word = errorClass[0]!.toUpperCase() + errorClass.slice(1);
  const reason = `${word}Exhausted`;
  const reasonConst = `NodePool${reason}Reason`;
  const typeConst = `NodePool${conditionType}ConditionType`;
  const detected = `NodePool${conditionType}DetectedReason`;
  const setter = `set${conditionType}Condition`;
  const bridge = `aws${conditionType}`;
  const what = providerFailures[errorClass].describe;
  const sample = providerFailures[errorClass].byPlatform.aws![0]!.sample;
  const field = 'MachineFailures';
  const registeredTest = `Test${field}AreNotSharedByDeepCopy`;
  const staleMessage = `DeepCopy shares Status.${field} with the original: zz_generated.deepcopy.go is stale, run make api`;
  const testFile = `${controllerDir}/conditions_test.go`;
  const message = (failing: number, total: number) => `${failing} of ${total} machines cannot be created for ${what}`;

  const setterSource = `
// ${setter} reports the machines the platform provider cannot create for
// ${what}. It works on the machine list the reconcile loop already fetched, and the message
// counts them instead of listing them. Platforms without a mapping report nothing new.
func ${setter}(np *hyperv1.NodePool, machines []Machine) {
	var mapFailure func(providerMessage string) (string, bool)
	switch np.Spec.Platform.Type {
	case hyperv1.AWSPlatform:
		mapFailure = ${bridge}
	default:
		return
	}
	failing, reason := 0, ""
	for _, m := range machines {
		if r, ok := mapFailure(m.ProviderMessage); ok {
			failing++
			reason = r
		}
	}
	condition := hyperv1.NodePoolCondition{
		Type:   hyperv1.${typeConst},
		Status: hyperv1.ConditionFalse,
		Reason: hyperv1.NodePoolAsExpectedReason,
	}
	if failing > 0 {
		condition.Status = hyperv1.ConditionTrue
		condition.Reason = reason
		if failing == len(machines) {
			condition.Reason = hyperv1.${reasonConst}
		}
		condition.Message = fmt.Sprintf("%d of %d machines cannot be created for ${what}", failing, len(machines))
	}
	np.Status.SetCondition(condition)
	np.Status.${field} = nil
	if failing > 0 {
		np.Status.${field} = map[string]int32{condition.Reason: int32(failing)}
	}
}
`;

  const testSource = `package nodepool

import (
	"context"
	"testing"

	hyperv1 "github.com/example/hypershift-mini/api/hypershift/v1beta1"
)

const ${errorClass}Message = ${JSON.stringify(sample)}

func reconcileWith(t *testing.T, ms []Machine) (*hyperv1.NodePool, *fakeMachines) {
	t.Helper()
	machines := &fakeMachines{machines: ms}
	np := awsNodePool()
	if err := (&NodePoolReconciler{Machines: machines}).Reconcile(context.Background(), np); err != nil {
		t.Fatal(err)
	}
	return np, machines
}

func Test${conditionType}CountsMachinesFromTheFetchedList(t *testing.T) {
	np, machines := reconcileWith(t, []Machine{
		{Name: "a", NodePool: "workers", Ready: true},
		{Name: "b", NodePool: "workers", ProviderMessage: ${errorClass}Message},
		{Name: "c", NodePool: "workers", ProviderMessage: ${errorClass}Message},
	})
	c := np.Status.FindCondition(hyperv1.${typeConst})
	if c == nil || c.Status != hyperv1.ConditionTrue || c.Reason != hyperv1.${detected} {
		t.Fatalf("want ${conditionType}=True/${conditionType}Detected, got %+v", c)
	}
	if c.Message != ${JSON.stringify(message(2, 3))} {
		t.Fatalf("unexpected message %q", c.Message)
	}
	if machines.calls != 1 {
		t.Fatalf("machines must be listed once per reconcile, got %d calls", machines.calls)
	}
}

func Test${reason}WhenNoMachineCanBeCreated(t *testing.T) {
	np, _ := reconcileWith(t, []Machine{
		{Name: "a", NodePool: "workers", ProviderMessage: ${errorClass}Message},
		{Name: "b", NodePool: "workers", ProviderMessage: ${errorClass}Message},
	})
	if c := np.Status.FindCondition(hyperv1.${typeConst}); c == nil || c.Reason != hyperv1.${reasonConst} {
		t.Fatalf("want reason ${reason}, got %+v", c)
	}
}

func Test${conditionType}ClearsWhenMachinesAreCreated(t *testing.T) {
	np, _ := reconcileWith(t, []Machine{{Name: "a", NodePool: "workers", Ready: true}})
	if c := np.Status.FindCondition(hyperv1.${typeConst}); c == nil || c.Status != hyperv1.ConditionFalse || c.Reason != hyperv1.NodePoolAsExpectedReason {
		t.Fatalf("want ${conditionType}=False/AsExpected, got %+v", c)
	}
}

func ${registeredTest}(t *testing.T) {
	np, _ := reconcileWith(t, []Machine{{Name: "a", NodePool: "workers", ProviderMessage: ${errorClass}Message}})
	if np.Status.${field}[hyperv1.${reasonConst}] != 1 {
		t.Fatalf("want one machine counted under ${reason}, got %v", np.Status.${field})
	}
	copied := np.DeepCopy()
	copied.Status.${field}[hyperv1.${reasonConst}] = 7
	if np.Status.${field}[hyperv1.${reasonConst}] != 1 {
		t.Fatalf(${JSON.stringify(staleMessage)})
	}
}
`;

  const edit = (worktree: string, path: string, change: (text: string) => string) => {
    const abs = join(worktree, path);
    const before = readFileSync(abs, 'utf8');
    const after = change(before);
    if (after === before) throw new Error(`hand-written change: nothing changed in ${path}`);
    writeFileSync(abs, after);
  };

  const files = [conditionsFile, apiTypesFile, `${controllerDir}/conditions.go`, `${controllerDir}/nodepool_controller.go`, testFile];
  return {
    reason,
    reasonConst,
    registeredTest,
    staleMessage,
    field,
    message,
    files,
    async write(worktree) {
      edit(worktree, conditionsFile, (text) => {
        const lines = text.split('\n');
        const reasons = lines.indexOf('// Reasons');
        const close = lines.findIndex((l, i) => i > reasons && l === ')');
        lines.splice(close, 0, `\t// ${reasonConst} means no machine of the NodePool can be created for ${what}.`, `\t${reasonConst} = "${reason}"`);
        return lines.join('\n');
      });
      edit(worktree, apiTypesFile, (text) =>
        text.replace(
          /^type NodePoolStatus struct \{\n/m,
          (open) => `${open}\t// ${field} counts the machines the platform provider cannot create, by condition reason.\n\t${field} map[string]int32\n`,
        ),
      );
      edit(worktree, `${controllerDir}/conditions.go`, (text) => `${text.trimEnd()}\n${setterSource}`);
      edit(worktree, `${controllerDir}/nodepool_controller.go`, (text) =>
        text.replace('\tsetPlatformConditions(np, machines)\n', `\tsetPlatformConditions(np, machines)\n\t${setter}(np, machines)\n`),
      );
      writeFileSync(join(worktree, testFile), testSource);
      await run('gofmt', ['-w', ...files], { cwd: worktree });
    },
  };
}
