package views

import (
	"maps"

	tea "github.com/charmbracelet/bubbletea"

	"triage/backend/prefs"
)

// Comment drafts survive a restart: what the ITM tab keeps as a draft is
// saved to the analyst's preferences whenever it changes, and put back
// when the console starts.

// itmDrafts is the ITM tab's drafts, nil without the tab.
func (a *App) itmDrafts() map[string]string {
	for _, t := range a.tabs {
		if t, ok := t.(*itmTab); ok {
			return t.drafts
		}
	}
	return nil
}

// loadDrafts puts back the drafts of an earlier session; one written
// since start wins over the saved one.
func (a *App) loadDrafts(saved map[string]string) {
	now := a.itmDrafts()
	if now == nil {
		return
	}
	for k, text := range saved {
		if _, ok := now[k]; !ok {
			now[k] = text
		}
		if _, ok := a.drafts[k]; !ok {
			if a.drafts == nil {
				a.drafts = map[string]string{}
			}
			a.drafts[k] = text
		}
	}
}

// saveDrafts saves what changed in the drafts since they were last saved.
func (a *App) saveDrafts() tea.Cmd {
	now := a.itmDrafts()
	if a.prefs == nil || maps.Equal(now, a.drafts) {
		return nil
	}
	changed := map[string]string{}
	var gone []string
	for k, text := range now {
		if old, ok := a.drafts[k]; !ok || old != text {
			changed[k] = text
		}
	}
	for k := range a.drafts {
		if _, ok := now[k]; !ok {
			gone = append(gone, k)
		}
	}
	a.drafts = maps.Clone(now)
	return a.savePrefs(func(p *prefs.Prefs) { p.SetDrafts(changed, gone) })
}
