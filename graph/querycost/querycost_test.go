package querycost

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

func TestMeasureCountsExpandedFieldsAndDepth(t *testing.T) {
	bomb := "query{...F0} "
	for i := range 60 {
		bomb += fmt.Sprintf("fragment F%d on Query{...F%d ...F%d} ", i, i+1, i+1)
	}
	bomb += "fragment F60 on Query{__typename}"
	for _, tc := range []struct {
		name          string
		query         string
		fields, depth int
	}{
		{"flat", "{a b c}", 3, 1},
		{"nested", "{a{b{c}} d}", 4, 3},
		{"inline fragment", "{a{... on T{b c}}}", 3, 2},
		{"fragment used twice", "{x{...F} y{...F}} fragment F on T{a{b}}", 2 + 4 + 2, 3},
		{"two operations", "query A{a} query B{b{c}}", 3, 2},
		{"unused fragment", "{a} fragment U on T{b c}", 3, 1},
		{"fragment bomb saturates", bomb, math.MaxInt32, 1},
		{"cycle terminates", "{...A} fragment A on Query{a ...B} fragment B on Query{b ...A}", 2 + 1 + 1, 1},
		{"unknown fragment", "{a ...Nope}", 1, 1},
	} {
		doc, err := parser.ParseQuery(&ast.Source{Input: tc.query})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		fields, depth := measure(doc)
		if fields != tc.fields || depth != tc.depth {
			t.Errorf("%s: %d fields, depth %d; want %d, %d", tc.name, fields, depth, tc.fields, tc.depth)
		}
	}
}

func TestDocumentLimitsRefuseBeforeParsingTheRest(t *testing.T) {
	l := DocumentLimits{MaxTokens: 10, MaxFields: 3, MaxDepth: 2}
	for _, tc := range []struct{ query, reason string }{
		{"{" + strings.Repeat("a ", 10) + "}", ReasonTokenLimit},
		{"{a b c d}", ReasonFieldLimit},
		{"{a{b{c}}}", ReasonDepthLimit},
		{"{a{b} c}", ""},
	} {
		ctx := graphql.WithOperationContext(context.Background(), &graphql.OperationContext{})
		err := l.MutateOperationParameters(ctx, &graphql.RawParams{Query: tc.query})
		switch {
		case tc.reason == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.query, err)
		case tc.reason != "" && (err == nil || err.Extensions["reason"] != tc.reason || err.Extensions["code"] != CodeTooComplex):
			t.Errorf("%s: %v, want %s", tc.query, err, tc.reason)
		}
	}
}

// StopWhenDone starts no resolver once the context ended; plain fields of
// loaded objects still pass.
func TestStopWhenDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	next := func(context.Context) (any, error) { called = true; return "ok", nil }
	_, err := StopWhenDone(graphql.WithFieldContext(ctx, &graphql.FieldContext{IsResolver: true}), next)
	if !errors.Is(err, context.Canceled) || called {
		t.Fatalf("resolver after cancel: err %v, called %v", err, called)
	}
	if v, err := StopWhenDone(graphql.WithFieldContext(ctx, &graphql.FieldContext{}), next); err != nil || v != "ok" {
		t.Fatalf("plain field after cancel: %v %v", v, err)
	}
	called = false
	if _, err := StopWhenDone(graphql.WithFieldContext(context.Background(), &graphql.FieldContext{IsResolver: true}), next); err != nil || !called {
		t.Fatalf("live context: %v %v", err, called)
	}
}
