package cli

import (
	"encoding/json"
	"testing"
	"time"

	"triage/backend/clock/clocktest"
	"triage/backend/lenient"
)

// listed runs a --json list command and returns each item's time at path
// (dotted, e.g. event.observedAt), keyed by its id field.
func (h *harness) listed(id, path string, args ...string) map[string]time.Time {
	h.t.Helper()
	out, errs, code := h.run("", append(args, "--json")...)
	var items []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &items) != nil {
		h.t.Fatalf("%v: exit %d: %s", args, code, errs)
	}
	got := map[string]time.Time{}
	for _, it := range items {
		var v any = it
		for _, k := range splitDots(path) {
			v = v.(map[string]any)[k]
		}
		at, ok := lenient.ParseTime(v.(string))
		if !ok {
			h.t.Fatalf("%v: %s %v is not a time", args, path, v)
		}
		got[it[id].(string)] = at
	}
	return got
}

func splitDots(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '.' {
			i++
		}
		out = append(out, s[:i])
		s = s[min(i+1, len(s)):]
	}
	return out
}

// window checks that a windowed command listed exactly the items of all
// inside [from, to) (a zero to is open), and that the window cut some.
func window(t *testing.T, what string, got, all map[string]time.Time, from, to time.Time) {
	t.Helper()
	want := 0
	for id, at := range all {
		in := !at.Before(from) && (to.IsZero() || at.Before(to))
		if in {
			want++
		}
		if _, listed := got[id]; listed != in {
			t.Fatalf("%s: item %s at %s listed %v, window %s .. %s", what, id, at, listed, from, to)
		}
	}
	if want == 0 || want == len(all) || len(got) != want {
		t.Fatalf("%s: %d listed, %d of %d in the window: the data does not test it", what, len(got), want, len(all))
	}
}

// The command line's --since/--until/--from/--to at every edge of the
// calendar: durations count back from the pinned present, dates are the
// analyst's midnights, and what is listed is exactly what the window holds.
func TestTimeFlagsAtTheEdgesOfTheCalendar(t *testing.T) {
	t.Parallel()
	for _, edge := range clocktest.Edges() {
		t.Run(edge.Name, func(t *testing.T) {
			t.Parallel()
			at := edge.At
			h := newHarnessAt(t, 120, at, nil)
			midnight := func(days int) time.Time {
				y, m, d := at.AddDate(0, 0, days).Date()
				return time.Date(y, m, d, 0, 0, 0, 0, at.Location())
			}
			day := func(days int) string { return at.AddDate(0, 0, days).Format("2006-01-02") }

			events := h.listed("uuid", "published", "okta", "logs", "--since", "8d")
			window(t, "okta logs --since 48h", h.listed("uuid", "published", "okta", "logs", "--since", "48h"), events, at.Add(-48*time.Hour), time.Time{})
			window(t, "okta logs --since 3d --until 1d", h.listed("uuid", "published", "okta", "logs", "--since", "3d", "--until", "1d"),
				events, at.Add(-72*time.Hour), at.Add(-24*time.Hour))
			window(t, "okta logs by dates", h.listed("uuid", "published", "okta", "logs", "--since", day(-3), "--until", day(-1)),
				events, midnight(-3), midnight(-1))

			tickets := h.listed("fqid", "event.observedAt", "itm", "tickets", "--since", "60d")
			// The simulated incidents span the 30 days before the edge;
			// three days later the default window leaves the oldest out.
			h.clock.Advance(3 * 24 * time.Hour)
			window(t, "itm tickets (30 days by default), 3 days on", h.listed("fqid", "event.observedAt", "itm", "tickets"), tickets, at.Add(-27*24*time.Hour), time.Time{})
			h.clock.Advance(-3 * 24 * time.Hour)
			window(t, "itm tickets --since 7d", h.listed("fqid", "event.observedAt", "itm", "tickets", "--since", "7d"), tickets, at.Add(-7*24*time.Hour), time.Time{})
			window(t, "itm tickets --since today", h.listed("fqid", "event.observedAt", "itm", "tickets", "--since", day(0)), tickets, midnight(0), time.Time{})

			feed := h.listed("incident_id", "updated_at", "saas", "incidents", "--state", "all")
			window(t, "saas incidents --from 30d --to 2d", h.listed("incident_id", "updated_at", "saas", "incidents", "--state", "all", "--from", "30d", "--to", "2d"),
				feed, at.Add(-30*24*time.Hour), at.Add(-48*time.Hour))
			window(t, "saas incidents by dates", h.listed("incident_id", "updated_at", "saas", "incidents", "--state", "all", "--from", day(-20), "--to", day(-3)),
				feed, midnight(-20), midnight(-3))
		})
	}
}
