package views

import (
	"errors"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/saas"
	"triage/ui"
)

// Looking up any asset's remediation (n): its id, the remediation type,
// and the SaaS tenant when there are several; the vendor's answer opens
// in the pane. What was asked is kept, so n after a failure starts from it.

func (t *remediationsTab) openLookup() tea.Cmd {
	p := ui.NewPrompt(t.c.Styles, "Look up a remediation: asset id", t.lookupAsset, "the asset id, e.g. 61099dc46b544e38fa3ce89a")
	p.Help = "enter then picks the remediation type · esc cancels"
	return t.show(ui.PromptModal(t.c.Styles, p, func(text string) (tea.Cmd, error) {
		asset := strings.TrimSpace(text)
		if asset == "" {
			return nil, errors.New("type the asset id, or esc to cancel")
		}
		t.lookupAsset = asset
		return t.pickLookupType(), nil
	}))
}

func (t *remediationsTab) pickLookupType() tea.Cmd {
	var items []ui.Item
	for _, c := range saas.RemediationTypes {
		items = append(items, ui.Item{Label: c.Label, Detail: c.Value, Value: c.Value})
	}
	p := ui.NewPicker(t.c.Styles, "Remediation of "+t.lookupAsset, items)
	p.Select(t.lookupType)
	return t.show(ui.PickerModal(t.c.Styles, p, func(it ui.Item) tea.Cmd {
		t.lookupType = it.Value
		if len(t.c.Backends.SaaS) == 1 {
			return t.runLookup(t.c.Backends.SaaS[0].Tenant())
		}
		var tenants []ui.Item
		for _, c := range t.c.Backends.SaaS {
			tenants = append(tenants, ui.Item{Label: c.Tenant(), Value: c.Tenant()})
		}
		return t.show(ui.PickerModal(t.c.Styles, ui.NewPicker(t.c.Styles, "At which SaaS Security tenant?", tenants),
			func(it ui.Item) tea.Cmd { return t.runLookup(it.Value) }))
	}))
}

func (t *remediationsTab) runLookup(tenant string) tea.Cmd {
	client := t.client(tenant)
	if client == nil {
		return nil
	}
	t.loading = "Looking up the remediation…"
	ctx, asset, typ := t.c.Context(), t.lookupAsset, t.lookupType
	return func() tea.Msg {
		st, err := client.RemediationStatus(ctx, asset, typ)
		return lookupDoneMsg{tab: t, tenant: tenant, result: st, err: err}
	}
}

func (t *remediationsTab) onLookup(m lookupDoneMsg) tea.Cmd {
	t.loading = ""
	if m.err != nil {
		return ui.Fail(fmt.Errorf("%s of asset %s: %w (n reopens with it)", saas.Label(t.lookupType), t.lookupAsset, m.err))
	}
	t.lookup, t.lookupTenant = m.result, m.tenant
	t.mode, t.openID = remLookupResult, ""
	t.render()
	return nil
}
