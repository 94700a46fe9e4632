package essentials_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"triage/backend/audit"
	"triage/backend/clock"
	"triage/backend/config"
	"triage/backend/essentials"
	"triage/backend/httpx"
	"triage/backend/sim"
)

// simNow is the simulated present of these tests.
var simNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func startSim(t *testing.T, o sim.Options, edit func(*config.Essentials)) (*sim.Sim, *essentials.Client, *audit.Memory) {
	t.Helper()
	if o.Clock == nil {
		o.Clock = clock.Pin(simNow)
	}
	s, err := sim.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	cfg := s.Config().Essentials[0]
	if edit != nil {
		edit(&cfg)
	}
	mem := &audit.Memory{}
	c, err := essentials.New(cfg, httpx.Options{Audit: mem, Retry: httpx.Retry{BaseDelay: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	return s, c, mem
}

func TestUsersWrappedOrBareFromTheSimulator(t *testing.T) {
	s, c, _ := startSim(t, sim.Options{Rows: 130}, nil)
	if err := c.Check(ctx()); err != nil {
		t.Fatal(err)
	}
	want := 0
	for i := 0; i < 130; i++ {
		if i%13 != 9 {
			want++
		}
	}
	us, err := c.Users(ctx())
	if err != nil || len(us) != want || us[0].PrimaryEmail != "li.chen@acme.example" || !us[0].Active() {
		t.Fatalf("wrapped: %v %d (want %d)", err, len(us), want)
	}
	s.Essentials.BareLists.Store(true)
	if us, err = c.Users(ctx()); err != nil || len(us) != want {
		t.Fatalf("bare: %v %d", err, len(us))
	}
}

func TestDisableSendsTheWholeUserBack(t *testing.T) {
	s, c, mem := startSim(t, sim.Options{Rows: 120}, nil)
	const li = "li.chen@acme.example"
	if err := c.Disable(ctx(), li); err != nil {
		t.Fatal(err)
	}
	if active, _ := s.Essentials.Active(li); active || s.Essentials.Name(li) != "Li Chen" {
		t.Fatalf("after disable: active=%v name=%q (a partial PUT would have cleared the name)", active, s.Essentials.Name(li))
	}
	puts := s.Essentials.Puts()
	if len(puts) != 1 || puts[0]["is_active"] != false || puts[0]["firstname"] != "Li" || puts[0]["uid"] == nil {
		t.Fatalf("PUT bodies %+v", puts)
	}
	if err := c.Enable(ctx(), li); err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateUser(ctx(), li, map[string]any{"firstname": "Lee"}); err != nil {
		t.Fatal(err)
	}
	u, found, err := c.FindUser(ctx(), li)
	if err != nil || !found || !u.Active() || u.Name() != "Lee Chen" {
		t.Fatalf("read back: %v %v %+v", found, err, u)
	}
	if es := mem.Entries(); len(es) != 3 || es[0].Action != "essentials.disable_user" || es[0].Outcome != audit.OK || es[0].Status != 204 {
		t.Fatalf("audit %+v", es)
	}
}

func TestCreateIs201WithoutABodyThenDuplicateIs409(t *testing.T) {
	_, c, _ := startSim(t, sim.Options{Rows: 120}, nil)
	n := essentials.NewUser{Email: "new.hire@acme.example", First: "New", Last: "Hire"}
	if err := c.CreateUser(ctx(), n); err != nil {
		t.Fatal(err)
	}
	if u, found, err := c.FindUser(ctx(), "NEW.HIRE@acme.example"); err != nil || !found || u.Name() != "New Hire" {
		t.Fatalf("created user: %v %v", found, err)
	}
	if err := c.CreateUser(ctx(), n); !essentials.IsExists(err) {
		t.Fatalf("duplicate: %v", err)
	}
	if err := c.CreateUsers(ctx(), []essentials.NewUser{{Email: "b1@acme.example", First: "B", Last: "One"}, {Email: "b2@acme.example", First: "B", Last: "Two"}}); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := c.FindUser(ctx(), "b2@acme.example"); !found {
		t.Fatal("batch create lost a user")
	}
	if err := c.DeleteUser(ctx(), "b2@acme.example"); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := c.FindUser(ctx(), "b2@acme.example"); found {
		t.Fatal("deleted user still there")
	}
}

func TestSenderListsOfTheOrganisationAndOfAUser(t *testing.T) {
	s, c, _ := startSim(t, sim.Options{Rows: 120}, nil)
	if err := c.AddSenders(ctx(), "", essentials.Block, "ceo-fraud@evil.example"); err != nil {
		t.Fatal(err)
	}
	if _, block := s.Essentials.Senders(""); !slices.Contains(block, "ceo-fraud@evil.example") {
		t.Fatalf("org block list %v", block)
	}
	if err := c.AddSenders(ctx(), "li.chen@acme.example", essentials.Allow, "partner.example"); err != nil {
		t.Fatal(err)
	}
	got, err := c.SenderLists(ctx(), "li.chen@acme.example")
	if err != nil || !got.Has(essentials.Allow, "partner.example") {
		t.Fatalf("user lists %v %+v", err, got)
	}
	u, _, _ := c.FindUser(ctx(), "li.chen@acme.example")
	if !slices.Contains(u.Allowed(), "partner.example") {
		t.Fatalf("the user object's white_list_senders %v", u.Allowed())
	}
	if err := c.RemoveSenders(ctx(), "", essentials.Block, "ceo-fraud@evil.example"); err != nil {
		t.Fatal(err)
	}
	if org, _ := c.SenderLists(ctx(), ""); org.Has(essentials.Block, "ceo-fraud@evil.example") || len(org.Block) == 0 {
		t.Fatalf("after removal %+v", org)
	}
	err = c.AddSenders(ctx(), "", essentials.Block, "not an address")
	if httpx.StatusOf(err) != 400 || !strings.Contains(err.Error(), "is not an email address or a domain") {
		t.Fatalf("bad entry: %v", err)
	}
}

func TestCredentialsAndDomainProblems(t *testing.T) {
	_, c, _ := startSim(t, sim.Options{Rows: 20}, func(e *config.Essentials) { e.Password = "wrong" })
	if err := c.Check(ctx()); httpx.StatusOf(err) != 401 || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("wrong password: %v", err)
	}
	_, c, _ = startSim(t, sim.Options{Rows: 20}, func(e *config.Essentials) { e.Username = sim.EssentialsAuditor })
	if err := c.Check(ctx()); err != nil {
		t.Fatalf("a read-only admin can read: %v", err)
	}
	if err := c.Disable(ctx(), "li.chen@acme.example"); httpx.StatusOf(err) != 403 || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("read-only admin write: %v", err)
	}
	_, c, _ = startSim(t, sim.Options{Rows: 20}, func(e *config.Essentials) { e.Domain = "elsewhere.example" })
	if err := c.Check(ctx()); !strings.Contains(err.Error(), "organisation elsewhere.example is not on this Essentials stack") {
		t.Fatalf("unknown org: %v", err)
	}
}
