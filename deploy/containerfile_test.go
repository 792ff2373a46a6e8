package deploy

import (
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"

	"creditwater/config"
	"creditwater/letter"
)

// instruction is one Containerfile instruction (continuation lines joined).
type instruction struct {
	stage   int    // 0 for the first FROM's stage
	keyword string // upper case
	args    string
}

// parseContainerfile reads deploy/Containerfile into its instructions.
// It knows what this file uses: comments, continuation lines, one
// instruction per logical line.
func parseContainerfile(t *testing.T) []instruction {
	t.Helper()
	raw, err := os.ReadFile("Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	var out []instruction
	stage, logical := -1, ""
	for line := range strings.SplitSeq(string(raw), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && logical == "") {
			continue
		}
		if cont, ok := strings.CutSuffix(trimmed, `\`); ok {
			logical += cont + " "
			continue
		}
		logical += trimmed
		keyword, args, _ := strings.Cut(logical, " ")
		logical = ""
		keyword = strings.ToUpper(keyword)
		if keyword == "FROM" {
			stage++
		}
		if stage < 0 {
			t.Fatalf("Containerfile: %s before the first FROM", keyword)
		}
		out = append(out, instruction{stage: stage, keyword: keyword, args: strings.TrimSpace(args)})
	}
	return out
}

// finalStage returns the instructions of the last stage.
func finalStage(ins []instruction) []instruction {
	last := ins[len(ins)-1].stage
	return slices.DeleteFunc(slices.Clone(ins), func(i instruction) bool { return i.stage != last })
}

// instructionArgs returns the whitespace-separated arguments of the final
// stage's instructions with that keyword.
func instructionArgs(ins []instruction, keyword string) []string {
	var out []string
	for _, i := range finalStage(ins) {
		if i.keyword == keyword {
			out = append(out, strings.Fields(i.args)...)
		}
	}
	return out
}

// finalStageCopies returns the files the final stage's COPY instructions
// write (a destination ending in / gets the source's base name).
func finalStageCopies(ins []instruction) []string {
	var out []string
	for _, i := range finalStage(ins) {
		if i.keyword != "COPY" {
			continue
		}
		f := strings.Fields(i.args)
		dest := f[len(f)-1]
		if strings.HasSuffix(dest, "/") {
			dest += path.Base(f[len(f)-2])
		}
		out = append(out, dest)
	}
	return out
}

// imageUID returns the numeric user of the final stage's USER uid:gid.
func imageUID(t *testing.T) int64 {
	t.Helper()
	user := instructionArgs(parseContainerfile(t), "USER")
	if len(user) != 1 {
		t.Fatalf("Containerfile: final stage USER %v, want one", user)
	}
	uidText, gidText, _ := strings.Cut(user[0], ":")
	uid, err := strconv.ParseInt(uidText, 10, 64)
	gid, gerr := strconv.ParseInt(gidText, 10, 64)
	if err != nil || gerr != nil || uid == 0 || gid == 0 {
		t.Fatalf("Containerfile: USER %s, want a numeric non-root uid:gid (Kubernetes' runAsNonRoot checks numbers)", user[0])
	}
	return uid
}

// issue 14: the image is built in stages from pinned (non-latest) bases,
// compiles a static binary (CGO_ENABLED=0) on Go 1.26, installs the CJK
// font package in a stage the final one copies from, and runs the binary as
// a numeric non-root user.
func TestContainerfileImage(t *testing.T) {
	ins := parseContainerfile(t)
	stages := map[string]int{} // name → index
	var froms []string
	for _, i := range ins {
		if i.keyword != "FROM" {
			continue
		}
		f := strings.Fields(i.args)
		image := f[0]
		froms = append(froms, image)
		if len(f) == 3 && strings.EqualFold(f[1], "AS") {
			stages[f[2]] = i.stage
		}
		name, tag, hasTag := strings.Cut(image[strings.LastIndex(image, "/")+1:], ":")
		if !strings.Contains(image, "@sha256:") && (!hasTag || tag == "" || tag == "latest") {
			t.Errorf("FROM %s (%s): want an explicit tag other than latest, or a digest", image, name)
		}
	}
	if len(froms) < 2 {
		t.Fatalf("FROM %v: want a multi-stage build", froms)
	}
	if !strings.HasPrefix(froms[0], "golang:1.26") {
		t.Errorf("the build stage is FROM %s, want golang:1.26 (go.mod's go 1.26)", froms[0])
	}
	final := ins[len(ins)-1].stage
	var builds, fonts []int
	for _, i := range ins {
		switch {
		case i.keyword == "RUN" && strings.Contains(i.args, "go build"):
			builds = append(builds, i.stage)
		case i.keyword == "RUN" && strings.Contains(i.args, "apt-get install") && slices.Contains(strings.Fields(i.args), letter.FontPackage):
			fonts = append(fonts, i.stage)
		}
	}
	if len(builds) != 1 || builds[0] == final {
		t.Fatalf("go build runs in stages %v, want one stage before the final one", builds)
	}
	cgoOff := slices.ContainsFunc(ins, func(i instruction) bool {
		return i.stage == builds[0] && (i.keyword == "ENV" || i.keyword == "RUN") && slices.Contains(strings.Fields(i.args), "CGO_ENABLED=0")
	})
	if !cgoOff {
		t.Errorf("the build stage does not set CGO_ENABLED=0: the binary would not be static")
	}
	if len(fonts) != 1 || fonts[0] == final {
		t.Errorf("%s is installed in stages %v, want one stage before the final one", letter.FontPackage, fonts)
	}
	copiedFrom := map[int]bool{}
	for _, i := range finalStage(ins) {
		if from, ok := strings.CutPrefix(i.args, "--from="); i.keyword == "COPY" && ok {
			name, _, _ := strings.Cut(from, " ")
			idx, known := stages[name]
			if !known {
				t.Errorf("COPY --from=%s: no stage of that name", name)
			}
			copiedFrom[idx] = true
		}
	}
	if len(builds) == 1 && !copiedFrom[builds[0]] || len(fonts) == 1 && !copiedFrom[fonts[0]] {
		t.Errorf("the final stage copies from stages %v, want the build (%v) and the font (%v) stages", copiedFrom, builds, fonts)
	}
	last := finalStage(ins)
	if i := slices.IndexFunc(last, func(i instruction) bool { return i.keyword == "RUN" }); i >= 0 {
		t.Errorf("the final stage runs %q: distroless has no shell", last[i].args)
	}
	imageUID(t)
	known := map[string]bool{}
	for _, v := range config.Vars() {
		known[v.Name] = true
	}
	for _, kv := range instructionArgs(ins, "ENV") {
		if name, _, _ := strings.Cut(kv, "="); !known[name] {
			t.Errorf("Containerfile ENV %s: not a variable of package config", name)
		}
	}
	ignore, err := os.ReadFile("../.dockerignore")
	if err != nil || !slices.Contains(strings.Fields(string(ignore)), ".git") {
		t.Errorf("../.dockerignore must keep .git out of the build context (%v)", err)
	}
}
