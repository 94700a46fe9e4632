package prefs

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"triage/backend/store"
	"triage/backend/store/storetest"
)

func TestPrefsSurviveAndMergeAcrossSessions(t *testing.T) {
	dir := t.TempDir()
	a, b := Open(dir, "alice"), Open(dir, "alice")
	seen := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			s := a
			if i%2 == 1 {
				s = b
			}
			s.Update(func(p *Prefs) { p.Remember(strings.Repeat("x", i+1), 50) })
		}(i)
	}
	wg.Wait()
	a.Update(func(p *Prefs) { p.Tabs["itm"] = Tab{SortBy: "SEVERITY", SortDesc: true, LastSeen: seen} })
	got, err := Open(dir, "alice").Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Palette) != 20 || got.Tabs["itm"].SortBy != "SEVERITY" || !got.Tabs["itm"].LastSeen.Equal(seen) {
		t.Fatalf("prefs %+v", got)
	}
	info, _ := os.Stat(a.Path())
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %04o", info.Mode().Perm())
	}
}

func TestRememberKeepsTheNewestFirstWithoutRepeats(t *testing.T) {
	var p Prefs
	for _, c := range []string{"a", "b", "a", "c"} {
		p.Remember(c, 2)
	}
	if strings.Join(p.Palette, ",") != "c,a" {
		t.Fatalf("%v", p.Palette)
	}
}

func TestAnalystNamesStayInTheirDirectory(t *testing.T) {
	dir := t.TempDir()
	s := Open(dir, "../../etc/passwd")
	if filepath.Dir(s.Path()) != filepath.Join(dir, "analysts") {
		t.Fatalf("path %s", s.Path())
	}
}

func TestAnUnreadableFileIsNotOverwritten(t *testing.T) {
	dir := t.TempDir()
	s := Open(dir, "bob")
	os.MkdirAll(filepath.Dir(s.Path()), 0o700)
	os.WriteFile(s.Path(), []byte("{not json"), 0o600)
	if _, err := s.Update(func(p *Prefs) { p.Remember("x", 5) }); err == nil {
		t.Fatal("an unreadable file was accepted")
	}
	if data, _ := os.ReadFile(s.Path()); string(data) != "{not json" {
		t.Fatal("the unreadable file was overwritten")
	}
}

// Two sessions of one analyst: each saves only the drafts it changed, so
// neither removes the other's.
func TestDraftsOfTwoSessionsMerge(t *testing.T) {
	dir := t.TempDir()
	a, b := Open(dir, "alice"), Open(dir, "alice")
	a.Update(func(p *Prefs) { p.SetDrafts(map[string]string{"t1": "first"}, nil) })
	b.Update(func(p *Prefs) { p.SetDrafts(map[string]string{"t2": "second"}, nil) })
	a.Update(func(p *Prefs) { p.SetDrafts(map[string]string{"t1": "first, edited"}, nil) })
	got, err := Open(dir, "alice").Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Drafts) != 2 || got.Drafts["t1"] != "first, edited" || got.Drafts["t2"] != "second" {
		t.Fatalf("drafts %q", got.Drafts)
	}
	b.Update(func(p *Prefs) { p.SetDrafts(nil, []string{"t2"}) })
	a.Update(func(p *Prefs) { p.SetDrafts(nil, []string{"t1"}) })
	if got, _ = a.Load(); got.Drafts != nil {
		t.Fatalf("sent drafts are still kept: %q", got.Drafts)
	}
}

// TestOnPostgresEachAnalystKeepsTheirOwnFromAnyHost: two hosts on one
// database; alice's palette, drafts and last seen follow her to either,
// and bob's are his own.
func TestOnPostgresEachAnalystKeepsTheirOwnFromAnyHost(t *testing.T) {
	dsn := storetest.Postgres(t)
	hostA, err := store.OpenPostgres(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer hostA.Close()
	hostB, err := store.OpenPostgres(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer hostB.Close()
	seen := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	if _, err := For(hostA, "alice").Update(func(p *Prefs) {
		p.Remember("itm assign", 50)
		p.SetDrafts(map[string]string{"ITM-4": "checked with HR"}, nil)
		p.Tabs["itm"] = Tab{LastSeen: seen}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := For(hostB, "bob").Update(func(p *Prefs) { p.Remember("okta suspend", 50) }); err != nil {
		t.Fatal(err)
	}
	alice, err := For(hostB, "alice").Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(alice.Palette) != 1 || alice.Palette[0] != "itm assign" || alice.Drafts["ITM-4"] != "checked with HR" || !alice.Tabs["itm"].LastSeen.Equal(seen) {
		t.Fatalf("alice on the other host: %+v", alice)
	}
	bob, err := For(hostA, "bob").Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(bob.Palette) != 1 || bob.Palette[0] != "okta suspend" || bob.Drafts != nil {
		t.Fatalf("bob: %+v", bob)
	}
}
