package v1beta1

import (
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

func TestConditionTypesAreCamelCaseAndUnique(t *testing.T) {
	seen := map[ConditionType]bool{}
	for _, c := range KnownNodePoolConditionTypes() {
		if !isCamelCase(string(c)) {
			t.Errorf("condition type %q is not CamelCase", c)
		}
		if seen[c] {
			t.Errorf("condition type %q declared twice", c)
		}
		seen[c] = true
	}
	if !seen[NodePoolReadyConditionType] {
		t.Fatalf("generated list misses %q: run make api", NodePoolReadyConditionType)
	}
}

func TestReasonsAreCamelCase(t *testing.T) {
	for _, r := range KnownNodePoolReasons() {
		if !isCamelCase(r) {
			t.Errorf("reason %q is not CamelCase", r)
		}
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
