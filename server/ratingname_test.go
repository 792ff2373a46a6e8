package server_test

import (
	"testing"

	"creditwater/creditplatform/simulator"
)

// R6.2: the platform's A–D is called "rating" across the schema (enum
// CreditRatingLevel; fields rating and ratingLabel). The earlier names grade
// and gradeLabel still answer the same, marked deprecated, so clients that
// use them keep working; the enum CreditGrade is gone.
func TestRatingNamedOnceAcrossTheSchema_R6_2(t *testing.T) {
	h := newHarness(t, testEnv(t))
	staff := h.staffToken("staff", "demo-staff-pass")
	type named struct{ Rating, RatingLabel, Grade, GradeLabel string }
	var out struct {
		CreditRating named `json:"creditRating"`
		CreditReport struct {
			named
			Entries []struct {
				Kind, Description, DecidedOn, Authority string
				DocumentNo                              *string
			}
		} `json:"creditReport"`
	}
	h.must(staff, `query($d:String!,$c:String!){
		creditRating(uscc:$d){rating ratingLabel grade gradeLabel}
		creditReport(uscc:$c,purpose:"核查信用报告"){rating ratingLabel grade gradeLabel entries{kind description decidedOn authority documentNo}}}`,
		map[string]any{"d": simulator.EnterpriseD, "c": simulator.EnterpriseWithEntries}, &out)
	if got := out.CreditRating; got != (named{"D", "严重失信", "D", "严重失信"}) {
		t.Errorf("creditRating: %+v", got)
	}
	if got := out.CreditReport; got.named != (named{"C", "失信观察", "C", "失信观察"}) || len(got.Entries) != 2 ||
		got.Entries[0].Kind == "" || got.Entries[0].DecidedOn == "" || got.Entries[0].Authority == "" {
		t.Errorf("creditReport: %+v", got)
	}

	type field struct {
		Name         string
		IsDeprecated bool
		Type         struct {
			Name   *string
			OfType *struct{ Name string }
		}
	}
	var schema struct {
		Rating, Report, Application struct{ Fields []field }
		Old                         *struct{ Name string }
	}
	h.must(staff, `{
		rating: __type(name:"CreditRating"){fields(includeDeprecated:true){name isDeprecated type{name ofType{name}}}}
		report: __type(name:"CreditReport"){fields(includeDeprecated:true){name isDeprecated type{name ofType{name}}}}
		application: __type(name:"Application"){fields(includeDeprecated:true){name isDeprecated type{name ofType{name}}}}
		old: __type(name:"CreditGrade"){name}}`, nil, &schema)
	if schema.Old != nil {
		t.Errorf("the enum CreditGrade is still in the schema")
	}
	typeName := func(f field) string {
		if f.Type.Name != nil {
			return *f.Type.Name
		}
		if f.Type.OfType != nil {
			return f.Type.OfType.Name
		}
		return ""
	}
	for typ, fields := range map[string][]field{"CreditRating": schema.Rating.Fields, "CreditReport": schema.Report.Fields} {
		want := map[string]bool{"rating": false, "ratingLabel": false, "grade": true, "gradeLabel": true} // name → deprecated
		for _, f := range fields {
			deprecated, ok := want[f.Name]
			if !ok {
				continue
			}
			delete(want, f.Name)
			if f.IsDeprecated != deprecated {
				t.Errorf("%s.%s: deprecated %v, want %v", typ, f.Name, f.IsDeprecated, deprecated)
			}
			if (f.Name == "rating" || f.Name == "grade") && typeName(f) != "CreditRatingLevel" {
				t.Errorf("%s.%s is a %s, want CreditRatingLevel", typ, f.Name, typeName(f))
			}
		}
		if len(want) > 0 {
			t.Errorf("%s lacks %v", typ, want)
		}
	}
	found := false
	for _, f := range schema.Application.Fields {
		if f.Name == "rating" {
			found = typeName(f) == "CreditRatingLevel" && !f.IsDeprecated
		}
		if f.Name == "grade" {
			t.Errorf("Application has a grade field")
		}
	}
	if !found {
		t.Errorf("Application.rating is not a CreditRatingLevel")
	}
}
