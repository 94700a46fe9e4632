// Package saas is the client of the Palo Alto Networks SaaS Security
// (formerly Aperture) API: incidents through the delta feed, their state
// (close with a category), the monitored apps, and asset remediation
// (quarantine, restore, public-sharing removal) with its status.
package saas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"triage/backend/lenient"
)

// Incident is one SaaS Security incident: a policy violation on an asset in
// a monitored cloud app. Fields follow the vendor's incident object; any may
// be missing or come in another JSON type than documented.
type Incident struct {
	ID              lenient.String `json:"incident_id"` // a number in the vendor's samples
	Tenant          lenient.String `json:"tenant"`
	AppID           lenient.String `json:"app_id"`
	AppName         lenient.String `json:"app_name"`
	AppType         lenient.String `json:"app_type"`
	CloudID         lenient.String `json:"cloud_id"`
	AssetName       lenient.String `json:"asset_name"`
	AssetSHA256     lenient.String `json:"asset_sha256"`
	AssetID         lenient.String `json:"asset_id"`
	AssetPageURI    lenient.String `json:"asset_page_uri"`
	AssetCloudURI   lenient.String `json:"asset_cloud_uri"`
	ExposureType    lenient.String `json:"exposure_type"` // a number, e.g. 8
	ExposureLevel   lenient.String `json:"exposure_level"`
	PolicyID        lenient.String `json:"policy_id"`
	PolicyName      lenient.String `json:"policy_name"`
	PolicyVersion   lenient.String `json:"policy_version"`
	PolicyPageURI   lenient.String `json:"policy_page_uri"`
	Severity        lenient.String `json:"severity"` // "High", or a number 1..5
	Status          lenient.String `json:"status"`   // display form: Open-New, Closed-Business Justified
	State           lenient.String `json:"state"`    // open / closed
	Category        lenient.String `json:"category"`
	ResolvedBy      lenient.String `json:"resolved_by"`
	ResolutionDate  lenient.Time   `json:"resolution_date"`
	AssignedTo      lenient.String `json:"assigned_to"`
	CreatedAt       lenient.Time   `json:"created_at"`
	UpdatedAt       lenient.Time   `json:"updated_at"`
	GroupIDs        Items          `json:"group_ids"`
	AssetOwnerID    lenient.String `json:"asset_owner_id"`
	AssetOwnerName  lenient.String `json:"asset_owner_name"`
	AssetOwnerEmail lenient.String `json:"asset_owner_email"`
	Collaborators   Items          `json:"collaborators"`
	DataPatterns    Items          `json:"data_patterns"`
	// Raw is the incident as the vendor sent it, for the raw JSON view; kept
	// only for an incident fetched by id, not for list rows.
	Raw json.RawMessage `json:"-"`
}

// StateName is "open" or "closed" (lower case), taken from the status when
// the state field is missing, as it is in some of the vendor's samples.
func (i *Incident) StateName() string {
	if s := strings.ToLower(strings.TrimSpace(string(i.State))); s != "" {
		return s
	}
	if st, _, ok := strings.Cut(string(i.Status), "-"); ok {
		return strings.ToLower(strings.TrimSpace(st))
	}
	return ""
}

// Closed reports whether the incident is closed.
func (i *Incident) Closed() bool { return i.StateName() == "closed" }

// Owner is the best short name for the asset's owner: the email, else the
// name, else the id.
func (i *Incident) Owner() string {
	for _, s := range []lenient.String{i.AssetOwnerEmail, i.AssetOwnerName, i.AssetOwnerID} {
		if s != "" {
			return string(s)
		}
	}
	return ""
}

// Policy is the policy's name, else its id.
func (i *Incident) Policy() string {
	if i.PolicyName != "" {
		return string(i.PolicyName)
	}
	return string(i.PolicyID)
}

// Apply puts a state answer (close, or the state read back) on the
// incident. The vendor's status string is derived the way the vendor
// writes it (Closed-Business Justified) when the state changed under it.
func (i *Incident) Apply(s IncidentState) {
	if s.State != "" {
		i.State = s.State
	}
	if s.Category != "" {
		i.Category = s.Category
	}
	i.ResolvedBy = s.ResolvedBy
	i.ResolutionDate = s.ResolutionDate
	if strings.EqualFold(string(s.State), "closed") && s.Category != "" {
		i.Status = lenient.String(StatusText("closed", string(s.Category)))
	}
	if !s.ResolutionDate.IsZero() && s.ResolutionDate.After(i.UpdatedAt.Time) {
		i.UpdatedAt = s.ResolutionDate
	}
}

// StatusText writes a state and category as the vendor's status display
// form: ("closed", "business_justified") is "Closed-Business Justified".
func StatusText(state, category string) string {
	return title(state) + "-" + title(strings.ReplaceAll(category, "_", " "))
}

func title(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		r := []rune(strings.ToLower(w))
		words[i] = strings.ToUpper(string(r[:1])) + string(r[1:])
	}
	return strings.Join(words, " ")
}

// IncidentState is an incident's state as the state endpoint reads and
// writes it.
type IncidentState struct {
	State          lenient.String `json:"state"`
	Category       lenient.String `json:"category"`
	ResolvedBy     lenient.String `json:"resolved_by"`
	ResolutionDate lenient.Time   `json:"resolution_date"`
}

// App is one monitored cloud app instance ("Box 1", "Office 365 1").
type App struct {
	ID   lenient.String `json:"app_id"`
	Name lenient.String `json:"app_name"`
	Type lenient.String `json:"app_type"`
}

// Remediation is the vendor's status of a remediation of one asset.
type Remediation struct {
	AssetID     lenient.String `json:"asset_id"`
	AssetName   lenient.String `json:"asset_name"`
	Type        lenient.String `json:"remediation_type"`
	ActionTaker lenient.String `json:"action_taker"`
	ActionDate  lenient.Time   `json:"action_date"` // 2021-08-24T17:09:53.547+0000
	Status      lenient.String `json:"status"`
}

// Closing categories the API accepts.
const (
	Misidentified     = "misidentified"
	NoReason          = "no_reason"
	BusinessJustified = "business_justified"
)

// Categories are the closing categories, with what analysts call them.
var Categories = []Choice{
	{BusinessJustified, "Business justified"},
	{Misidentified, "Misidentified"},
	{NoReason, "No reason"},
}

// Remediation types.
const (
	RemovePublicSharing = "remove_public_sharing"
	Quarantine          = "system_quarantine"
	Restore             = "system_restore"
)

// Choice is an API value with its display name.
type Choice struct{ Value, Label string }

// RemediationTypes are every remediation type, in the order offered.
var RemediationTypes = []Choice{
	{Quarantine, "Quarantine"},
	{Restore, "Restore"},
	{RemovePublicSharing, "Remove public sharing"},
}

// Label is the display name of a category or remediation type; unknown
// values are shown as they come.
func Label(value string) string {
	for _, c := range append(Categories, RemediationTypes...) {
		if c.Value == value {
			return c.Label
		}
	}
	return value
}

// publicSharingApps are the app types whose public sharing the API can
// remove (Office 365, Dropbox, Box, Google Drive), as compact lower-case
// words.
var publicSharingApps = map[string]bool{"office365": true, "dropbox": true, "box": true, "googledrive": true, "gdrive": true}

// RemediationsFor lists the remediation types valid for an app: quarantine
// and restore everywhere, public-sharing removal only where the vendor
// supports it. The app type decides; its name is the fallback.
func RemediationsFor(appType, appName string) []Choice {
	kind := compact(appType)
	if kind == "" {
		kind = strings.TrimRight(compact(appName), "0123456789")
	}
	out := []Choice{RemediationTypes[0], RemediationTypes[1]}
	if publicSharingApps[kind] {
		out = append(out, RemediationTypes[2])
	}
	return out
}

func compact(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Remediation outcomes as the console tracks them.
const (
	Pending = "pending"
	Success = "success"
	Failed  = "failed"
)

// Outcome sorts a vendor's remediation status: success, failed, or pending
// for anything still in progress (and for words it does not know, which
// keep being checked and are shown as they come).
func Outcome(status string) string {
	switch strings.ToLower(strings.TrimSpace(status)) {
	case "success", "succeeded", "successful", "completed", "complete", "done":
		return Success
	case "failed", "failure", "error", "cancelled", "canceled", "rejected":
		return Failed
	}
	return Pending
}

// Severity is an incident severity as the vendor sent it, with its level:
// 5 critical, 4 high, 3 medium, 2 low, 1 informational, 0 unknown. The
// vendor sends words ("High") in incidents and takes 1..5 in filters.
type Severity struct {
	Raw   string // as sent, for display
	Level int
}

// SeverityWords names the levels, index = level.
var SeverityWords = []string{"", "informational", "low", "medium", "high", "critical"}

// ParseSeverity reads a severity word or number.
func ParseSeverity(s string) Severity {
	sev := Severity{Raw: strings.TrimSpace(s)}
	w := strings.ToLower(sev.Raw)
	switch w {
	case "critical":
		sev.Level = 5
	case "high":
		sev.Level = 4
	case "medium", "moderate":
		sev.Level = 3
	case "low":
		sev.Level = 2
	case "informational", "info":
		sev.Level = 1
	default:
		if f, err := strconv.ParseFloat(w, 64); err == nil && f >= 1 && f <= 5 {
			sev.Level = int(math.Round(f))
		}
	}
	return sev
}

// Word is the level's name, or the raw value when the level is unknown.
func (s Severity) Word() string {
	if s.Level > 0 {
		return SeverityWords[s.Level]
	}
	return s.Raw
}

// SeverityFilter turns what an analyst types (high, Critical, 4) into the
// numbers the delta endpoint's severity filter takes: the XSOAR
// integration (SaasSecurity.yml, the severity argument) offers only '1'..'5',
// with the levels above (5 critical .. 1 informational). Anything else is an
// error naming the words it takes.
func SeverityFilter(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		level, err := strconv.Atoi(v)
		if _, ferr := strconv.ParseFloat(v, 64); err != nil && ferr != nil {
			level = ParseSeverity(v).Level // a word; 4.5 is no level
		}
		if level < 1 || level > 5 {
			return nil, fmt.Errorf("severity %q: use critical, high, medium, low, informational or 1 to 5", v)
		}
		if n := strconv.Itoa(level); !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// Statuses are the incident statuses the API filters on, in its
// "state-status" form.
var Statuses = []string{"open-new", "open-assigned", "open-in progress", "open-pending",
	"closed-no reason", "closed-business justified", "closed-misidentified", "closed-in the cloud", "closed-dismiss"}

// StatusFilter turns what an analyst types ("new", "in-progress",
// "business_justified", "Closed-Dismiss") into the API's status value
// ("open-new", "open-in progress", "closed-business justified"). Values it
// does not recognise go as typed, lower-cased.
func StatusFilter(s string) string {
	v := strings.ToLower(strings.TrimSpace(s))
	spaced := strings.NewReplacer("_", " ", "-", " ").Replace(v)
	for _, st := range Statuses {
		state, name, _ := strings.Cut(st, "-")
		if v == st || spaced == name || spaced == state+" "+name {
			return st
		}
	}
	return v
}

// Items is a list the vendor leaves loosely typed (collaborators, data
// patterns, group ids): strings, numbers or objects, each turned into one
// readable line. A lone value is a list of one.
type Items []string

// UnmarshalJSON implements json.Unmarshaler.
func (it *Items) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*it = nil
		return nil
	}
	var raw []json.RawMessage
	if b[0] != '[' {
		raw = []json.RawMessage{b}
	} else if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(Items, 0, len(raw))
	for _, r := range raw {
		if s := itemText(r); s != "" {
			out = append(out, s)
		}
	}
	*it = out
	return nil
}

// itemText is one list entry as text: an object shows its name and email
// (or id) when it has them, else its fields.
func itemText(r json.RawMessage) string {
	var obj map[string]any
	if err := json.Unmarshal(r, &obj); err != nil {
		var s lenient.String
		if s.UnmarshalJSON(r) != nil {
			return ""
		}
		return string(s)
	}
	pick := func(keys ...string) string {
		for _, k := range keys {
			if v, ok := obj[k].(string); ok && v != "" {
				return v
			}
		}
		return ""
	}
	name := pick("name", "display_name", "pattern_name", "title")
	addr := pick("email", "id", "value")
	switch {
	case name != "" && addr != "" && name != addr:
		return name + " <" + addr + ">"
	case name != "":
		return name
	case addr != "":
		return addr
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		if v, err := json.Marshal(obj[k]); err == nil {
			parts = append(parts, k+"="+strings.Trim(string(v), `"`))
		}
	}
	return strings.Join(parts, " ")
}

// TimeParam writes a time the way the API takes from and to:
// YYYY-MM-DDTHH:MM:SS.mmmZ.
func TimeParam(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
