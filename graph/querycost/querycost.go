// Package querycost bounds what one GraphQL request may cost: the document
// measured before validation (tokens, fields, depth), complexity that
// weighs `first`, per-request deadlines and the validation rules (R7.3).
package querycost

import (
	"context"
	"creditwater/page"
	"encoding/json"
	"fmt"
	"math"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// CodeTooComplex is extensions.code of a query refused for its cost: by
// DocumentLimits before validation (with extensions.reason TOKEN_LIMIT,
// FIELD_LIMIT or DEPTH_LIMIT and extensions.limit) and by gqlgen's
// complexity limit after it.
const CodeTooComplex = "COMPLEXITY_LIMIT_EXCEEDED"

// The reasons of a refused document.
const (
	ReasonTokenLimit = "TOKEN_LIMIT"
	ReasonFieldLimit = "FIELD_LIMIT"
	ReasonDepthLimit = "DEPTH_LIMIT"
)

// DocumentLimits bounds what a query document may cost before gqlgen
// validates it: validation is superlinear in the number of fields (50,000
// repeated `__typename` took 108 s of CPU), so the document is measured on
// its parse tree first. It is a gqlgen OperationParameterMutator: add it with
// Use after the persisted-query extension so it sees the full text.
//
//   - MaxTokens: lexical tokens (counted by gqlparser's lexer, which stops at
//     the limit, so a huge document costs no more than MaxTokens tokens);
//   - MaxFields: fields of all operations with fragments expanded, plus the
//     fields written in fragment definitions; and each fragment expanded;
//   - MaxDepth: the deepest field nesting, fragments expanded.
//
// A document over a limit is refused with COMPLEXITY_LIMIT_EXCEEDED and a
// reason; a document that does not parse gets gqlgen's
// GRAPHQL_PARSE_FAILED. Documents already in Cache (parsed and validated
// before, under the same limits) are not measured again.
type DocumentLimits struct {
	MaxTokens, MaxFields, MaxDepth int
	// Cache is the handler's query cache (optional).
	Cache graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = DocumentLimits{}

// ExtensionName names the extension for gqlgen.
func (DocumentLimits) ExtensionName() string { return "DocumentLimits" }

// Validate checks the limits are positive.
func (l DocumentLimits) Validate(graphql.ExecutableSchema) error {
	if l.MaxTokens <= 0 || l.MaxFields <= 0 || l.MaxDepth <= 0 {
		return fmt.Errorf("graph: document limits must be positive: %+v", l)
	}
	return nil
}

// MutateOperationParameters measures params.Query and refuses it when it is
// over a limit.
func (l DocumentLimits) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query == "" {
		return nil
	}
	if l.Cache != nil {
		if _, ok := l.Cache.Get(ctx, params.Query); ok {
			return nil
		}
	}
	src := &ast.Source{Input: params.Query}
	lex := lexer.New(src)
	for n := 0; ; n++ {
		tok, err := lex.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			break // a lexical error is the parser's to report
		}
		if n >= l.MaxTokens {
			return tooComplex(ReasonTokenLimit, l.MaxTokens, "查询过长：超过 %d 个词法单元", l.MaxTokens)
		}
	}
	doc, err := parser.ParseQuery(src)
	if err != nil {
		if ge, ok := err.(*gqlerror.Error); ok {
			errcode.Set(ge, errcode.ParseFailed)
			return ge
		}
		return gqlerror.Errorf("%s", err.Error())
	}
	fields, depth := measure(doc)
	if fields > l.MaxFields {
		return tooComplex(ReasonFieldLimit, l.MaxFields, "查询的字段过多：%d 个，上限为 %d 个（片段展开后计）", fields, l.MaxFields)
	}
	if depth > l.MaxDepth {
		return tooComplex(ReasonDepthLimit, l.MaxDepth, "查询嵌套过深：%d 层，上限为 %d 层", depth, l.MaxDepth)
	}
	return nil
}

func tooComplex(reason string, limit int, format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	err.Extensions = map[string]any{"code": CodeTooComplex, "reason": reason, "limit": limit}
	return err
}

// cost is the size of a selection set: fields and nesting depth.
type cost struct{ fields, depth int }

// measurer walks a parsed (unvalidated) document. Fragment spreads are
// resolved by name and memoised, so a "fragment bomb" (each fragment
// spreading the next twice) costs linear time and saturates instead of
// overflowing; unknown and cyclic fragments count nothing here (validation
// refuses them).
type measurer struct {
	frags    map[string]*ast.FragmentDefinition
	memo     map[string]cost
	visiting map[string]bool
}

// measure returns the document's field count and depth as DocumentLimits
// defines them.
func measure(doc *ast.QueryDocument) (fields, depth int) {
	m := measurer{frags: map[string]*ast.FragmentDefinition{}, memo: map[string]cost{}, visiting: map[string]bool{}}
	for _, f := range doc.Fragments {
		if _, dup := m.frags[f.Name]; !dup {
			m.frags[f.Name] = f
		}
	}
	largest := 0 // the largest fragment, expanded: over the limit, used or not
	for _, op := range doc.Operations {
		c := m.selections(op.SelectionSet, true)
		fields, depth = satAdd(fields, c.fields), max(depth, c.depth)
	}
	for _, f := range doc.Fragments {
		fields = satAdd(fields, m.selections(f.SelectionSet, false).fields)
		expanded := m.fragment(f.Name)
		largest, depth = max(largest, expanded.fields), max(depth, expanded.depth)
	}
	return max(fields, largest), depth
}

func (m *measurer) selections(set ast.SelectionSet, expand bool) cost {
	var c cost
	for _, sel := range set {
		var sub cost
		switch s := sel.(type) {
		case *ast.Field:
			sub = m.selections(s.SelectionSet, expand)
			sub.fields = satAdd(sub.fields, 1)
			sub.depth++
		case *ast.InlineFragment:
			sub = m.selections(s.SelectionSet, expand)
		case *ast.FragmentSpread:
			if expand {
				sub = m.fragment(s.Name)
			}
		}
		c.fields = satAdd(c.fields, sub.fields)
		c.depth = max(c.depth, sub.depth)
	}
	return c
}

func (m *measurer) fragment(name string) cost {
	if c, ok := m.memo[name]; ok {
		return c
	}
	f := m.frags[name]
	if f == nil || m.visiting[name] {
		return cost{}
	}
	m.visiting[name] = true
	c := m.selections(f.SelectionSet, true)
	delete(m.visiting, name)
	m.memo[name] = c
	return c
}

// satAdd adds non-negative a and b, saturating at math.MaxInt32.
func satAdd(a, b int) int {
	if a > math.MaxInt32-b {
		return math.MaxInt32
	}
	return a + b
}

// satMul multiplies non-negative a and b, saturating at math.MaxInt32.
func satMul(a, b int) int {
	if a != 0 && b > math.MaxInt32/a {
		return math.MaxInt32
	}
	return a * b
}

// DefaultPageSize is the page size of a connection field whose `first` is
// absent and that declares no default; MaxPageSize the largest page a
// domain list serves (they clamp `first` to it).
const (
	DefaultPageSize = page.DefaultFirst
	MaxPageSize     = page.MaxFirst
)

// PagedComplexity wraps es so that a field with a `first` argument costs
// 1 + min(first, MaxPageSize) × the complexity of its selection (first ≤ 0
// or absent: the argument's schema default, else DefaultPageSize), so a
// page of 100 applications with their events is priced as 100 of them.
// Other fields keep the generated complexity. The wrapper is what the
// gqlgen handler (and so its complexity limit) must be given.
func PagedComplexity(es graphql.ExecutableSchema) graphql.ExecutableSchema {
	p := pagedSchema{ExecutableSchema: es, pageSize: map[string]int{}}
	for _, t := range es.Schema().Types {
		for _, f := range t.Fields {
			arg := f.Arguments.ForName("first")
			if arg == nil {
				continue
			}
			size := DefaultPageSize
			if arg.DefaultValue != nil {
				if v, err := arg.DefaultValue.Value(nil); err == nil {
					if n, ok := toInt(v); ok && n > 0 {
						size = n
					}
				}
			}
			p.pageSize[t.Name+"."+f.Name] = min(size, MaxPageSize)
		}
	}
	return p
}

type pagedSchema struct {
	graphql.ExecutableSchema
	// pageSize is the default page of each "Type.field" with `first`.
	pageSize map[string]int
}

// Complexity prices paged fields by their page size and defers to the
// generated complexity for the others.
func (p pagedSchema) Complexity(ctx context.Context, typeName, field string, childComplexity int, args map[string]any) (int, bool) {
	size, paged := p.pageSize[typeName+"."+field]
	if !paged {
		return p.ExecutableSchema.Complexity(ctx, typeName, field, childComplexity, args)
	}
	if n, ok := toInt(args["first"]); ok && n > 0 {
		size = min(n, MaxPageSize)
	}
	return satAdd(1, satMul(max(childComplexity, 1), size)), true
}

// toInt reads an Int argument as gqlgen hands it over (literal or variable).
func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int32:
		return int(x), true
	case int64:
		return int(min(max(x, math.MinInt32), math.MaxInt32)), true
	case float64:
		return int(min(max(x, math.MinInt32), math.MaxInt32)), true
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return toInt(n)
		}
	case *int:
		if x != nil {
			return *x, true
		}
	}
	return 0, false
}

// StopWhenDone is a field middleware that refuses to start a resolver once
// the request's context is done — its deadline (CW_GRAPHQL_TIMEOUT) passed
// or the client went away — so an abandoned request stops doing work. The
// error presenter shows it as UNAVAILABLE (reason DEADLINE_EXCEEDED or
// CANCELLED). Fields read from a loaded object are not resolvers and pass.
func StopWhenDone(ctx context.Context, next graphql.Resolver) (any, error) {
	if err := ctx.Err(); err != nil {
		if fc := graphql.GetFieldContext(ctx); fc != nil && (fc.IsResolver || fc.IsMethod) {
			return nil, err
		}
	}
	return next(ctx)
}

// ValidationRules returns gqlgen's validation rules (SetValidationRulesFn):
// gqlparser's defaults, and without introspection a rule that refuses
// `__schema` and `__type` as a validation error (GRAPHQL_VALIDATION_FAILED)
// instead of letting the resolver fail with INTERNAL; `__typename` stays.
func ValidationRules(introspection bool) func() *rules.Rules {
	return func() *rules.Rules {
		r := rules.NewDefaultRules()
		if !introspection {
			r.AddRule(noIntrospection.Name, noIntrospection.RuleFunc)
		}
		return r
	}
}

var noIntrospection = core.Rule{Name: "NoIntrospection", RuleFunc: func(observers *core.Events, addError core.AddErrFunc) {
	observers.OnField(func(_ *core.Walker, field *ast.Field) {
		if field.Name == "__schema" || field.Name == "__type" {
			addError(core.Message("此服务不提供内省查询（%s）", field.Name), core.At(field.Position))
		}
	})
}}

// AnswerWhenDone is an operation middleware for a request whose context
// ended before its operation ran (CW_GRAPHQL_TIMEOUT spent in reading and
// authentication, or the client gone): gqlgen then produces no response at
// all, and the transport would write `null`. It answers the error present
// makes of the context's error instead (UNAVAILABLE, reason
// DEADLINE_EXCEEDED or CANCELLED, with retryAfter).
func AnswerWhenDone(present graphql.ErrorPresenterFunc) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		handle := next(ctx)
		return func(ctx context.Context) *graphql.Response {
			resp := handle(ctx)
			if resp == nil && ctx.Err() != nil {
				return &graphql.Response{Errors: gqlerror.List{present(ctx, ctx.Err())}}
			}
			return resp
		}
	}
}
