package views

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"triage/backend"
	"triage/backend/clock"
	"triage/backend/clock/clocktest"
	"triage/backend/identity"
	"triage/backend/itm"
	"triage/backend/okta"
	"triage/backend/prefs"
	"triage/backend/saas"
	"triage/backend/sim"
	"triage/ui"
)

// calendar is a console and its simulators pinned at one edge of the
// calendar, and what each vendor holds, read without any window: the
// reference every windowed answer is checked against.
type calendar struct {
	t       *testing.T
	at      time.Time
	clock   *clock.Pinned
	app     *App
	state   string
	tickets []stamped // every ITM incident
	feed    []stamped // the whole SaaS feed
	events  []stamped // the System Log, all seven days
}

// stamped is a row's key and the time its window is about.
type stamped struct {
	key string
	at  time.Time
}

func atEdge(t *testing.T, at time.Time) *calendar {
	t.Helper()
	now := clock.Pin(at)
	s, err := sim.Start(sim.Options{Rows: 120, Clock: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	set, err := backend.Open(s.Config(), backend.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	state := t.TempDir()
	c := &Common{Ctx: t.Context(), Styles: ui.NewStyles(r, "dark"), Keys: ui.DefaultKeyMap(), Backends: set,
		Analyst: identity.Analyst{Name: "alice", Role: "responder"}, Log: slog.New(slog.DiscardHandler), Clock: now, StateDir: state}
	cal := &calendar{t: t, at: at, clock: now, app: New(c), state: state}
	cal.app.Update(tea.WindowSizeMsg{Width: 200, Height: 400}) // every row on screen
	ctx := identity.With(context.Background(), c.Analyst)

	page, err := set.ITM[0].Incidents(ctx, itm.Query{Limit: 500})
	if err != nil || page.More {
		t.Fatalf("every ITM incident in one page: more=%v %v", page.More, err)
	}
	for i := range page.Tickets {
		cal.tickets = append(cal.tickets, stamped{page.Tickets[i].Key(), page.Tickets[i].Observed()})
	}
	feed, err := set.SaaS[0].Incidents(ctx, saas.Query{})
	if err != nil || feed.More {
		t.Fatalf("the whole SaaS feed in one page: more=%v %v", feed.More, err)
	}
	for _, in := range feed.Incidents {
		cal.feed = append(cal.feed, stamped{string(in.ID), in.UpdatedAt.Time})
	}
	log, err := set.Okta[0].Logs(ctx, okta.LogQuery{Since: at.Add(-8 * 24 * time.Hour), Until: at.Add(time.Millisecond)}, "")
	if err != nil || log.More {
		t.Fatalf("the System Log in one page: more=%v %v", log.More, err)
	}
	for _, e := range log.Events {
		cal.events = append(cal.events, stamped{string(e.UUID), e.Published.Time})
	}
	return cal
}

// between is the keys of rows with from <= at < to; a zero bound is open.
func between(rows []stamped, from, to time.Time) map[string]bool {
	in := map[string]bool{}
	for _, r := range rows {
		if (from.IsZero() || !r.at.Before(from)) && (to.IsZero() || r.at.Before(to)) {
			in[r.key] = true
		}
	}
	return in
}

// sameRows fails unless the table shows exactly want, and want is a proper
// part of everything (so the window did cut something, and kept some).
func (cal *calendar) sameRows(what string, src ui.Source, want map[string]bool, of int) {
	cal.t.Helper()
	if len(want) == 0 || len(want) == of {
		cal.t.Fatalf("%s: the window holds %d of %d rows: the data does not test it", what, len(want), of)
	}
	got := map[string]bool{}
	for i := 0; i < src.Len(); i++ {
		got[src.Key(i)] = true
	}
	for k := range want {
		if !got[k] {
			cal.t.Errorf("%s: row %s is in the window but not shown (%d shown, %d in the window)", what, k, len(got), len(want))
			return
		}
	}
	for k := range got {
		if !want[k] {
			cal.t.Errorf("%s: row %s is shown but outside the window", what, k)
			return
		}
	}
}

func (cal *calendar) itm() *itmTab   { return cal.app.tabs[0].(*itmTab) }
func (cal *calendar) saas() *saasTab { return cal.app.tabs[1].(*saasTab) }
func (cal *calendar) oktaLog() *logPane {
	for _, tab := range cal.app.tabs {
		if o, ok := tab.(*oktaTab); ok {
			return o.log
		}
	}
	cal.t.Fatal("no Okta tab")
	return nil
}

// loadITM runs the ITM tab's query as it would on r and hands it the
// answer.
func (cal *calendar) loadITM(query string) {
	cal.t.Helper()
	tab := cal.itm()
	tab.queryText = query
	deliverAll(tab, tab.loadFirst())
	if tab.loading != "" || tab.rows.Len() == 0 {
		cal.t.Fatalf("ITM %q: loading %q, %d rows", query, tab.loading, tab.rows.Len())
	}
}

func (cal *calendar) loadSaaS(query string) {
	cal.t.Helper()
	tab := cal.saas()
	tab.queryText = query
	deliverAll(tab, tab.loadFirst())
	if tab.loading != "" || tab.rows.Len() == 0 {
		cal.t.Fatalf("SaaS %q: loading %q, %d rows", query, tab.loading, tab.rows.Len())
	}
}

func (cal *calendar) loadLog(query string) {
	cal.t.Helper()
	p := cal.oktaLog()
	p.text = query
	deliverAll(p.t, p.load()) // the load reads every page before it answers
	if p.rows.ended != "complete" || p.rows.Len() == 0 || p.loadErr != nil {
		cal.t.Fatalf("System Log %q: %q after %d pages, %d events, %v", query, p.rows.ended, p.rows.pages, p.rows.Len(), p.loadErr)
	}
}

// day is "2006-01-02" of the analyst's calendar, days from the edge.
func (cal *calendar) day(days int) string {
	return cal.at.AddDate(0, 0, days).Format("2006-01-02")
}

// midnight is the start of that day in the analyst's zone.
func (cal *calendar) midnight(days int) time.Time {
	y, m, d := cal.at.AddDate(0, 0, days).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, cal.at.Location())
}

// Every time-sensitive scenario at every edge of the calendar: the System
// Log's windows, since:/until: in the ITM and SaaS queries (relative, and
// dates in the analyst's zone), the ITM tab's 30-day default, the SaaS
// delta's from/to, windows that slide with the clock in a console left
// open, and rows new since the analyst last looked.
func TestTimeWindowsAtTheEdgesOfTheCalendar(t *testing.T) {
	t.Parallel()
	for _, edge := range clocktest.Edges() {
		t.Run(edge.Name, func(t *testing.T) {
			t.Parallel()
			cal := atEdge(t, edge.At)
			at := edge.At

			t.Run("ITM opens on the last 30 days", func(t *testing.T) {
				tab := cal.itm()
				tab.Init() // sets the query it opens on; the load is run here
				if tab.queryText != itmDefaultQuery {
					t.Fatalf("tab 1 opens on %q", tab.queryText)
				}
				// The simulated incidents span the 30 days before the
				// edge; three days later the oldest are out of the window.
				defer cal.clock.Advance(-3 * 24 * time.Hour)
				cal.clock.Advance(3 * 24 * time.Hour)
				cal.loadITM(itmDefaultQuery)
				if q := tab.query; !q.Since.Equal(at.Add(-27*24*time.Hour)) || !q.Until.IsZero() {
					t.Fatalf("%q three days on is %s .. %s", itmDefaultQuery, q.Since, q.Until)
				}
				cal.sameRows(itmDefaultQuery, tab.rows, between(cal.tickets, at.Add(-27*24*time.Hour), time.Time{}), len(cal.tickets))
			})

			t.Run("ITM since and until", func(t *testing.T) {
				cal.loadITM("since:7d until:1d")
				q := cal.itm().query
				if !q.Since.Equal(at.Add(-7*24*time.Hour)) || !q.Until.Equal(at.Add(-24*time.Hour)) {
					t.Fatalf("since:7d until:1d is %s .. %s", q.Since, q.Until)
				}
				cal.sameRows("since:7d until:1d", cal.itm().rows, between(cal.tickets, q.Since, q.Until), len(cal.tickets))
			})

			t.Run("ITM dates are the analyst's midnights", func(t *testing.T) {
				query := "since:" + cal.day(-6) + " until:" + cal.day(-1)
				cal.loadITM(query)
				q := cal.itm().query
				if !q.Since.Equal(cal.midnight(-6)) || !q.Until.Equal(cal.midnight(-1)) {
					t.Fatalf("%s is %s .. %s, want the analyst's midnights %s .. %s", query, q.Since, q.Until, cal.midnight(-6), cal.midnight(-1))
				}
				if h := q.Since.In(at.Location()).Hour(); h != 0 {
					t.Fatalf("since %s is %d:00 in the analyst's zone", q.Since, h)
				}
				cal.sameRows(query, cal.itm().rows, between(cal.tickets, q.Since, q.Until), len(cal.tickets))
				// Today so far: on the night New York sets its clocks back,
				// 01:30 is two and a half hours after midnight.
				query = "since:" + cal.day(0)
				cal.loadITM(query)
				if q := cal.itm().query; !q.Since.Equal(cal.midnight(0)) || !q.Until.IsZero() {
					t.Fatalf("%s is %s .. %s, want %s", query, q.Since, q.Until, cal.midnight(0))
				}
				cal.sameRows(query, cal.itm().rows, between(cal.tickets, cal.midnight(0), time.Time{}), len(cal.tickets))
			})

			t.Run("SaaS delta from and to", func(t *testing.T) {
				cal.loadSaaS("since:30d until:2d")
				q := cal.saas().query
				if !q.From.Equal(at.Add(-30*24*time.Hour)) || !q.To.Equal(at.Add(-48*time.Hour)) {
					t.Fatalf("since:30d until:2d is from %s to %s", q.From, q.To)
				}
				cal.sameRows("since:30d until:2d", cal.saas().rows, between(cal.feed, q.From, q.To), len(cal.feed))
				query := "since:" + cal.day(-20) + " until:" + cal.day(-3)
				cal.loadSaaS(query)
				q = cal.saas().query
				if !q.From.Equal(cal.midnight(-20)) || !q.To.Equal(cal.midnight(-3)) {
					t.Fatalf("%s is from %s to %s", query, q.From, q.To)
				}
				cal.sameRows(query, cal.saas().rows, between(cal.feed, q.From, q.To), len(cal.feed))
			})

			t.Run("System Log opens on the last 24 hours", func(t *testing.T) {
				cal.loadLog(defaultLogQuery)
				p := cal.oktaLog()
				if !p.query.Since.Equal(at.Add(-24*time.Hour)) || !p.query.Until.IsZero() || !p.query.Descending {
					t.Fatalf("%q is %s .. %s, newest first %v", defaultLogQuery, p.query.Since, p.query.Until, p.query.Descending)
				}
				if from, span := p.span(); !from.Equal(at.Add(-24*time.Hour)) || span != 24*time.Hour {
					t.Fatalf("the histogram spans %s from %s", span, from)
				}
				cal.sameRows(defaultLogQuery, p.rows, between(cal.events, p.query.Since, time.Time{}), len(cal.events))
				for i := 1; i < p.rows.Len(); i++ {
					if p.rows.Stamp(i).After(p.rows.Stamp(i - 1)) {
						t.Fatalf("event %d is newer than the one above it", i)
					}
				}
			})

			t.Run("System Log since and until", func(t *testing.T) {
				cal.loadLog("since:3d until:1d sort:asc")
				q := cal.oktaLog().query
				if !q.Since.Equal(at.Add(-72*time.Hour)) || !q.Until.Equal(at.Add(-24*time.Hour)) || q.Descending {
					t.Fatalf("since:3d until:1d sort:asc is %s .. %s, newest first %v", q.Since, q.Until, q.Descending)
				}
				cal.sameRows("since:3d until:1d", cal.oktaLog().rows, between(cal.events, q.Since, q.Until), len(cal.events))
			})

			t.Run("windows slide with the clock", func(t *testing.T) {
				// The console has been open 90 minutes: "the last 24 hours"
				// and "the last 30 days" end now, not when it started.
				defer cal.clock.Advance(-90 * time.Minute)
				cal.clock.Advance(90 * time.Minute)
				later := at.Add(90 * time.Minute)
				cal.loadLog(defaultLogQuery)
				if since := cal.oktaLog().query.Since; !since.Equal(later.Add(-24 * time.Hour)) {
					t.Fatalf("the System Log after 90 minutes starts at %s, want %s", since, later.Add(-24*time.Hour))
				}
				cal.loadITM(itmDefaultQuery)
				tab := cal.itm()
				tab.refreshing = false
				// The refresh's read runs to its end before the clock goes
				// back, so no later subtest sees it land.
				deliverAll(tab, tab.Refresh())
				if since := tab.query.Since; !since.Equal(later.Add(-30 * 24 * time.Hour)) {
					t.Fatalf("the ITM refresh after 90 minutes starts at %s", since)
				}
				cal.loadSaaS("since:7d")
				if from := cal.saas().query.From; !from.Equal(later.Add(-7 * 24 * time.Hour)) {
					t.Fatalf("the SaaS feed after 90 minutes starts at %s", from)
				}
			})

			t.Run("rows new since the analyst last looked", func(t *testing.T) {
				// The last look: 30 hours ago, except on the night New York
				// lives 01:00-02:00 twice, where it was at 01:50 the first
				// time, before the newest incident at 01:30 the second time.
				seen := at.Add(-30 * time.Hour)
				if at.Location() != time.UTC {
					seen = at.Add(-40 * time.Minute)
					if seen.Format("15:04") <= at.Format("15:04") {
						t.Fatalf("the last look %s does not read later than the edge %s", seen, at)
					}
				}
				prefs.Open(cal.state, "alice").Update(func(p *prefs.Prefs) { p.Tabs["itm"] = prefs.Tab{LastSeen: seen} })
				p, err := prefs.Open(cal.state, "alice").Load()
				if err != nil || !p.Tabs["itm"].LastSeen.Equal(seen) {
					t.Fatalf("last seen read back as %v: %v", p.Tabs["itm"].LastSeen, err)
				}
				cal.app.applyPrefs(p)
				cal.loadITM(itmDefaultQuery)
				fresh := between(cal.tickets, seen.Add(time.Millisecond), time.Time{})
				if len(fresh) == 0 || len(fresh) == len(cal.tickets) {
					t.Fatalf("%d of %d incidents are newer than the last look", len(fresh), len(cal.tickets))
				}
				marked := 0
				for _, line := range lines(uncursored(cal.itm().View())) {
					for _, tk := range cal.tickets {
						if !strings.HasSuffix(strings.TrimRight(line, " "), " "+short(tk.key, 8)) {
							continue
						}
						if isNew := strings.HasPrefix(line, "● "); isNew != fresh[tk.key] {
							t.Fatalf("incident observed %s marked new %v, last look %s:\n%s", tk.at, isNew, seen, line)
						}
						if fresh[tk.key] {
							marked++
						}
					}
				}
				if marked != len(fresh) {
					t.Fatalf("%d rows marked new on screen, want %d", marked, len(fresh))
				}
			})
		})
	}
}

// deliverAll runs cmd, and the commands of a batch, handing each message to
// tab; timers (a tab's idle polls) are left alone.
func deliverAll(tab Tab, cmd tea.Cmd) {
	if cmd == nil || isTimer(cmd) {
		return
	}
	switch m := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range m {
			deliverAll(tab, c)
		}
	default:
		tab.Update(m)
	}
}
