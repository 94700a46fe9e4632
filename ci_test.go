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
