package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryFuzzTargetRunsInCI: fuzz.sh runs each fuzz target for FUZZTIME;
// a target it does not list would only ever run its seeds.
func TestEveryFuzzTargetRunsInCI(t *testing.T) {
	script, err := os.ReadFile("fuzz.sh")
	if err != nil {
		t.Fatal(err)
	}
	fuzz := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(`)
	found := 0
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range fuzz.FindAllStringSubmatch(string(src), -1) {
			found++
			want := `"./` + filepath.ToSlash(filepath.Dir(path)) + " " + m[1] + `"`
			if !strings.Contains(string(script), want) {
				t.Errorf("fuzz.sh does not run %s (add %s)", m[1], want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 10 {
		t.Fatalf("found %d fuzz targets: the walk is looking in the wrong place", found)
	}
}

// TestCIRunsTheREADMEsTestCommand: the test command a newcomer is given is
// the one CI runs, word for word.
func TestCIRunsTheREADMEsTestCommand(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?m)^((?:GOTOOLCHAIN=\\S+ )?go test [^#\n]*?)\\s+# the test suite$").FindSubmatch(readme)
	if m == nil {
		t.Fatal("the README has no line `go test ...   # the test suite`")
	}
	if !strings.Contains(string(ci), string(m[1])) {
		t.Fatalf(".ci/run does not run the README's test command %q", m[1])
	}
}

// TestOneToolchainEverywhere: go.mod, the README's commands and every
// script name the same Go release, so nothing builds with an older one.
func TestOneToolchainEverywhere(t *testing.T) {
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	want := "GOTOOLCHAIN=go" + string(m[1])
	for _, f := range []string{"README.md", ".ci/run", ".ci/under-load", ".ci/vulncheck", ".ci/postgres", "fuzz.sh", "contract/run"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), want) {
			t.Errorf("%s does not set %s", f, want)
		}
		for _, other := range regexp.MustCompile(`GOTOOLCHAIN=[\w.]+`).FindAllString(string(b), -1) {
			if other != want {
				t.Errorf("%s sets %s, go.mod says %s", f, other, want)
			}
		}
	}
}

// TestCIRunsTheContractModules: the contract modules are outside the root
// module, so `go test ./...` never reaches them; .ci/run runs contract/run,
// which runs each one, and each asks for the product's Go release.
func TestCIRunsTheContractModules(t *testing.T) {
	ci, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^step "contract"; contract/run;`).Match(ci) {
		t.Error(`.ci/run has no line step "contract"; contract/run`)
	}
	run, err := os.ReadFile("contract/run")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(run), "*/go.mod") || !strings.Contains(string(run), "go test -race -count=1 ./...") {
		t.Error("contract/run does not test every contract/*/go.mod module with go test -race -count=1 ./...")
	}
	goLine := regexp.MustCompile(`(?m)^go (\S+)$`)
	root, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	want := goLine.FindSubmatch(root)
	if want == nil {
		t.Fatal("go.mod has no go line")
	}
	mods, err := filepath.Glob("contract/*/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) < 2 {
		t.Fatalf("found %d contract modules: the glob is looking in the wrong place", len(mods))
	}
	for _, m := range mods {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		got := "no go line"
		if g := goLine.FindSubmatch(b); g != nil {
			got = "go " + string(g[1])
		}
		if got != "go "+string(want[1]) {
			t.Errorf("%s says %s, the root go.mod go %s", m, got, want[1])
		}
		if !strings.Contains(string(b), "replace triage => ../..") {
			t.Errorf("%s does not test this tree (replace triage => ../..)", m)
		}
	}
}

// TestCIRunsThePostgreSQLStore: the PostgreSQL state store's tests skip
// without TRIAGE_TEST_POSTGRES; .ci/run starts a server for them before
// the test suite and fails when it is not set, so in CI they run.
func TestCIRunsThePostgreSQLStore(t *testing.T) {
	ci, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	text := string(ci)
	pg, tests := strings.Index(text, "\n"+`step "postgres"; . .ci/postgres;`), strings.Index(text, "\n"+`step "tests";`)
	if pg < 0 || tests < 0 || pg > tests {
		t.Fatal(`.ci/run does not source .ci/postgres (step "postgres") before step "tests"`)
	}
	if !strings.Contains(text[pg:tests], `-z "${TRIAGE_TEST_POSTGRES:-}"`) {
		t.Error(".ci/run does not fail when TRIAGE_TEST_POSTGRES is not set")
	}
	script, err := os.ReadFile(".ci/postgres")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"export TRIAGE_TEST_POSTGRES=", "trap pg_stop EXIT", "apt-get install -y -q postgresql", "runuser -u postgres"} {
		if !strings.Contains(string(script), want) {
			t.Errorf(".ci/postgres lacks %q", want)
		}
	}
}
