package main

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

// adapters are the packages that speak an outside system's wire format
// (with their simulators and fakes beneath them). The domain declares ports
// in its own types; package server fits the adapters to them.
var adapters = []string{"creditwater/creditplatform", "creditwater/wechat", "creditwater/registry", "creditwater/apisign"}

// outerLayers are the packages that may use adapters: the composition root,
// the GraphQL layer, the benchmarks and the command.
var outerLayers = []string{"creditwater/server", "creditwater/graph", "creditwater/bench"}

// under reports whether the import path p is root or a package beneath it.
func under(p string, roots ...string) bool {
	return slices.ContainsFunc(roots, func(r string) bool { return p == r || strings.HasPrefix(p, r+"/") })
}

// The domain owns its types (docs: "Domain ports"): no domain package —
// every package of the module but the adapters, the outer layers and the
// command — depends on an adapter, directly or through another package.
func TestDomainDependsOnNoAdapter(t *testing.T) {
	pkgs, err := packages.Load(&packages.Config{Mode: packages.NeedName | packages.NeedImports | packages.NeedDeps}, "creditwater/...")
	if err != nil {
		t.Fatal(err)
	}
	var domain []string
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			t.Errorf("%s: %v", p.PkgPath, e)
		}
	})
	for _, p := range pkgs {
		if p.PkgPath == "creditwater" || under(p.PkgPath, adapters...) || under(p.PkgPath, outerLayers...) {
			continue
		}
		domain = append(domain, p.PkgPath)
		if path := adapterPath(p, map[string]bool{}); path != nil {
			t.Errorf("domain package %s depends on an adapter: %s", p.PkgPath, strings.Join(path, " → "))
		}
	}
	// The check sees what it should: the domain packages are found, and
	// the walk finds the adapters where they are used.
	for _, want := range []string{"creditwater/rating", "creditwater/apply", "creditwater/enterprise", "creditwater/auth"} {
		if !slices.Contains(domain, want) {
			t.Errorf("%s is not among the domain packages %v", want, domain)
		}
	}
	for _, p := range pkgs {
		if p.PkgPath == "creditwater/server" && adapterPath(p, map[string]bool{}) == nil {
			t.Errorf("the walk does not see server's use of the adapters")
		}
	}
}

// adapterPath returns an import chain from p to an adapter, or nil when p
// depends on none. seen holds the packages already walked.
func adapterPath(p *packages.Package, seen map[string]bool) []string {
	if under(p.PkgPath, adapters...) {
		return []string{p.PkgPath}
	}
	if seen[p.PkgPath] || !under(p.PkgPath, "creditwater") {
		return nil
	}
	seen[p.PkgPath] = true
	for _, imp := range p.Imports {
		if rest := adapterPath(imp, seen); rest != nil {
			return append([]string{p.PkgPath}, rest...)
		}
	}
	return nil
}
