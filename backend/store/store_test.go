package store_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"triage/backend/store"
	"triage/backend/store/storetest"
)

// stores runs a test against each kind of store: two handles on the same
// state, as two processes or two hosts would hold.
func stores(t *testing.T, test func(t *testing.T, a, b store.Store)) {
	t.Run("files", func(t *testing.T) {
		dir := t.TempDir()
		test(t, store.Files{Dir: dir}, store.Files{Dir: dir})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := storetest.Postgres(t)
		a, b := openPG(t, dsn), openPG(t, dsn)
		test(t, a, b)
	})
}

func openPG(t *testing.T, dsn string) store.Store {
	t.Helper()
	p, err := store.OpenPostgres(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

type doc struct {
	Items []string `json:"items"`
	N     int      `json:"n"`
}

func TestReadWhatAnotherSaved(t *testing.T) {
	stores(t, func(t *testing.T, a, b store.Store) {
		var none doc
		if err := b.Read("analysts/alice", &none); err != nil || none.N != 0 || none.Items != nil {
			t.Fatalf("nothing saved yet: %+v %v", none, err)
		}
		var d doc
		if err := a.Update("analysts/alice", &d, func() error { d.Items, d.N = append(d.Items, "x"), 7; return nil }); err != nil {
			t.Fatal(err)
		}
		var got doc
		if err := b.Read("analysts/alice", &got); err != nil {
			t.Fatal(err)
		}
		if got.N != 7 || len(got.Items) != 1 || got.Items[0] != "x" {
			t.Fatalf("the other handle reads %+v", got)
		}
		// Another document is another analyst's: untouched.
		var bob doc
		if err := b.Read("analysts/bob", &bob); err != nil || bob.N != 0 {
			t.Fatalf("bob's document: %+v %v", bob, err)
		}
	})
}

func TestARefusedChangeSavesNothing(t *testing.T) {
	stores(t, func(t *testing.T, a, b store.Store) {
		var d doc
		if err := a.Update("remediations", &d, func() error { d.N = 1; return nil }); err != nil {
			t.Fatal(err)
		}
		no := errors.New("no record 42")
		var e doc
		err := b.Update("remediations", &e, func() error { e.N = 2; return no })
		if err != no {
			t.Fatalf("the change's own error comes back as it is, got %v", err)
		}
		var got doc
		if err := a.Read("remediations", &got); err != nil || got.N != 1 {
			t.Fatalf("after a refused change: %+v %v", got, err)
		}
	})
}

// TestTwoWritersLoseNothing: two handles (two hosts) appending at once
// each see the other's items in the read-modify-write; none is lost.
func TestTwoWritersLoseNothing(t *testing.T) {
	stores(t, func(t *testing.T, a, b store.Store) {
		const each = 25
		var wg sync.WaitGroup
		errs := make(chan error, 2*each)
		for w, st := range []store.Store{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					var d doc
					errs <- st.Update("remediations", &d, func() error {
						d.Items = append(d.Items, fmt.Sprintf("%d-%d", w, i))
						d.N++
						return nil
					})
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var got doc
		if err := a.Read("remediations", &got); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, it := range got.Items {
			seen[it] = true
		}
		if got.N != 2*each || len(seen) != 2*each {
			t.Fatalf("%d updates counted, %d distinct items: want %d of each", got.N, len(seen), 2*each)
		}
	})
}

func TestPostgresUnreadableDocumentIsNotOverwritten(t *testing.T) {
	dsn := storetest.Postgres(t)
	st := openPG(t, dsn)
	var d doc
	if err := st.Update("remediations", &d, func() error { d.N = 1; return nil }); err != nil {
		t.Fatal(err)
	}
	// Someone edits the row by hand and gets it wrong.
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), `UPDATE triage_state SET doc = '{not json' WHERE name = 'remediations'`); err != nil {
		t.Fatal(err)
	}
	var e doc
	err = st.Update("remediations", &e, func() error { e.N = 9; return nil })
	if err == nil || !strings.Contains(err.Error(), "not readable") || !strings.Contains(err.Error(), "127.0.0.1") {
		t.Fatalf("want a message naming the server and the document, got %v", err)
	}
	var doc string
	if err := conn.QueryRow(context.Background(), `SELECT doc FROM triage_state WHERE name = 'remediations'`).Scan(&doc); err != nil || doc != "{not json" {
		t.Fatalf("the unreadable row was changed: %q %v", doc, err)
	}
}

func TestPostgresUnreachableSaysWhere(t *testing.T) {
	_, err := store.OpenPostgres("postgres://triage@127.0.0.1:1/triage?connect_timeout=2")
	if err == nil || !strings.Contains(err.Error(), "PostgreSQL 127.0.0.1:1/triage") {
		t.Fatalf("want the server named, got %v", err)
	}
	if strings.Contains(fmt.Sprint(err), "password") {
		t.Fatalf("message mentions a password: %v", err)
	}
}

// TestPostgresNeedsNoCreateOnceTheTableExists: a user granted only
// SELECT, INSERT and UPDATE on the table, as docs/jump-host.md says,
// opens the store and saves.
func TestPostgresNeedsNoCreateOnceTheTableExists(t *testing.T) {
	dsn := storetest.Postgres(t)
	openPG(t, dsn) // creates the table as the owner
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var b [4]byte
	_, _ = rand.Read(b[:])
	role := "triage_" + hex.EncodeToString(b[:])
	for _, sql := range []string{
		"CREATE ROLE " + role + " LOGIN",
		"REVOKE CREATE ON SCHEMA public FROM PUBLIC",
		"GRANT SELECT, INSERT, UPDATE ON triage_state TO " + role,
	} {
		if _, err := conn.Exec(context.Background(), sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	// Roles belong to the server, not the test's database: drop it.
	defer conn.Exec(context.Background(), "DROP OWNED BY "+role+"; DROP ROLE "+role)
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme != "postgres" {
		t.Fatalf("%s: want a postgres:// URL, as .ci/postgres sets (%v)", storetest.Env, err)
	}
	u.User = url.User(role)
	st, err := store.OpenPostgres(u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var d doc
	if err := st.Update("analysts/alice", &d, func() error { d.N = 3; return nil }); err != nil {
		t.Fatal(err)
	}
}
