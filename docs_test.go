package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"creditwater/config"
)

// The repository stands alone: every relative link of the README and of
// docs/*.md leads to a file or folder of the repository.
func TestDocsRelativeLinksResolve(t *testing.T) {
	docs, err := filepath.Glob("docs/*.md")
	if err != nil || len(docs) < 2 {
		t.Fatalf("docs/*.md: %v %v", docs, err)
	}
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	for _, file := range append([]string{"README.md"}, docs...) {
		text := readFile(t, file)
		for _, m := range link.FindAllStringSubmatch(text, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "#") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			target, _, _ = strings.Cut(target, "#")
			path := filepath.Join(filepath.Dir(file), target)
			if rel, err := filepath.Rel(".", path); err != nil || strings.HasPrefix(rel, "..") {
				t.Errorf("%s: link %q leaves the repository", file, m[1])
				continue
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s: link %q leads nowhere", file, m[1])
			}
		}
	}
	if strings.Contains(readFile(t, "README.md"), "../shared/") {
		t.Errorf("README.md points outside the repository (../shared/)")
	}
}

// requirementsBefore are the requirements that existed before the last
// round of work: each must be named by a test. Newer ones (R1.5–R1.7,
// R3.4–R3.6, R7.5, R7.6, R8) are reported while they are being built.
var requirementsBefore = regexp.MustCompile(`^R(1\.[1-4]|2\.\d+|3\.[1-3]|4\.\d+|5\.\d+|6\.[1-8]|7\.[1-4])$`)

// Every requirement of docs/requirements.md is named by a test, as
// `R1_5` in a test name or `R1.5` in a comment or string of a _test.go file.
func TestRequirementsNamedByTests(t *testing.T) {
	ids := regexp.MustCompile(`\*\*(R\d+\.\d+)\*\*`).FindAllStringSubmatch(readFile(t, "docs/requirements.md"), -1)
	if len(ids) < 40 {
		t.Fatalf("docs/requirements.md lists %d requirements; want the R-numbers in bold (**R1.1**)", len(ids))
	}
	var tests strings.Builder
	goFiles(t, func(path string) {
		if strings.HasSuffix(path, "_test.go") && path != "docs_test.go" {
			tests.WriteString(readFile(t, path))
		}
	})
	all := tests.String()
	var missing, pending []string
	for _, m := range ids {
		id := m[1]
		major, minor, _ := strings.Cut(strings.TrimPrefix(id, "R"), ".")
		named := regexp.MustCompile(`R` + major + `[._]` + minor + `(\D|$)`)
		if named.MatchString(all) {
			continue
		}
		if requirementsBefore.MatchString(id) {
			missing = append(missing, id)
		} else {
			pending = append(pending, id)
		}
	}
	if len(pending) > 0 {
		t.Logf("requirements not yet named by a test (being built): %s", strings.Join(pending, ", "))
	}
	if len(missing) > 0 {
		t.Errorf("requirements named by no test: %s", strings.Join(missing, ", "))
	}
}

// R7.4: the README's configuration table and the code agree: every variable of
// config.Config is in the table with its default, and the table names no
// other. A default cell starts with the default in backquotes; a variable
// without a default has a word there instead ("empty", "searched", …).
func TestREADMEConfigurationTable_R7_4(t *testing.T) {
	defaults := map[string]string{}
	for _, v := range config.Vars() {
		defaults[v.Name] = v.Default
	}
	seen := map[string]bool{}
	row := regexp.MustCompile("^\\| (`CW_[^|]+) \\| ([^|]+) \\|")
	for line := range strings.SplitSeq(readFile(t, "README.md"), "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		names := strings.Split(m[1], " / ")
		cells := strings.Split(m[2], " / ")
		if len(cells) != len(names) {
			cells = slices.Repeat([]string{m[2]}, len(names))
		}
		for i, name := range names {
			name = strings.Trim(name, "` ")
			want, known := defaults[name]
			if !known {
				t.Errorf("README names %s, which config.Config does not have", name)
				continue
			}
			seen[name] = true
			cell := strings.TrimSpace(cells[i])
			switch {
			case want == "" && strings.HasPrefix(cell, "`"):
				t.Errorf("README gives %s the default %s; it has none", name, cell)
			case want != "" && !strings.HasPrefix(cell, "`"+want+"`"):
				t.Errorf("README gives %s the default %q; the code's is %q", name, cell, want)
			}
		}
	}
	for name := range defaults {
		if !seen[name] {
			t.Errorf("%s is not in the README's configuration table", name)
		}
	}
}

// The README's "Layout" section lists exactly the top-level folders.
func TestREADMELayoutListsFolders(t *testing.T) {
	text := readFile(t, "README.md")
	_, section, ok := strings.Cut(text, "\n## Layout\n")
	if !ok {
		t.Fatal(`README.md has no "## Layout" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var listed []string
	for m := range strings.SplitSeq(section, "\n") {
		if f := strings.Fields(m); len(f) > 0 && strings.HasSuffix(f[0], "/") && !strings.Contains(strings.TrimSuffix(f[0], "/"), "/") {
			listed = append(listed, strings.TrimSuffix(f[0], "/"))
		}
	}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var folders []string
	for _, e := range entries {
		// data/ is the development data dir and node_modules/ an npm install (both ignored by git).
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") && e.Name() != "data" && e.Name() != "node_modules" {
			folders = append(folders, e.Name())
		}
	}
	slices.Sort(listed)
	if !slices.Equal(listed, folders) {
		t.Errorf("README's layout lists %v;\nthe repository's folders are %v", listed, folders)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// No hand-written package is over 2,500 lines (its .go files but tests;
// gqlgen's graph/generated is not hand-written): a larger one is split by
// reason to change.
func TestNoPackageOver2500Lines(t *testing.T) {
	lines := map[string]int{}
	goFiles(t, func(path string) {
		if !strings.HasSuffix(path, "_test.go") && !strings.HasPrefix(path, filepath.Join("graph", "generated")+string(filepath.Separator)) {
			lines[filepath.Dir(path)] += strings.Count(readFile(t, path), "\n")
		}
	})
	for dir, n := range lines {
		if n > 2500 {
			t.Errorf("package %s has %d lines of hand-written code; split it by reason to change", dir, n)
		}
	}
}

// goFiles calls fn with the path of every .go file of the repository
// (hidden folders, node_modules and the development data dir left out).
func goFiles(t *testing.T, fn func(path string)) {
	t.Helper()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "data"):
			return filepath.SkipDir
		case !d.IsDir() && strings.HasSuffix(path, ".go"):
			fn(path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
