package views

import (
	"context"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/remediations"
	"triage/backend/saas"
	"triage/backend/settle"
	"triage/ui"
)

// The writes of the SaaS tab: close an incident with a category, and
// remediate its asset. Each asks y/N first, keeps the analyst's choice when
// it fails (reopening the form starts from it), and when an answer is lost
// reads the vendor's state back instead of sending again.

type saasCloseMsg struct {
	tab      *saasTab
	key      string
	category string
	state    saas.IncidentState
	incident *saas.Incident // read back after the close, for the row and detail
	out      settle.Result
	quiet    bool // one row of a bulk action, which reports itself
}

// targetRow is what the forms need of the incident they act on: its row, or
// the incident open in detail when the list no longer holds it.
func (t *saasTab) targetRow(key string) incidentRow {
	if row, ok := t.rows.get(key); ok {
		return row
	}
	if t.detail != nil && string(t.detail.ID) == key {
		// Its own interner: the shared rows' is their writer's alone.
		return (&incidentRows{in: interner{}}).row(t.detail)
	}
	return incidentRow{key: key}
}

func (t *saasTab) openClose() tea.Cmd {
	keys := t.marked()
	key := t.targetKey()
	if key == "" {
		return nil
	}
	row := t.targetRow(key)
	items := make([]ui.Item, len(saas.Categories))
	for i, c := range saas.Categories {
		items[i] = ui.Item{Label: c.Label, Detail: c.Value, Value: c.Value}
	}
	title := "Close incident " + key + " as"
	switch {
	case keys != nil:
		title = fmt.Sprintf("Close the %d marked incidents as", len(keys))
	case row.state == "closed":
		title = "Change the category of closed incident " + key
	}
	p := ui.NewPicker(t.c.Styles, title, items)
	if c, ok := t.keptClose[key]; ok {
		p.Select(c)
	}
	return t.show(ui.PickerModal(t.c.Styles, p, func(it ui.Item) tea.Cmd { return t.confirmClose(key, keys, it.Value) }))
}

// confirmClose asks before closing the incident key, or the marked keys,
// with category.
func (t *saasTab) confirmClose(key string, keys []string, category string) tea.Cmd {
	label := saas.Label(category)
	if keys != nil {
		return confirmBulk(&t.listTab, fmt.Sprintf("Close %d incidents as %s?", len(keys), label), fmt.Sprintf("close %d as %s", len(keys), label),
			[]string{fmt.Sprintf("Each of the %d marked incidents is closed with the category %s (%s).", len(keys), label, category)},
			func() tea.Cmd { return t.bulkClose(keys, category) })
	}
	row := t.targetRow(key)
	title, yes := "Close this incident?", "close as "+label
	if row.state == "closed" {
		title, yes = "Change the category of this closed incident?", "set "+label
	}
	c := ui.NewConfirm(t.c.Styles, title, yes,
		fmt.Sprintf("Incident %s · %s · %s", key, orDash(row.assetName), orDash(row.app)),
		fmt.Sprintf("Policy: %s · owner: %s", orDash(row.policy), orDash(row.owner)),
		fmt.Sprintf("Now: %s · new category: %s (%s)", orDash(row.status), label, category))
	return t.show(ui.ConfirmModal(t.c.Styles, c, func() tea.Cmd { return t.sendClose(key, category) },
		func() tea.Cmd { return ui.Toast("Incident %s left as it was", key) }))
}

func (t *saasTab) sendClose(key, category string) tea.Cmd {
	t.writing = "Closing incident " + key + "…"
	client, ctx := t.client(), t.c.Context()
	return func() tea.Msg { return t.closeOne(ctx, client, key, category) }
}

// closeOne closes an incident and re-reads it for its row.
func (t *saasTab) closeOne(ctx context.Context, client *saas.Client, key, category string) saasCloseMsg {
	out := client.CloseOnce(ctx, key, category)
	m := saasCloseMsg{tab: t, key: key, category: category, state: out.Value, out: out.Result}
	if out.Applied() {
		m.incident, _ = client.Incident(ctx, key)
	}
	return m
}

// bulkClose closes every marked incident with one category.
func (t *saasTab) bulkClose(keys []string, category string) tea.Cmd {
	client := t.client()
	return t.runBulk(fmt.Sprintf("Close %d incidents as %s", len(keys), saas.Label(category)), keys, t.rowLabel, func(ctx context.Context, k string) (tea.Msg, error) {
		m := t.closeOne(ctx, client, k, category)
		if !m.out.Applied() {
			return nil, m.out.Err
		}
		m.quiet = true
		return m, nil
	})
}

func (t *saasTab) rowLabel(key string) string {
	row := t.targetRow(key)
	return fmt.Sprintf("%-6s %s · %s · %s", key, orDash(row.assetName), orDash(row.app), orDash(row.owner))
}

func (t *saasTab) onClose(m saasCloseMsg) tea.Cmd {
	t.writing = ""
	if m.out.Applied() {
		delete(t.keptClose, m.key)
		if m.incident != nil {
			t.rows.update(m.incident)
			if m.key == t.openKey && t.mode == detailMode {
				t.detail = m.incident
				t.render(true)
			}
		} else {
			t.rows.applyState(m.key, m.state)
		}
	} else {
		t.keptClose[m.key] = m.category
	}
	label := saas.Label(m.category)
	switch out := m.out; {
	case m.quiet:
		return t.table.Refilter() // one of a bulk action, which reports itself
	case out.Applied() && out.Lost == "":
		by := ""
		if row, ok := t.rows.get(m.key); ok && row.resolver != "" {
			by = " by " + row.resolver
		}
		return tea.Batch(t.table.Refilter(), ui.Toast("Incident %s closed as %s%s", m.key, label, by))
	case out.Applied():
		return tea.Batch(t.table.Refilter(), ui.Toast("Incident %s closed as %s: %s, and reading the state back shows it applied", m.key, label, out.Lost))
	case out.Checked():
		return ui.Fail(fmt.Errorf("incident %s not closed (%s, and reading back shows it unchanged; s reopens with %s chosen): %w", m.key, out.Lost, label, out.Err))
	case out.Class == settle.Unknown:
		return ui.Fail(fmt.Errorf("close of incident %s: outcome unknown, and reading the state back failed too (r shows what the vendor has before you try again): %w", m.key, out.Err))
	}
	return ui.Fail(fmt.Errorf("incident %s not closed: %w (s reopens with %s chosen)", m.key, m.out.Err, label))
}

// --- remediation ---------------------------------------------------------

func (t *saasTab) openFix() tea.Cmd {
	if keys := t.marked(); keys != nil {
		return t.openBulkFix(keys)
	}
	key := t.targetKey()
	if key == "" {
		return nil
	}
	row := t.targetRow(key)
	if row.assetID == "" {
		return ui.Failf("incident %s names no asset to remediate", key)
	}
	var items []ui.Item
	for _, c := range saas.RemediationsFor(row.appType, row.app) {
		items = append(items, ui.Item{Label: c.Label, Detail: c.Value, Value: c.Value})
	}
	p := ui.NewPicker(t.c.Styles, fmt.Sprintf("Remediate %s (%s)", orDash(row.assetName), orDash(row.app)), items)
	if kept, ok := t.keptFix[key]; ok {
		p.Select(kept.typ)
	}
	return t.show(ui.PickerModal(t.c.Styles, p, func(it ui.Item) tea.Cmd { return t.confirmFix(key, it.Value) }))
}

// fixQuestion is what the confirmation asks for each remediation type.
var fixQuestion = map[string]string{
	saas.Quarantine:          "Quarantine this asset?",
	saas.Restore:             "Restore this asset from quarantine?",
	saas.RemovePublicSharing: "Remove this asset's public sharing?",
}

// inheritedOption is the confirmation's switch for removing sharing that
// parent folders pass down.
func inheritedOption(typ string, on bool) *ui.Option {
	if typ != saas.RemovePublicSharing {
		return nil
	}
	return &ui.Option{Key: "i", Label: "also remove shared links on parent folders (inherited sharing)", On: on}
}

// openBulkFix offers the remediation types valid for every marked asset.
func (t *saasTab) openBulkFix(keys []string) tea.Cmd {
	valid := map[string]int{}
	for _, k := range keys {
		row := t.targetRow(k)
		if row.assetID == "" {
			return ui.Failf("incident %s names no asset to remediate: unmark it first", k)
		}
		for _, c := range saas.RemediationsFor(row.appType, row.app) {
			valid[c.Value]++
		}
	}
	var items []ui.Item
	for _, c := range saas.RemediationTypes {
		if valid[c.Value] == len(keys) {
			items = append(items, ui.Item{Label: c.Label, Detail: c.Value, Value: c.Value})
		}
	}
	if len(items) == 0 {
		return ui.Failf("no remediation type applies to all %d marked assets", len(keys))
	}
	p := ui.NewPicker(t.c.Styles, fmt.Sprintf("Remediate the %d marked incidents' assets", len(keys)), items)
	return t.show(ui.PickerModal(t.c.Styles, p, func(it ui.Item) tea.Cmd {
		typ, label := it.Value, saas.Label(it.Value)
		c := ui.NewConfirm(t.c.Styles, fmt.Sprintf("%s %d assets?", label, len(keys)),
			fmt.Sprintf("start %s of %d assets", strings.ToLower(label), len(keys)),
			fmt.Sprintf("Each marked incident's asset gets %s (%s); tab 3 follows them.", label, typ))
		c.Option = inheritedOption(typ, false)
		return t.show(ui.ConfirmModal(t.c.Styles, c, func() tea.Cmd { return t.bulkFix(keys, fixChoice{typ: typ, inherited: optionOn(c)}) },
			func() tea.Cmd { return ui.Toast("Nothing sent; the marks stay") }))
	}))
}

// confirmFix asks before starting remediation typ on the asset of incident
// key, starting from what failed last time.
func (t *saasTab) confirmFix(key, typ string) tea.Cmd {
	label := saas.Label(typ)
	row := t.targetRow(key)
	choice := fixChoice{typ: typ}
	if kept, ok := t.keptFix[key]; ok && kept.typ == typ {
		choice = kept
	}
	c := ui.NewConfirm(t.c.Styles, fixQuestion[typ], "start "+strings.ToLower(label),
		fmt.Sprintf("Asset: %s", orDash(row.assetName)),
		fmt.Sprintf("Asset id: %s · app: %s", row.assetID, orDash(row.app)),
		fmt.Sprintf("Owner: %s · incident %s · %s", orDash(row.owner), row.key, orDash(row.policy)),
		fmt.Sprintf("Remediation: %s (%s)", label, typ))
	c.Option = inheritedOption(typ, choice.inherited)
	return t.show(ui.ConfirmModal(t.c.Styles, c, func() tea.Cmd {
		choice.inherited = optionOn(c)
		return t.sendFix(t.targetRow(key), choice)
	}, func() tea.Cmd { return ui.Toast("No remediation started") }))
}

// optionOn is whether the confirmation's option was switched on.
func optionOn(c *ui.Confirm) bool { return c.Option != nil && c.Option.On }

func (t *saasTab) sendFix(row incidentRow, choice fixChoice) tea.Cmd {
	label := saas.Label(choice.typ)
	t.writing = fmt.Sprintf("Starting %s of %s…", strings.ToLower(label), orDash(row.assetName))
	client, ctx := t.client(), t.c.Context()
	return func() tea.Msg { return t.startOne(ctx, client, row, choice) }
}

// bulkFix starts one remediation type on every marked incident's asset.
func (t *saasTab) bulkFix(keys []string, choice fixChoice) tea.Cmd {
	client := t.client()
	rows := make(map[string]incidentRow, len(keys)) // as the analyst confirmed them
	for _, k := range keys {
		rows[k] = t.targetRow(k)
	}
	cmd := t.runBulk(fmt.Sprintf("%s of %d assets", saas.Label(choice.typ), len(keys)), keys, t.rowLabel, func(ctx context.Context, k string) (tea.Msg, error) {
		m := t.startOne(ctx, client, rows[k], choice)
		if m.out.Class == settle.NotApplied {
			return nil, m.out.Err
		}
		m.quiet = true
		return m, nil
	})
	t.bulk.started = true // the vendor accepts a remediation; tab 3 learns how it ends
	return cmd
}

// startOne starts a remediation and records it in the journal as it
// settled (remediations.Started).
func (t *saasTab) startOne(ctx context.Context, client *saas.Client, row incidentRow, choice fixChoice) remediationStartedMsg {
	journal, analyst := journalOf(t.c), t.c.Analyst.Name
	req := saas.RemediationRequest{AssetID: row.assetID, Type: choice.typ, RemoveInherited: choice.inherited}
	rec := remediations.Record{Kind: remediations.KindAsset, Vendor: "saas", Tenant: client.Tenant(),
		TargetID: row.assetID, TargetName: row.assetName, Type: choice.typ, Source: "incident " + row.key,
		Params:    map[string]any{"incident": row.key, "app": row.app},
		StartedBy: analyst, StartedAt: t.c.now()}
	if choice.typ == saas.RemovePublicSharing {
		rec.Params["remove_inherited_sharing"] = choice.inherited
	}
	out := client.RemediateOnce(ctx, req, rec.StartedAt)
	m := remediationStartedMsg{from: t, key: row.key, choice: choice, out: out.Result}
	rec.VendorStatus = string(out.Value.Status)
	if rec, ok := remediations.Started(rec, out, t.c.now()); ok {
		m.rec, m.journalErr = journal.Add(rec)
	}
	return m
}

func (t *saasTab) onRemediationStarted(m remediationStartedMsg) tea.Cmd {
	t.writing = ""
	label := saas.Label(m.choice.typ)
	switch {
	case m.quiet:
		return nil // one of a bulk action, which reports itself
	case m.out.Class == settle.NotApplied && m.out.Checked():
		t.keptFix[m.key] = m.choice
		return ui.Fail(fmt.Errorf("%s not started (%s, and reading back shows no new remediation; x reopens with it chosen): %w", label, m.out.Lost, m.out.Err))
	case m.out.Class == settle.NotApplied:
		t.keptFix[m.key] = m.choice
		return ui.Fail(fmt.Errorf("%s not started: %w (x reopens with it chosen)", label, m.out.Err))
	}
	delete(t.keptFix, m.key)
	if m.rec.Status == remediations.Unknown {
		return ui.Failf("%s of %s: outcome unknown (%s); tab 3 follows it", label, orDash(m.rec.TargetName), m.rec.Detail)
	}
	if m.journalErr != nil {
		return ui.Fail(fmt.Errorf("%s of %s started, but it could not be written to the remediation journal (tab 3 follows it until you quit): %w",
			label, orDash(m.rec.TargetName), m.journalErr))
	}
	if m.out.Lost != "" {
		return ui.Toast("%s of %s started: tab 3 follows it (%s)", label, orDash(m.rec.TargetName), m.rec.Detail)
	}
	return ui.Toast("%s of %s started: tab 3 follows it", label, orDash(m.rec.TargetName))
}

// --- pickers -------------------------------------------------------------

func (t *saasTab) appItems() []ui.Item {
	items := []ui.Item{{Label: "All apps", Detail: "no app filter", Value: ""}}
	for _, a := range t.apps {
		items = append(items, ui.Item{Label: string(a.Name), Detail: string(a.Type) + " · " + string(a.ID), Value: string(a.ID)})
	}
	return items
}

func (t *saasTab) openApps() tea.Cmd {
	t.appPicker = ui.NewPicker(t.c.Styles, "Show incidents of app", t.appItems())
	t.appPicker.Custom = "app id"
	t.show(ui.PickerModal(t.c.Styles, t.appPicker, func(it ui.Item) tea.Cmd { return t.pickApp(it.Value) }))
	return t.loadApps()
}

// pickApp puts the chosen app in the query (by name when that is unique,
// else by id) and reloads.
func (t *saasTab) pickApp(id string) tea.Cmd {
	value := id
	for _, a := range t.apps {
		if string(a.ID) == id && len(t.appIDs([]string{string(a.Name)})) == 1 {
			value = string(a.Name)
		}
	}
	if err := t.useQuery(withTerm(t.queryText, "app", value)); err != nil {
		return ui.Fail(fmt.Errorf("SaaS query: %w", err))
	}
	return t.loadFirst()
}

// openQuery asks for the server query.
func (t *saasTab) openQuery() tea.Cmd {
	return t.askQuery("SaaS query", "state:open severity:high,critical status:new app:box since:7d",
		"state: open, closed or all · severity: critical, high, medium, low, informational or 1..5 · status: new, assigned, in-progress, pending, business-justified… · app: name, type or id · since/until: 24h, 7d or a date")
}

// openCopy copies the incident id from the list; in detail it offers the
// incident's ids and links. Only plain ids and web links are ever copied.
func (t *saasTab) openCopy() tea.Cmd {
	if t.mode != detailMode || t.detail == nil {
		key := t.table.CursorKey()
		if !plainID(key) {
			return nil
		}
		return ui.Copy(t.c.Styles.R, "incident id", key)
	}
	d := t.detail
	var items []ui.Item
	add := func(label, text string, ok bool) {
		if ok {
			items = append(items, ui.Item{Label: label, Detail: text, Value: text})
		}
	}
	add("Asset page", string(d.AssetPageURI), ui.CopyableURL(string(d.AssetPageURI)))
	add("Asset in "+orDash(string(d.AppName)), string(d.AssetCloudURI), ui.CopyableURL(string(d.AssetCloudURI)))
	add("Policy page", string(d.PolicyPageURI), ui.CopyableURL(string(d.PolicyPageURI)))
	add("Incident id", string(d.ID), plainID(string(d.ID)))
	add("Asset id", string(d.AssetID), plainID(string(d.AssetID)))
	add("Policy id", string(d.PolicyID), plainID(string(d.PolicyID)))
	return t.show(ui.PickerModal(t.c.Styles, ui.NewPicker(t.c.Styles, "Copy from incident "+string(d.ID), items), func(it ui.Item) tea.Cmd {
		return ui.Copy(t.c.Styles.R, strings.ToLower(it.Label), it.Value)
	}))
}

// plainID reports an id made only of letters, digits and . _ : -
func plainID(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._:-", r)) {
			return false
		}
	}
	return true
}

// switchTenant forgets the tenant's apps, whose names differ per tenant,
// so the query is parsed again for the new one's app ids.
func (t *saasTab) switchTenant() tea.Cmd {
	t.apps, t.appsReq = nil, false
	return t.loadApps()
}

// openAsset opens the asset's page in the SaaS Security console, the link
// the vendor gives with the incident.
func (t *saasTab) openAsset() tea.Cmd {
	if t.mode == detailMode && t.detail != nil {
		return ui.Open(t.c.Styles.R, t.c.Local, "the asset's page", string(t.detail.AssetPageURI))
	}
	key := t.table.CursorKey()
	if key == "" {
		return nil
	}
	client, ctx := t.client(), t.c.Context()
	r, local := t.c.Styles.R, t.c.Local
	return func() tea.Msg {
		in, err := client.Incident(ctx, key) // list rows do not keep links
		if err != nil {
			return ui.ErrorMsg{Err: err}
		}
		return ui.Open(r, local, "the asset's page", string(in.AssetPageURI))()
	}
}
