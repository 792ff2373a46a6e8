package graph

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// loadSchema parses graph/schema/*.graphqls.
func loadSchema(t *testing.T) *ast.Schema {
	t.Helper()
	files, err := filepath.Glob("schema/*.graphqls")
	if err != nil || len(files) == 0 {
		t.Fatalf("no schema files: %v", err)
	}
	var srcs []*ast.Source
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, &ast.Source{Name: f, Input: string(b)})
	}
	s, gerr := gqlparser.LoadSchema(srcs...)
	if gerr != nil {
		t.Fatal(gerr)
	}
	return s
}

// R8.1 (schema hygiene, DESIGN §11): every mutation takes one argument named
// input, of a non-null input type named <X>Input, and returns a non-null
// <X>Payload; logout, which needs nothing, may take no argument.
func TestR8_1_EveryMutationTakesOneInputAndReturnsAPayload(t *testing.T) {
	s := loadSchema(t)
	for _, f := range s.Mutation.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		switch {
		case len(f.Arguments) > 1:
			t.Errorf("%s takes %d arguments, want one input", f.Name, len(f.Arguments))
		case len(f.Arguments) == 1 && (f.Arguments[0].Name != "input" || !f.Arguments[0].Type.NonNull || !strings.HasSuffix(f.Arguments[0].Type.Name(), "Input")):
			t.Errorf("%s takes %s: %s, want input: <X>Input!", f.Name, f.Arguments[0].Name, f.Arguments[0].Type)
		case len(f.Arguments) == 0 && f.Name != "logout":
			t.Errorf("%s takes no input", f.Name)
		}
		if !f.Type.NonNull || f.Type.Elem != nil || !strings.HasSuffix(f.Type.Name(), "Payload") {
			t.Errorf("%s returns %s, want a non-null <X>Payload", f.Name, f.Type)
		}
	}
}

// R8.1: the repair and objection decisions carry the version seen
// (optimistic lock), required.
func TestR8_1_ReviewDecisionsRequireVersion(t *testing.T) {
	s := loadSchema(t)
	for _, name := range []string{"startRepairReview", "requestRepairSupplement", "approveRepair", "denyRepair",
		"acceptObjection", "notAcceptObjection", "extendObjection", "decideObjection"} {
		in := s.Types[s.Mutation.Fields.ForName(name).Arguments[0].Type.Name()]
		if v := in.Fields.ForName("version"); v == nil || !v.Type.NonNull || v.Type.Name() != "Int" {
			t.Errorf("%s: version is not Int!", name)
		}
	}
}
