// Package textargs checks the text of every GraphQL argument against the
// input rules of package inputtext before any resolver runs (R7.3).
package textargs

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"creditwater/apperr"
	"creditwater/inputtext"
)

// TextArguments is a gqlgen handler extension that checks every string in
// every argument of an operation — inline or from variables, at any depth of
// the selection, inside input objects and lists, and the file names of
// uploads — against the rules of package inputtext (R7.3), after validation
// and before any resolver runs.
// The first offending string fails the whole operation with INVALID,
// extensions.field set to the argument's path ("input.address",
// "input.missing[1]"), extensions.reason to the inputtext reason, and a
// Chinese message naming the character; nothing is executed.
//
// Arguments whose name (the last element of the path, case-insensitive)
// ends in one of multiLineSuffixes are multi-line free text and may hold
// tab, line feed and carriage return; every other string (names, addresses,
// codes, IDs, passwords) is single-line.
type TextArguments struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = TextArguments{}

// multiLineSuffixes name the free-text arguments: reason, noProofReason,
// note, notes, description, evidence (a case's evidence text), statement,
// correctedSummary and text.
var multiLineSuffixes = []string{"reason", "note", "notes", "description", "evidence", "statement", "summary"}

// ExtensionName names the extension for gqlgen.
func (TextArguments) ExtensionName() string { return "TextArguments" }

// Validate accepts any schema.
func (TextArguments) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext checks the operation's arguments; see TextArguments.
func (TextArguments) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	w := argWalker{vars: oc.Variables, seen: map[string]bool{}}
	return w.selections(oc.Operation.SelectionSet)
}

// argWalker visits the fields of an operation; each fragment is visited
// once, since its arguments do not depend on where it is spread.
type argWalker struct {
	vars map[string]any
	seen map[string]bool
}

func (w *argWalker) selections(set ast.SelectionSet) *gqlerror.Error {
	for _, sel := range set {
		var err *gqlerror.Error
		switch s := sel.(type) {
		case *ast.Field:
			if err = w.arguments(s.Arguments); err == nil {
				err = w.selections(s.SelectionSet)
			}
		case *ast.InlineFragment:
			err = w.selections(s.SelectionSet)
		case *ast.FragmentSpread:
			if !w.seen[s.Name] && s.Definition != nil {
				w.seen[s.Name] = true
				err = w.selections(s.Definition.SelectionSet)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *argWalker) arguments(args ast.ArgumentList) *gqlerror.Error {
	for _, arg := range args {
		v, err := arg.Value.Value(w.vars)
		if err != nil {
			continue // not a string; validation has judged it
		}
		if e := checkText(arg.Name, arg.Name, v); e != nil {
			ge := &gqlerror.Error{Message: e.Message, Err: e}
			if arg.Position != nil {
				ge.Locations = []gqlerror.Location{{Line: arg.Position.Line, Column: arg.Position.Column}}
			}
			return ge
		}
	}
	return nil
}

// checkText checks the strings in v, an argument value (string, input object
// as map, list, upload), found at path under the argument or input field
// name.
func checkText(path, name string, v any) *apperr.Error {
	switch x := v.(type) {
	case string:
		if f := inputtext.Check(x, linesOf(name)); f != nil {
			return apperr.InvalidField(path, "%s", f.Error()).WithReason(f.Reason)
		}
	case graphql.Upload:
		// The file name is stored and shown; a bidi override in it makes
		// "invoice\u202Efdp.exe" read as "invoiceexe.pdf".
		if f := inputtext.Check(x.Filename, inputtext.SingleLine); f != nil {
			return apperr.InvalidField(path, "文件名%s", f.Error()).WithReason(f.Reason)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys) // the same input always reports the same field
		for _, k := range keys {
			if e := checkText(path+"."+k, k, x[k]); e != nil {
				return e
			}
		}
	case []any:
		for i, item := range x {
			if e := checkText(path+"["+strconv.Itoa(i)+"]", name, item); e != nil {
				return e
			}
		}
	}
	return nil
}

// linesOf tells whether the argument or input field name is multi-line
// free text.
func linesOf(name string) inputtext.Lines {
	n := strings.ToLower(name)
	if n == "text" {
		return inputtext.MultiLine
	}
	for _, s := range multiLineSuffixes {
		if strings.HasSuffix(n, s) {
			return inputtext.MultiLine
		}
	}
	return inputtext.SingleLine
}
