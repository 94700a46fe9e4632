package views

import (
	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/config"
	"triage/ui"
)

// Saved views ([[views]] in the config) open from the palette: the tab
// they name runs their server query and applies their row filter.

// startQuery is the query a tab opens a tenant on: the tenant's `query`
// from the config, else fallback. One the tab cannot parse is said on the
// status line, naming the file and the tenant, and fallback is used.
func startQuery(c *Common, vendor, tenant, configured, fallback string, parse func(string) error) (string, tea.Cmd) {
	if configured == "" {
		return fallback, nil
	}
	if err := parse(configured); err != nil {
		file := c.Backends.Config.File
		if file == "" {
			file = "config"
		}
		return fallback, ui.Failf("%s: [[%s]] %q query %q: %v (ignored)", file, vendor, tenant, configured, err)
	}
	return configured, nil
}

// withFilter applies a saved view's row filter after its query.
func withFilter(f *filterBar, filter string, cmd tea.Cmd) tea.Cmd {
	if filter == "" {
		return cmd
	}
	return tea.Batch(cmd, f.table.SetFilter(filter))
}

// OpenView implements viewOpener for the ITM tab.
func (t *itmTab) OpenView(v config.View) (tea.Cmd, bool) {
	if v.Tab != "itm" {
		return nil, false
	}
	text := v.Query
	if text == "" {
		text = t.queryText
	}
	q, err := t.parse(text)
	if err != nil {
		return ui.Failf("saved view %q: %v", v.Name, err), true
	}
	t.query, t.queryText, t.mode = q, text, itmList
	return withFilter(&t.filter, v.Filter, t.loadFirst()), true
}

// OpenView implements viewOpener for the SaaS tab.
func (t *saasTab) OpenView(v config.View) (tea.Cmd, bool) {
	if v.Tab != "saas" {
		return nil, false
	}
	text := v.Query
	if text == "" {
		text = t.queryText
	}
	q, err := t.parse(text)
	if err != nil {
		return ui.Failf("saved view %q: %v", v.Name, err), true
	}
	t.query, t.queryText, t.mode = q, text, saasList
	return withFilter(&t.filter, v.Filter, t.loadFirst()), true
}

// OpenView implements viewOpener for the Okta tab's two panes.
func (t *oktaTab) OpenView(v config.View) (tea.Cmd, bool) {
	switch v.Tab {
	case "okta-logs":
		t.pane = paneLog
		if v.Query == "" {
			return withFilter(&t.log.filter, v.Filter, t.log.load()), true
		}
		cmd, err := t.log.setQuery(v.Query)
		if err != nil {
			return ui.Failf("saved view %q: %v", v.Name, err), true
		}
		return withFilter(&t.log.filter, v.Filter, cmd), true
	case "okta-apps":
		t.pane = paneApps
		if v.Query == "" {
			return withFilter(&t.apps.filter, v.Filter, t.apps.load()), true
		}
		cmd, err := t.apps.searchApps(v.Query)
		if err != nil {
			return ui.Failf("saved view %q: %v", v.Name, err), true
		}
		return withFilter(&t.apps.filter, v.Filter, cmd), true
	}
	return nil, false
}

// OpenView implements viewOpener for the Remediations tab: a row filter.
func (t *remediationsTab) OpenView(v config.View) (tea.Cmd, bool) {
	if v.Tab != "remediations" {
		return nil, false
	}
	return withFilter(&t.filter, v.Filter, t.load()), true
}
