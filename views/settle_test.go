package views

import (
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/essentials"
	"triage/backend/itm"
	"triage/backend/settle"
	"triage/backend/settle/settletest"
	"triage/backend/sim"
)

// Every write of the console through every lost-answer case of the table
// the command line's test runs too: the class its status line reports
// (a note, applied; an error saying the outcome is unknown, unknown; any
// other error, not applied) and its audit lines are the table's.
func TestWritesSettleAsTheTableSays(t *testing.T) {
	t.Parallel()
	writes := map[string]func(d *driver, tg settletest.Target) tea.Cmd{
		"itm comment": func(d *driver, tg settletest.Target) tea.Cmd {
			return tabOf[*itmTab](d.app).sendComment(tg.FQID, "Called the manager.")
		},
		"itm assign": func(d *driver, tg settletest.Target) tea.Cmd {
			return tabOf[*itmTab](d.app).sendAssign(tg.FQID, "u-soc-002")
		},
		"itm status": func(d *driver, tg settletest.Target) tea.Cmd {
			return tabOf[*itmTab](d.app).sendStatus(tg.FQID, itm.StatusChange{ID: sim.ITMStatuses[4].ID, Title: sim.ITMStatuses[4].Title})
		},
		"saas close": func(d *driver, tg settletest.Target) tea.Cmd {
			return tabOf[*saasTab](d.app).sendClose(tg.Incident, "misidentified")
		},
		"saas remediate": func(d *driver, tg settletest.Target) tea.Cmd {
			return tabOf[*saasTab](d.app).sendFix(incidentRow{key: tg.Incident, assetID: tg.Asset, assetName: "the asset"}, fixChoice{typ: "system_quarantine"})
		},
		"essentials block": func(d *driver, tg settletest.Target) tea.Cmd {
			return sendSender(d.app.c, tabOf[*itmTab](d.app), "a test", senderChoice{sender: "phish.example", list: essentials.Block})
		},
		"okta group add": func(d *driver, tg settletest.Target) tea.Cmd {
			return tabOf[*oktaTab](d.app).send(oktaChange{kind: chGroupAdd, target: tg.Group, targetName: "Contractors", user: tg.User, person: "Li Chen"})
		},
		"okta assign": func(d *driver, tg settletest.Target) tea.Cmd {
			return tabOf[*oktaTab](d.app).send(oktaChange{kind: chAssign, target: tg.App, targetName: "the app", user: tg.User, person: "Li Chen"})
		},
		// The people view's disable, with only that provider checked: the
		// picker starts on Okta, then Atlassian, then Essentials.
		"iam okta suspend":       disableAt(0),
		"iam atlassian disable":  disableAt(1),
		"iam essentials disable": disableAt(2),
		"okta group remove": func(d *driver, tg settletest.Target) tea.Cmd {
			return tabOf[*oktaTab](d.app).send(oktaChange{kind: chGroupRemove, target: tg.Group, targetName: "Contractors", user: tg.User, person: "Li Chen"})
		},
		"okta unassign": func(d *driver, tg settletest.Target) tea.Cmd {
			return tabOf[*oktaTab](d.app).send(oktaChange{kind: chUnassign, target: tg.App, targetName: "the app", user: tg.User, person: "Li Chen"})
		},
	}
	for _, w := range settletest.Writes {
		for _, c := range settletest.Cases {
			t.Run(w.Name+"/"+c.Name, func(t *testing.T) {
				loads := []int{}
				if strings.HasPrefix(w.Name, "iam ") {
					loads = []int{5}
				}
				d := newDriver(t, setup{sim: sim.Options{Rows: 200}, loads: loads})
				tg := settletest.TargetOf(d.sim)
				if w.Before != "" {
					d.run(writes[w.Before](d, tg))
					d.settle()
				}
				if c.Fault != nil {
					w.Server(d.sim).Inject(c.Fault(w, tg))
				}
				d.run(writes[w.Name](d, tg))
				d.settle()
				msgs := d.app.status.Messages()
				if len(msgs) == 0 {
					t.Fatal("the status line says nothing")
				}
				last := msgs[len(msgs)-1]
				got := settle.Applied
				switch {
				case last.Error && strings.Contains(last.Text, "outcome unknown"):
					got = settle.Unknown
				case last.Error:
					got = settle.NotApplied
				}
				if got != c.Want {
					t.Errorf("%s, want %s: %s", got, c.Want, last.Text)
				}
				if a := settletest.Outcomes(d.audit, w.Action); !slices.Equal(a, c.Audit) {
					t.Errorf("audit %q, want %q", a, c.Audit)
				}
				if w.Name == "saas remediate" || w.Name == "essentials block" {
					journal, err := journalOf(d.app.c).List()
					if err != nil {
						t.Fatal(err)
					}
					if recorded := len(journal) == 1; recorded != (c.Want != settle.NotApplied) ||
						recorded && (journal[0].Status == "unknown") != (c.Want == settle.Unknown) {
						t.Errorf("journal %+v", journal)
					}
				}
			})
		}
	}
}

// disableAt disables Li Chen at provider i alone from the people view,
// by its keys; the write's command runs as the keys are typed.
func disableAt(i int) func(d *driver, tg settletest.Target) tea.Cmd {
	return func(d *driver, tg settletest.Target) tea.Cmd {
		openIAM(d)
		lookUp(d, settletest.Login)
		d.waitUntil("looked up", func(f string) bool {
			return strings.Join(statuses(rowOfPerson(f, settletest.Login)), " ") == "ACTIVE active active"
		})
		d.typeKeys("d")
		d.waitFor("Disable Li Chen?")
		for p := 0; p < 3; p++ {
			if p != i {
				d.typeKeys("space") // unchecked: only provider i is sent
			}
			d.typeKeys("down")
		}
		d.typeKeys("y")
		return nil
	}
}
