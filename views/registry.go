package views

import (
	"triage/backend"
	"triage/backend/config"
)

// tabSpec is one entry of the tab registry: the tab's number, id and name
// (config.Tabs, which the config checks saved views against), whether this
// configuration has it, and how to build it. The App, the keymap's tab
// keys and the palette all read this table.
type tabSpec struct {
	config.TabInfo
	enabled func(*backend.Set) bool
	build   func(*Common) Tab
}

// registry lists the tabs in their fixed order: only configured vendors'
// tabs appear, so a tab's number never changes.
var registry = []tabSpec{
	{config.Tabs[0], func(b *backend.Set) bool { return len(b.ITM) > 0 }, newITMTab},
	{config.Tabs[1], func(b *backend.Set) bool { return len(b.SaaS) > 0 }, func(c *Common) Tab { return newSaaSTab(c) }},
	// SaaS remediations and Essentials sender blocks
	{config.Tabs[2], func(b *backend.Set) bool { return len(b.SaaS) > 0 || len(b.Essentials) > 0 }, func(c *Common) Tab { return newRemediationsTab(c) }},
	{config.Tabs[3], func(b *backend.Set) bool { return len(b.Okta) > 0 }, func(c *Common) Tab { return newOktaTab(c) }},
	{config.Tabs[4], func(b *backend.Set) bool { return len(b.Okta)+len(b.Atlassian)+len(b.Essentials) > 0 }, func(c *Common) Tab { return newIAMTab(c) }},
}

// spec is the registry entry of tab number n.
func spec(n int) tabSpec { return registry[n-1] }
