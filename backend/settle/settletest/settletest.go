// Package settletest is the table of lost-answer cases every write is run
// through, in the console's tests and the command line's alike: both must
// report the same settle.Class and leave the same audit lines.
package settletest

import (
	"slices"

	"triage/backend/audit"
	"triage/backend/settle"
	"triage/backend/sim"
)

// Target is what the writes act on in the simulators.
type Target struct {
	FQID     string // an ITM incident
	Incident string // a SaaS incident
	Asset    string // its asset
	Group    string // the Okta group Contractors
	App      string // an Okta app no group grants Li Chen and she lacks
	User     string // Li Chen's Okta id
}

// Login is the person the Okta writes act on.
const Login = "li.chen@acme.example"

// TargetOf picks the targets in a simulator.
func TargetOf(s *sim.Sim) Target {
	t := Target{FQID: s.ITM.FQIDs(1)[0], Incident: s.SaaS.Newest(1)[0], Group: s.Okta.GroupID("Contractors"), User: s.Okta.UserID(Login)}
	t.Asset = s.SaaS.AssetOf(t.Incident)
	for _, a := range s.Okta.Apps() {
		if (a.Name == "figma" || a.Name == "miro") && !slices.Contains(s.Okta.AppUserLogins(a.ID), Login) {
			t.App = a.ID
			break
		}
	}
	return t
}

// Write is one write as the simulators see it.
type Write struct {
	Name   string // what a front-end's runner is keyed by
	Action string // its audit action
	Server func(*sim.Sim) *sim.Server
	// Method and Path are the write's request; Read is the path the
	// read-back GETs.
	Method string
	Path   func(Target) string
	Read   func(Target) string
	// Before names the write that makes this one possible (an assignment
	// before its removal); a front-end runs it, unspoiled, first.
	Before string
}

// Writes are the writes both front-ends make.
var Writes = []Write{
	{Name: "itm comment", Action: "itm.comment", Server: itmServer, Method: "POST",
		Path: func(t Target) string { return event(t) + "/annotations/comments" }, Read: event},
	{Name: "itm assign", Action: "itm.assign", Server: itmServer, Method: "PUT",
		Path: func(t Target) string { return event(t) + "/annotations/workflow/assignment" }, Read: event},
	{Name: "itm status", Action: "itm.status", Server: itmServer, Method: "PATCH",
		Path: func(t Target) string { return event(t) + "/annotations/workflow" }, Read: event},
	{Name: "saas close", Action: "saas.close", Server: saasServer, Method: "POST",
		Path: incidentState, Read: incidentState},
	{Name: "saas remediate", Action: "saas.remediate", Server: saasServer, Method: "POST",
		Path: remediation, Read: remediation},
	{Name: "essentials block", Action: "essentials.block_sender", Server: essentialsServer, Method: "POST",
		Path: senderLists, Read: senderLists},
	{Name: "okta group add", Action: "okta.group_add_user", Server: oktaServer, Method: "PUT",
		Path: func(t Target) string { return "/api/v1/groups/" + t.Group + "/users/" + t.User },
		Read: func(t Target) string { return "/api/v1/users/" + t.User + "/groups" }},
	{Name: "okta assign", Action: "okta.app_assign_user", Server: oktaServer, Method: "POST",
		Path: func(t Target) string { return "/api/v1/apps/" + t.App + "/users" },
		Read: func(t Target) string { return "/api/v1/apps/" + t.App + "/users/" + t.User }},
	// IAM: one provider's disable each, as the people view sends it.
	{Name: "iam okta suspend", Action: "okta.suspend", Server: oktaServer, Method: "POST",
		Path: func(t Target) string { return "/api/v1/users/" + t.User + "/lifecycle/suspend" },
		Read: func(Target) string { return "/api/v1/users" }}, // by id, login or filter
	{Name: "iam atlassian disable", Action: "atlassian.disable_user", Server: atlassianServer, Method: "PATCH",
		Path: scimUsers, Read: scimUsers},
	{Name: "iam essentials disable", Action: "essentials.disable_user", Server: essentialsServer, Method: "PUT",
		Path: essentialsUser, Read: essentialsUser},
	{Name: "okta group remove", Action: "okta.group_remove_user", Server: oktaServer, Method: "DELETE", Before: "okta group add",
		Path: func(t Target) string { return "/api/v1/groups/" + t.Group + "/users/" + t.User },
		Read: func(t Target) string { return "/api/v1/users/" + t.User + "/groups" }},
	{Name: "okta unassign", Action: "okta.app_unassign_user", Server: oktaServer, Method: "DELETE", Before: "okta assign",
		Path: func(t Target) string { return "/api/v1/apps/" + t.App + "/users/" + t.User },
		Read: func(t Target) string { return "/api/v1/apps/" + t.App + "/users/" + t.User }},
}

func event(t Target) string                  { return "/v2/apis/activity/events/" + t.FQID }
func incidentState(t Target) string          { return "/incident/api/incidents/" + t.Incident + "/state" }
func remediation(Target) string              { return "/remediation/api/assets" }
func senderLists(Target) string              { return "/api/v1/orgs/acme.example/sender-lists" }
func itmServer(s *sim.Sim) *sim.Server       { return s.ITM.Server }
func atlassianServer(s *sim.Sim) *sim.Server { return s.Atlassian.Server }

// scimUsers is the prefix of every user path of the directory: faults
// match paths by prefix.
func scimUsers(Target) string                 { return "/scim/directory/" + sim.AtlassianDirectoryID + "/Users" }
func essentialsUser(Target) string            { return "/api/v1/orgs/acme.example/users/" + Login }
func saasServer(s *sim.Sim) *sim.Server       { return s.SaaS.Server }
func oktaServer(s *sim.Sim) *sim.Server       { return s.Okta.Server }
func essentialsServer(s *sim.Sim) *sim.Server { return s.Essentials.Server }

// Case is one way a write's answer can go.
type Case struct {
	Name string
	// Fault spoils the write's answer (nil: answered).
	Fault func(w Write, t Target) *sim.Fault
	Want  settle.Class
	Audit []string // the outcomes of the write's audit lines, in order
}

// Cases: answered; refused; lost after it applied; lost before; lost, and
// the read that settles it fails too.
var Cases = []Case{
	{Name: "answered", Want: settle.Applied, Audit: []string{audit.OK}},
	{Name: "refused", Want: settle.NotApplied, Audit: []string{audit.Failed},
		Fault: func(w Write, t Target) *sim.Fault {
			return &sim.Fault{Path: w.Path(t), Method: w.Method, Status: 400, Times: 1,
				Header: map[string][]string{"Content-Type": {"application/json"}}, Body: `{"message":"refused by the test"}`}
		}},
	{Name: "lost, applied", Want: settle.Applied, Audit: []string{audit.Unknown, audit.Confirmed},
		Fault: func(w Write, t Target) *sim.Fault {
			return &sim.Fault{Path: w.Path(t), Method: w.Method, DropAfter: true, Times: 1}
		}},
	{Name: "lost, not applied", Want: settle.NotApplied, Audit: []string{audit.Unknown, audit.Failed},
		Fault: func(w Write, t Target) *sim.Fault {
			return &sim.Fault{Path: w.Path(t), Method: w.Method, Drop: true, Times: 1}
		}},
	{Name: "lost, read-back fails", Want: settle.Unknown, Audit: []string{audit.Unknown},
		Fault: func(w Write, t Target) *sim.Fault {
			return &sim.Fault{Path: w.Path(t), Method: w.Method, DropAfter: true, Times: 1,
				Then: &sim.Fault{Path: w.Read(t), Method: "GET", Status: 400,
					Header: map[string][]string{"Content-Type": {"application/json"}}, Body: `{"message":"read refused by the test"}`}}
		}},
}

// Outcomes are the outcomes of action's audit lines, in order.
func Outcomes(mem *audit.Memory, action string) []string {
	var out []string
	for _, e := range mem.Entries() {
		if e.Action == action {
			out = append(out, e.Outcome)
		}
	}
	return out
}
