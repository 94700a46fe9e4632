package views

import (
	"fmt"
	"strings"
	"time"

	"triage/backend/lenient"
	"triage/backend/people"
	"triage/ui"
)

// personDoc is one person in every provider: the last write's result at
// each, then each provider's account (or absent, or why the look-up
// failed) with its groups, apps or sender lists; raw shows each account's
// JSON instead.
func personDoc(st *ui.Styles, providers []people.Provider, p *person, width int, raw bool, now time.Time) string {
	d := ui.NewDoc(st, width)
	d.Section(fmt.Sprintf("%s  ·  %s", orDash(p.name()), p.email))
	if o := p.last; o != nil {
		outcomeDoc(d, providers, p, o)
	}
	// Every provider at a glance, before each one's account in full.
	for i, prov := range providers {
		word, tone := lookWords[p.state[i]], ui.ToneMuted
		switch p.state[i] {
		case lookFound:
			word, tone = p.accounts[i].Status, accountTone(p.accounts[i].Status)
		case lookFailed:
			tone = ui.ToneBad
		}
		d.FieldTone(people.Label(prov), word, tone)
	}
	if raw {
		for i, prov := range providers {
			d.Section(people.Label(prov) + "  ·  raw JSON  ·  v back")
			if a := p.accounts[i]; a != nil && len(a.Raw) > 0 {
				d.Line(ui.PrettyJSON(a.Raw))
			} else {
				d.Muted("  no account")
			}
		}
		return d.String()
	}
	for i, prov := range providers {
		accountDoc(d, prov, p, i, now)
	}
	d.Line("")
	d.Muted("d disable · E enable · u update · n new · L R X Okta sessions, reset, expire · b sender lists · v raw JSON · r look up again · esc back")
	return d.String()
}

// lookWords say where a look-up stands.
var lookWords = map[lookState]string{lookNone: "not looked up", lookPending: "looking…", lookAbsent: wordAbsent, lookFailed: "look-up failed"}

// outcomeDoc is the last write: each provider's result as it came.
func outcomeDoc(d *ui.Doc, providers []people.Provider, p *person, o *outcome) {
	w := actionWords[o.action]
	title := "Last action: " + w.noun
	if o.action == actDisable {
		title += " (Okta: " + o.mode.String() + ")"
	}
	d.Section(title)
	for i, r := range o.results {
		if !r.asked {
			continue
		}
		label := people.Label(providers[i])
		switch {
		case !r.done:
			d.FieldTone(label, "sending…", ui.ToneMuted)
		case r.out.Applied():
			d.FieldTone(label, "✓ "+resultWord(o, r, p.accounts[i]), ui.ToneGood)
		case r.failed():
			d.FieldTone(label, "✗ "+r.out.Err.Error()+"  ("+w.key+" retries it)", ui.ToneBad)
		default:
			d.FieldTone(label, "? "+r.out.Err.Error()+" (reading back failed too: r looks again before you retry)", ui.ToneMedium)
		}
	}
}

// accountDoc is one provider's account of the person.
func accountDoc(d *ui.Doc, prov people.Provider, p *person, i int, now time.Time) {
	label := people.Label(prov)
	switch p.state[i] {
	case lookFailed:
		d.Section(label + "  ·  look-up failed")
		d.FieldTone("Error", p.errs[i].Error(), ui.ToneBad)
		return
	case lookAbsent:
		d.Section(label + "  ·  absent")
		d.Muted("  no account with this email")
		return
	case lookFound:
	default:
		d.Section(label + "  ·  " + lookWords[p.state[i]])
		return
	}
	a := p.accounts[i]
	d.Section(label + "  ·  " + a.Status)
	d.FieldTone("Status", a.Status, accountTone(a.Status))
	pr := a.Profile
	d.Field("Name", pr.Name())
	d.Field("Email", pr.Email)
	d.Field("First name", pr.First)
	d.Field("Last name", pr.Last)
	d.Field("Title", pr.Title)
	d.Field("Department", pr.Department)
	d.Field("Organization", pr.Organization)
	for _, f := range a.Facts {
		if !f.At.IsZero() {
			d.Field(f.Label, when(lenient.Time{Time: f.At}, now))
		} else {
			d.Field(f.Label, f.Value)
		}
	}
	det, err := p.details[i], p.detailErrs[i]
	switch {
	case err != nil:
		d.FieldTone("More", "could not be read: "+err.Error(), ui.ToneBad)
	case det == nil:
		d.Muted("  reading groups, apps and sender lists…")
	default:
		d.Field("Groups", strings.Join(det.Groups, ", "))
		d.Field("Apps", strings.Join(det.Apps, ", "))
		if _, ok := prov.(*people.Essentials); ok {
			d.Field("Allowed senders", orNone(det.Allowed))
			d.Field("Blocked senders", orNone(det.Blocked))
		}
	}
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}
