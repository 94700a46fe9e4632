package views

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/config"
	"triage/ui"
)

// Saved views ([[views]] in the config) open from the palette: the tab
// they name runs their server query and applies their row filter.

// startQuery is the query a tab opens a tenant on, as typed and parsed:
// the tenant's `query` from the config, else fallback. One the tab cannot
// parse is said on the status line, naming the file and the tenant, and
// fallback is used.
func startQuery[Q any](c *Common, vendor, tenant, configured, fallback string, parse func(string) (Q, error)) (string, Q, tea.Cmd) {
	if configured == "" {
		q, _ := parse(fallback)
		return fallback, q, nil
	}
	q, err := parse(configured)
	if err != nil {
		file := c.Backends.Config.File
		if file == "" {
			file = "config"
		}
		q, _ = parse(fallback)
		return fallback, q, ui.Failf("%s: [[%s]] %q query %q: %v (ignored)", file, vendor, tenant, configured, err)
	}
	return configured, q, nil
}

// queryTab is a tab with a server query, which the query prompt and saved
// views set.
type queryTab interface {
	// useQuery parses text and makes it the query, back on the list.
	useQuery(text string) error
	loadFirst() tea.Cmd
}

// queryPrompt asks for a tab's server query and runs it; one that does
// not parse keeps the prompt open, what is wrong on the status line.
func queryPrompt(b *listTab, t queryTab, p *ui.Prompt, what string) tea.Cmd {
	return b.show(ui.PromptModal(b.c.Styles, p, func(text string) (tea.Cmd, error) {
		if err := t.useQuery(strings.TrimSpace(text)); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		return t.loadFirst(), nil
	}))
}

// openSaved runs a saved view's query (the one in use when it names none)
// and applies its row filter.
func openSaved(t queryTab, f *filterBar, v config.View, current string) tea.Cmd {
	text := v.Query
	if text == "" {
		text = current
	}
	if err := t.useQuery(text); err != nil {
		return ui.Failf("saved view %q: %v", v.Name, err)
	}
	return withFilter(f, v.Filter, t.loadFirst())
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
	return openSaved(t, &t.filter, v, t.queryText), true
}

// OpenView implements viewOpener for the SaaS tab.
func (t *saasTab) OpenView(v config.View) (tea.Cmd, bool) {
	if v.Tab != "saas" {
		return nil, false
	}
	return openSaved(t, &t.filter, v, t.queryText), true
}

// OpenView implements viewOpener for the Okta tab's two panes.
func (t *oktaTab) OpenView(v config.View) (tea.Cmd, bool) {
	switch v.Tab {
	case "okta-logs":
		t.pane = paneLog
		return openSavedPane(v, &t.log.filter, t.log.load, t.log.setQuery), true
	case "okta-apps":
		t.pane = paneApps
		return openSavedPane(v, &t.apps.filter, t.apps.load, t.apps.searchApps), true
	}
	return nil, false
}

// openSavedPane runs a saved view's query on an Okta pane (reloads the
// pane when it names none) and applies its row filter.
func openSavedPane(v config.View, f *filterBar, load func() tea.Cmd, query func(string) (tea.Cmd, error)) tea.Cmd {
	if v.Query == "" {
		return withFilter(f, v.Filter, load())
	}
	cmd, err := query(v.Query)
	if err != nil {
		return ui.Failf("saved view %q: %v", v.Name, err)
	}
	return withFilter(f, v.Filter, cmd)
}

// OpenView implements viewOpener for the Remediations tab: a row filter.
func (t *remediationsTab) OpenView(v config.View) (tea.Cmd, bool) {
	if v.Tab != "remediations" {
		return nil, false
	}
	return withFilter(&t.filter, v.Filter, t.load()), true
}
