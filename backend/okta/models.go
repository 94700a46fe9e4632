package okta

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"triage/backend/lenient"
)

// Fields follow the Okta management API's objects. Any may be missing or
// null; lenient types keep one odd value from losing the whole object, and
// Raw keeps the object as the vendor sent it for the raw JSON view.

// App is an application (an integration people sign in to).
type App struct {
	ID          lenient.String   `json:"id"`
	Name        lenient.String   `json:"name"`
	Label       lenient.String   `json:"label"`
	Status      lenient.String   `json:"status"`     // ACTIVE, INACTIVE, DELETED
	SignOnMode  lenient.String   `json:"signOnMode"` // SAML_2_0, OPENID_CONNECT, BOOKMARK...
	Created     lenient.Time     `json:"created"`
	LastUpdated lenient.Time     `json:"lastUpdated"`
	Features    []lenient.String `json:"features"`
	Visibility  struct {
		AutoSubmitToolbar lenient.Bool `json:"autoSubmitToolbar"`
		Hide              struct {
			IOS lenient.Bool `json:"iOS"`
			Web lenient.Bool `json:"web"`
		} `json:"hide"`
	} `json:"visibility"`
	Links struct {
		Logo     []Link `json:"logo"`
		AppLinks []Link `json:"appLinks"`
	} `json:"_links"`
	Raw json.RawMessage `json:"-"`
}

// Link is one of an object's _links.
type Link struct {
	Name lenient.String `json:"name"`
	Href lenient.String `json:"href"`
	Type lenient.String `json:"type"`
}

// AppUser is a person's assignment to an app.
type AppUser struct {
	ID              lenient.String `json:"id"` // the user's id
	ExternalID      lenient.String `json:"externalId"`
	Created         lenient.Time   `json:"created"`
	LastUpdated     lenient.Time   `json:"lastUpdated"`
	Scope           lenient.String `json:"scope"`  // USER or GROUP (assigned through a group)
	Status          lenient.String `json:"status"` // ACTIVE, PROVISIONED, STAGED...
	StatusChanged   lenient.Time   `json:"statusChanged"`
	PasswordChanged lenient.Time   `json:"passwordChanged"`
	SyncState       lenient.String `json:"syncState"`
	LastSync        lenient.Time   `json:"lastSync"`
	Credentials     struct {
		UserName lenient.String `json:"userName"`
	} `json:"credentials"`
	Profile Profile         `json:"profile"`
	Raw     json.RawMessage `json:"-"`
}

// Login is the name the person uses in the app, else their profile email.
func (a AppUser) Login() string {
	if s := string(a.Credentials.UserName); s != "" {
		return s
	}
	return a.Profile.Get("email")
}

// AppLink is an app tile on a person's dashboard.
type AppLink struct {
	ID               lenient.String `json:"id"`
	Label            lenient.String `json:"label"`
	LinkURL          lenient.String `json:"linkUrl"`
	LogoURL          lenient.String `json:"logoUrl"`
	AppName          lenient.String `json:"appName"`
	AppInstanceID    lenient.String `json:"appInstanceId"`
	AppAssignmentID  lenient.String `json:"appAssignmentId"`
	CredentialsSetup lenient.Bool   `json:"credentialsSetup"`
	Hidden           lenient.Bool   `json:"hidden"`
	SortOrder        lenient.Int    `json:"sortOrder"`
}

// Group is an Okta group.
type Group struct {
	ID                    lenient.String   `json:"id"`
	Created               lenient.Time     `json:"created"`
	LastUpdated           lenient.Time     `json:"lastUpdated"`
	LastMembershipUpdated lenient.Time     `json:"lastMembershipUpdated"`
	ObjectClass           []lenient.String `json:"objectClass"`
	Type                  lenient.String   `json:"type"` // OKTA_GROUP, APP_GROUP, BUILT_IN
	Profile               struct {
		Name        lenient.String `json:"name"`
		Description lenient.String `json:"description"`
	} `json:"profile"`
	Raw json.RawMessage `json:"-"`
}

// User is an Okta user.
type User struct {
	ID                    lenient.String `json:"id"`
	Status                lenient.String `json:"status"` // ACTIVE, SUSPENDED, DEPROVISIONED, LOCKED_OUT...
	Created               lenient.Time   `json:"created"`
	Activated             lenient.Time   `json:"activated"`
	StatusChanged         lenient.Time   `json:"statusChanged"`
	LastLogin             lenient.Time   `json:"lastLogin"`
	LastUpdated           lenient.Time   `json:"lastUpdated"`
	PasswordChanged       lenient.Time   `json:"passwordChanged"`
	TransitioningToStatus lenient.String `json:"transitioningToStatus"`
	Type                  struct {
		ID lenient.String `json:"id"`
	} `json:"type"`
	Profile     Profile `json:"profile"`
	Credentials struct {
		Provider struct {
			Type lenient.String `json:"type"`
			Name lenient.String `json:"name"`
		} `json:"provider"`
	} `json:"credentials"`
	// ETag is the version a GET returned, for an If-Match on update.
	ETag string          `json:"-"`
	Raw  json.RawMessage `json:"-"`
}

// Login is the user's Okta login.
func (u User) Login() string { return u.Profile.Get("login") }

// Profile is a user's (or an assignment's) profile: the standard keys
// (login, email, firstName, lastName, displayName, department, title...) and
// any custom attribute the org added, so it is a map.
type Profile map[string]any

// Get returns a profile value as text ("" when absent or null).
func (p Profile) Get(key string) string {
	switch v := p[key].(type) {
	case nil:
		return ""
	case string:
		return v
	case float64, bool:
		return fmt.Sprint(v)
	case []any:
		parts := make([]string, 0, len(v))
		for _, x := range v {
			parts = append(parts, fmt.Sprint(x))
		}
		return strings.Join(parts, ", ")
	}
	b, _ := json.Marshal(p[key])
	return string(b)
}

// Name is the person's display name, else first and last name.
func (p Profile) Name() string {
	if s := p.Get("displayName"); s != "" {
		return s
	}
	return strings.TrimSpace(p.Get("firstName") + " " + p.Get("lastName"))
}

// Keys are the profile's keys, sorted, for showing every attribute.
func (p Profile) Keys() []string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// LogEvent is one System Log event.
type LogEvent struct {
	UUID                  lenient.String `json:"uuid"`
	Published             lenient.Time   `json:"published"`
	EventType             lenient.String `json:"eventType"`
	LegacyEventType       lenient.String `json:"legacyEventType"`
	Version               lenient.String `json:"version"`
	Severity              lenient.String `json:"severity"` // DEBUG, INFO, WARN, ERROR
	DisplayMessage        lenient.String `json:"displayMessage"`
	Actor                 Actor          `json:"actor"`
	Client                LogClient      `json:"client"`
	Outcome               Outcome        `json:"outcome"`
	Target                []Actor        `json:"target"`
	Transaction           Transaction    `json:"transaction"`
	DebugContext          DebugContext   `json:"debugContext"`
	AuthenticationContext AuthContext    `json:"authenticationContext"`
	SecurityContext       SecurityCtx    `json:"securityContext"`
	Request               struct {
		IPChain []IPAddress `json:"ipChain"`
	} `json:"request"`
	Raw json.RawMessage `json:"-"`
}

// Actor is who acted, or (as a target) what was acted on.
type Actor struct {
	ID            lenient.String `json:"id"`
	Type          lenient.String `json:"type"`
	AlternateID   lenient.String `json:"alternateId"`
	DisplayName   lenient.String `json:"displayName"`
	DetailEntry   map[string]any `json:"detailEntry"`
	ChangeDetails map[string]any `json:"changeDetails"`
}

// Label is the actor's login or name, whichever identifies them best.
func (a Actor) Label() string {
	switch {
	case a.AlternateID != "" && a.AlternateID != "unknown":
		return string(a.AlternateID)
	case a.DisplayName != "":
		return string(a.DisplayName)
	}
	return string(a.ID)
}

// LogClient is where the request came from.
type LogClient struct {
	UserAgent struct {
		RawUserAgent lenient.String `json:"rawUserAgent"`
		OS           lenient.String `json:"os"`
		Browser      lenient.String `json:"browser"`
	} `json:"userAgent"`
	Zone                lenient.String `json:"zone"`
	Device              lenient.String `json:"device"`
	ID                  lenient.String `json:"id"`
	IPAddress           lenient.String `json:"ipAddress"`
	GeographicalContext Geo            `json:"geographicalContext"`
}

// Geo is a location.
type Geo struct {
	City        lenient.String `json:"city"`
	State       lenient.String `json:"state"`
	Country     lenient.String `json:"country"`
	PostalCode  lenient.String `json:"postalCode"`
	Geolocation struct {
		Lat lenient.String `json:"lat"`
		Lon lenient.String `json:"lon"`
	} `json:"geolocation"`
}

// Place is "City, Country" with what is known.
func (g Geo) Place() string {
	var parts []string
	for _, s := range []lenient.String{g.City, g.Country} {
		if s != "" {
			parts = append(parts, string(s))
		}
	}
	return strings.Join(parts, ", ")
}

// Outcome is how the action ended.
type Outcome struct {
	Result lenient.String `json:"result"` // SUCCESS, FAILURE, ALLOW, DENY, CHALLENGE...
	Reason lenient.String `json:"reason"`
}

// Failed reports a failure or a denial, what the histogram highlights.
func (o Outcome) Failed() bool {
	return o.Result == "FAILURE" || o.Result == "DENY"
}

// Transaction ties the events of one request together.
type Transaction struct {
	Type   lenient.String `json:"type"`
	ID     lenient.String `json:"id"`
	Detail map[string]any `json:"detail"`
}

// DebugContext carries event-specific diagnostics.
type DebugContext struct {
	DebugData map[string]any `json:"debugData"`
}

// AuthContext is how the actor authenticated.
type AuthContext struct {
	AuthenticationProvider lenient.String `json:"authenticationProvider"`
	CredentialProvider     lenient.String `json:"credentialProvider"`
	CredentialType         lenient.String `json:"credentialType"`
	Issuer                 map[string]any `json:"issuer"`
	Interface              lenient.String `json:"interface"`
	AuthenticationStep     lenient.Int    `json:"authenticationStep"`
	ExternalSessionID      lenient.String `json:"externalSessionId"`
}

// SecurityCtx is what Okta knows of the source network.
type SecurityCtx struct {
	AsNumber lenient.Int    `json:"asNumber"`
	AsOrg    lenient.String `json:"asOrg"`
	ISP      lenient.String `json:"isp"`
	Domain   lenient.String `json:"domain"`
	IsProxy  lenient.Bool   `json:"isProxy"`
}

// IPAddress is one hop of the request's IP chain.
type IPAddress struct {
	IP                  lenient.String `json:"ip"`
	GeographicalContext Geo            `json:"geographicalContext"`
	Version             lenient.String `json:"version"` // V4, V6
	Source              lenient.String `json:"source"`
}
