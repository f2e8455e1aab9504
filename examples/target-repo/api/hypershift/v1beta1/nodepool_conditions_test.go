package v1beta1

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

func isCamelCase(s string) bool {
	if s == "" || !unicode.IsUpper(rune(s[0])) {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// declaredConstants reads the string constants of nodepool_conditions.go, so the test covers every
// constant someone adds without a list to keep in step.
func declaredConstants(t *testing.T) map[string]string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "nodepool_conditions.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	constants := map[string]string{}
	for _, decl := range file.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			value := spec.(*ast.ValueSpec)
			for i, name := range value.Names {
				if lit, ok := value.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					constants[name.Name], _ = strconv.Unquote(lit.Value)
				}
			}
		}
	}
	return constants
}

func TestConditionTypesAndReasonsAreCamelCaseAndUnique(t *testing.T) {
	seen := map[string]string{}
	for name, value := range declaredConstants(t) {
		if !strings.HasSuffix(name, "ConditionType") && !strings.HasSuffix(name, "Reason") {
			continue
		}
		if !isCamelCase(value) {
			t.Errorf("%s = %q is not CamelCase", name, value)
		}
		if other, dup := seen[value]; dup && strings.HasSuffix(other, "ConditionType") == strings.HasSuffix(name, "ConditionType") {
			t.Errorf("%s and %s both declare %q", name, other, value)
		}
		seen[value] = name
	}
	if seen["Ready"] != "NodePoolReadyConditionType" {
		t.Fatalf("NodePoolReadyConditionType not found in nodepool_conditions.go")
	}
}

func TestSetConditionReplacesSameType(t *testing.T) {
	var s NodePoolStatus
	s.SetCondition(NodePoolCondition{Type: NodePoolReadyConditionType, Status: ConditionFalse})
	s.SetCondition(NodePoolCondition{Type: NodePoolReadyConditionType, Status: ConditionTrue})
	if len(s.Conditions) != 1 || s.FindCondition(NodePoolReadyConditionType).Status != ConditionTrue {
		t.Fatalf("want one Ready=True condition, got %+v", s.Conditions)
	}
}

// TestNodePoolDeepCopyOwnsItsMemory fails when zz_generated.deepcopy.go is older than the types: a
// field added without `make api` is copied by reference, so the copy and the original share it.
func TestNodePoolDeepCopyOwnsItsMemory(t *testing.T) {
	replicas := int32(3)
	np := &NodePool{
		Name:   "workers",
		Spec:   NodePoolSpec{Replicas: &replicas, Platform: NodePoolPlatform{Type: AWSPlatform, AWS: &AWSNodePoolPlatform{InstanceType: "m5.large"}}},
		Status: NodePoolStatus{Conditions: []NodePoolCondition{{Type: NodePoolReadyConditionType, Status: ConditionTrue}}},
	}
	c := np.DeepCopy()
	*c.Spec.Replicas = 5
	c.Spec.Platform.AWS.InstanceType = "m5.xlarge"
	c.Status.Conditions[0].Status = ConditionFalse
	if *np.Spec.Replicas != 3 || np.Spec.Platform.AWS.InstanceType != "m5.large" || np.Status.Conditions[0].Status != ConditionTrue {
		t.Fatalf("DeepCopy shares memory with the original: zz_generated.deepcopy.go is stale, run make api")
	}
}
