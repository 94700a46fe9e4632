package views

import tea "github.com/charmbracelet/bubbletea"

// Routing: a tab's own messages (a page it asked for, a write it sent)
// name it and reach it alone; news for every tab (a remediation started, a
// sender listed) is a broadcast; what names no tab (a table's filtering, a
// cursor blink, a bulk row's result) reaches every tab, and the part it
// belongs to takes it.

// addressed is a message for one tab.
type addressed interface{ recipient() Tab }

// broadcast is cross-tab news: every tab sees it and takes what is its.
type broadcast interface{ news() }

func (remediationStartedMsg) news() {}
func (senderListedMsg) news()       {}

// route delivers msg to the tab it names, else to every tab.
func route(tabs []Tab, msg tea.Msg) tea.Cmd {
	if m, ok := msg.(addressed); ok {
		if t := m.recipient(); t != nil {
			return t.Update(msg)
		}
		return nil
	}
	cmds := make([]tea.Cmd, 0, len(tabs))
	for _, t := range tabs {
		cmds = append(cmds, t.Update(msg))
	}
	return tea.Batch(cmds...)
}

func (m iamSharedMsg) recipient() Tab     { return m.tab }
func (m iamFoundMsg) recipient() Tab      { return m.tab }
func (m iamDetailsMsg) recipient() Tab    { return m.tab }
func (m iamResolvedMsg) recipient() Tab   { return m.tab }
func (m iamWriteMsg) recipient() Tab      { return m.tab }
func (m itmSharedMsg) recipient() Tab     { return m.tab }
func (m itmEmailMsg) recipient() Tab      { return m.tab }
func (m itmUsersMsg) recipient() Tab      { return m.tab }
func (m itmWriteMsg) recipient() Tab      { return m.tab }
func (m oktaAssignMsg) recipient() Tab    { return m.tab }
func (m oktaWhoMsg) recipient() Tab       { return m.tab }
func (m oktaChangeMsg) recipient() Tab    { return m.tab }
func (m oktaGroupMsg) recipient() Tab     { return m.tab }
func (m oktaLogMsg) recipient() Tab       { return m.tab }
func (m oktaEventMsg) recipient() Tab     { return m.tab }
func (m oktaTailTick) recipient() Tab     { return m.tab }
func (m journalLoadedMsg) recipient() Tab { return m.tab }
func (m pollDueMsg) recipient() Tab       { return m.tab }
func (m clockMsg) recipient() Tab         { return m.tab }
func (m pollDoneMsg) recipient() Tab      { return m.tab }
func (m lookupDoneMsg) recipient() Tab    { return m.tab }
func (m saasSharedMsg) recipient() Tab    { return m.tab }
func (m saasAppsMsg) recipient() Tab      { return m.tab }
func (m saasCloseMsg) recipient() Tab     { return m.tab }
