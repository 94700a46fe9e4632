package cli

import (
	"slices"
	"strings"
	"testing"

	"triage/backend/settle"
	"triage/backend/settle/settletest"
)

// Every write of the command line through every lost-answer case: the
// class it reports (exit 0 applied; an error saying it may have been
// applied, unknown; any other error, not applied) and its audit lines are
// those of the table, which the console's test runs too.
func TestWritesSettleAsTheTableSays(t *testing.T) {
	t.Parallel()
	args := map[string]func(settletest.Target) []string{
		"itm comment": func(t settletest.Target) []string { return []string{"itm", "comment", t.FQID, "Called the manager."} },
		"itm assign":  func(t settletest.Target) []string { return []string{"itm", "assign", t.FQID, "u-soc-002"} },
		"itm status":  func(t settletest.Target) []string { return []string{"itm", "status", t.FQID, "resolved"} },
		"saas close": func(t settletest.Target) []string {
			return []string{"saas", "close", t.Incident, "misidentified", "--yes"}
		},
		"saas remediate": func(t settletest.Target) []string {
			return []string{"saas", "remediate", t.Asset, "system_quarantine", "--yes"}
		},
		"essentials block": func(settletest.Target) []string {
			return []string{"essentials", "block-sender", "phish.example", "--yes"}
		},
		"okta group add": func(t settletest.Target) []string {
			return []string{"okta", "group-add", t.Group, settletest.Login, "--yes"}
		},
		"okta assign": func(t settletest.Target) []string {
			return []string{"okta", "assign", t.App, settletest.Login, "--yes"}
		},
		"iam okta suspend": func(settletest.Target) []string {
			return []string{"users", "disable", settletest.Login, "--provider", "okta", "--yes"}
		},
		"iam atlassian disable": func(settletest.Target) []string {
			return []string{"users", "disable", settletest.Login, "--provider", "atlassian", "--yes"}
		},
		"iam essentials disable": func(settletest.Target) []string {
			return []string{"users", "disable", settletest.Login, "--provider", "essentials", "--yes"}
		},
		"okta group remove": func(t settletest.Target) []string {
			return []string{"okta", "group-remove", t.Group, settletest.Login, "--yes"}
		},
		"okta unassign": func(t settletest.Target) []string {
			return []string{"okta", "unassign", t.App, settletest.Login, "--yes"}
		},
	}
	for _, w := range settletest.Writes {
		for _, c := range settletest.Cases {
			t.Run(w.Name+"/"+c.Name, func(t *testing.T) {
				h := newHarness(t, 200, nil)
				tg := settletest.TargetOf(h.sim)
				if w.Before != "" {
					if _, errs, code := h.run("", args[w.Before](tg)...); code != 0 {
						t.Fatalf("%s first: %d %s", w.Before, code, errs)
					}
				}
				if c.Fault != nil {
					w.Server(h.sim).Inject(c.Fault(w, tg))
				}
				_, errs, code := h.run("", args[w.Name](tg)...)
				got := settle.NotApplied
				switch {
				case code == 0:
					got = settle.Applied
				case strings.Contains(errs, "may have been applied"):
					got = settle.Unknown
				}
				if got != c.Want {
					t.Errorf("%s, want %s: exit %d %s", got, c.Want, code, errs)
				}
				if a := settletest.Outcomes(h.audit, w.Action); !slices.Equal(a, c.Audit) {
					t.Errorf("audit %q, want %q", a, c.Audit)
				}
				journal := h.journal()
				if w.Name == "saas remediate" || w.Name == "essentials block" {
					// Recorded unless not applied; an unknown one as unknown.
					if recorded := len(journal) == 1; recorded != (c.Want != settle.NotApplied) ||
						recorded && (journal[0].Status == "unknown") != (c.Want == settle.Unknown) {
						t.Errorf("journal %+v", journal)
					}
				}
			})
		}
	}
}
