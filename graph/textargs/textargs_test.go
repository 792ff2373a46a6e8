package textargs

import (
	"slices"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"creditwater/graph"
	"creditwater/graph/generated"
)

// R7.3: exactly the free-text fields of the schema accept line breaks; a
// new String field whose name looks like free text shows up here, so the
// choice is made on purpose.
func TestMultiLineArguments_R7_3(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}, Directives: graph.Directives()}).Schema()
	var multi []string
	note := func(owner, name string, typ *ast.Type) {
		for typ.Elem != nil {
			typ = typ.Elem
		}
		if typ.NamedType == "String" && linesOf(name) {
			multi = append(multi, owner+"."+name)
		}
	}
	for _, def := range schema.Types {
		switch def.Kind {
		case ast.InputObject:
			for _, f := range def.Fields {
				note(def.Name, f.Name, f.Type)
			}
		case ast.Object:
			if len(def.Name) > 1 && def.Name[:2] == "__" {
				continue
			}
			for _, f := range def.Fields {
				for _, a := range f.Arguments {
					note(def.Name+"."+f.Name, a.Name, a.Type)
				}
			}
		}
	}
	slices.Sort(multi)
	want := []string{
		"ApplicationReasonInput.reason",
		"ApproveAgentAtCounterInput.note",
		"ChangeUserRoleInput.reason",
		"DecideCaseInput.note",
		"DecideExemptionInput.reason",
		"DecideObjectionInput.correctedSummary",
		"DecideObjectionInput.reason",
		"DisableUserInput.reason",
		"EnableUserInput.reason",
		"EndUserSessionsInput.reason",
		"ExtendObjectionInput.reason",
		"FileObjectionInput.reason",
		"FileRepairInput.statement",
		"OpenCaseInput.description",
		"OpenCaseInput.evidence",
		"PassExtraReviewInput.note",
		"RecordCommitmentBreachInput.description",
		"RecordCommitmentBreachInput.evidence",
		"RecordExemptionInput.reason",
		"RecordSurveyInput.notes",
		"ResetUserPasswordInput.reason",
		"ReviewDecisionInput.reason",
		"RevokeAgentInput.reason",
		"SignCommitmentInput.noProofReason",
		"SupplementRepairInput.text",
		"VerifyIdentityAtCounterInput.note",
	}
	if !slices.Equal(multi, want) {
		t.Errorf("multi-line String fields =\n%q\nwant\n%q", multi, want)
	}
}
