package sim

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"triage/backend/lenient"
)

// The System Log. Events of the seven days before the epoch are a pure function
// of their position, so none is stored and Rows can pass 100,000 cheaply;
// events after it (writes through the API, live arrivals, Emit) are
// stored compactly. Positions are in time order, which makes since/until a
// binary search and the paging cursor a position.

const oktaLogSpan = 7 * 24 * time.Hour

type oktaLog struct {
	base    int // generated events
	people  int // users that existed at the start, the generated actors
	from    time.Time
	bins    []int // bins[b] is the position of the first event of 15-minute bin b
	extra   []logEntry
	arrived int
	seed    uint64
	sprayAt time.Time // start of the password-spray hour in the demo data
}

// logBin is the resolution of the log's daily rhythm.
const logBin = 15 * time.Minute

// logEntry is one event in compact form; JSON is built when it is served.
type logEntry struct {
	seq     int64
	at      time.Time
	kind    uint8
	outcome uint8 // index into the kind's outcomes
	actor   int32 // user index; -1 is the API caller
	target  int32 // user index for user targets
	app     int16 // app index, -1 for none
	group   int16 // group index, -1 for none
	place   uint8
	agent   uint8
	oauth   bool // the API caller was the service app
}

type logOutcome struct {
	result, reason, severity string
	weight                   int
}

type logKind struct {
	eventType, legacy, message string
	weight                     int
	target                     string // "", "app", "user", "group", "app+user"
	admin                      bool   // an admin acting on someone else
	outcomes                   []logOutcome
}

var succeeded = []logOutcome{{"SUCCESS", "", "INFO", 1}}

var logKinds = []logKind{
	{"user.session.start", "core.user_auth.login_success", "User login to Okta", 30, "", false, []logOutcome{
		{"SUCCESS", "", "INFO", 88}, {"FAILURE", "INVALID_CREDENTIALS", "WARN", 8}, {"FAILURE", "VERIFICATION_ERROR", "WARN", 2}, {"FAILURE", "LOCKED_OUT", "WARN", 2}}},
	{"user.authentication.sso", "app.auth.sso", "User single sign on to app", 25, "app", false, []logOutcome{
		{"SUCCESS", "", "INFO", 98}, {"FAILURE", "User is not assigned to the app", "WARN", 2}}},
	{"user.authentication.auth_via_mfa", "core.user.factor.attempt_success", "Authentication of user via MFA", 10, "", false, []logOutcome{
		{"SUCCESS", "", "INFO", 92}, {"FAILURE", "INVALID_CREDENTIALS", "WARN", 8}}},
	{"policy.evaluate_sign_on", "", "Evaluation of sign-on policy", 10, "", false, []logOutcome{
		{"ALLOW", "Sign-on policy evaluation resulted in ALLOW", "INFO", 85}, {"CHALLENGE", "Sign-on policy evaluation resulted in CHALLENGE", "INFO", 10},
		{"DENY", "Sign-on policy evaluation resulted in DENY", "WARN", 5}}},
	{"user.session.end", "core.user_auth.logout_success", "User logout from Okta", 8, "", false, succeeded},
	{"user.account.update_password", "core.user.config.password_update.success", "User update password for Okta", 3, "", false, []logOutcome{
		{"SUCCESS", "", "INFO", 90}, {"FAILURE", "Password requirements were not met", "WARN", 10}}},
	{"application.user_membership.add", "app.generic.provision.assign_user_to_app", "Add user to application membership", 2, "app+user", true, succeeded},
	{"application.user_membership.remove", "app.generic.unprovision.user_removed_from_app", "Remove user from application membership", 1, "app+user", true, succeeded},
	{"group.user_membership.add", "core.user_group_member.user_add", "Add user to group membership", 2, "group", true, succeeded},
	{"user.account.lock", "core.user.account.locked", "Max sign in attempts exceeded", 1, "user", false, []logOutcome{{"SUCCESS", "", "WARN", 1}}},
	{"security.threat.detected", "", "Request from suspicious actor", 1, "", false, []logOutcome{{"DENY", "Password Spray", "WARN", 1}}},
	{"user.mfa.factor.activate", "core.user.factor.activate", "User set up MFA factor", 1, "", false, succeeded},
	{"app.inbound_del_auth.failure", "", "Delegated authentication failed", 1, "", false, []logOutcome{{"FAILURE", "Active Directory agent is not reachable", "ERROR", 1}}},
	// What the API's writes record; never generated.
	{"user.lifecycle.create", "core.user.config.user_creation.success", "Create Okta user", 0, "user", true, succeeded},
	{"user.lifecycle.activate", "core.user.config.user_activated", "Activate Okta user", 0, "user", true, succeeded},
	{"user.lifecycle.deactivate", "core.user.config.user_deactivated", "Deactivate Okta user", 0, "user", true, succeeded},
	{"user.lifecycle.suspend", "core.user.config.user_suspended", "Suspend Okta user", 0, "user", true, succeeded},
	{"user.lifecycle.unsuspend", "core.user.config.user_unsuspended", "Unsuspend Okta user", 0, "user", true, succeeded},
	{"user.account.unlock", "core.user.config.user_unlocked", "Unlock Okta user", 0, "user", true, succeeded},
	{"user.account.reset_password", "core.user.config.password_reset", "Reset password for Okta user", 0, "user", true, succeeded},
	{"user.account.expire_password", "core.user.config.password_expired", "Expire password for Okta user", 0, "user", true, succeeded},
	{"user.account.update_profile", "core.user.config.profile_update", "Update user profile for Okta", 0, "user", true, succeeded},
	{"user.session.clear", "core.user_auth.session_clear", "Clear user session", 0, "user", true, succeeded},
	{"group.user_membership.remove", "core.user_group_member.user_remove", "Remove user from group membership", 0, "group", true, succeeded},
}

// writeKinds maps a lifecycle operation to the event it records.
var writeKinds = map[string]string{
	"user.lifecycle.unlock": "user.account.unlock", "user.lifecycle.reset_password": "user.account.reset_password",
	"user.lifecycle.expire_password": "user.account.expire_password",
	// okta-sdk-golang v5 api/openapi.yaml reactivateUser: "records the same
	// set of events as when a user is activated".
	"user.lifecycle.reactivate": "user.lifecycle.activate",
}

func kindIndex(eventType string) int {
	for i, k := range logKinds {
		if k.eventType == eventType {
			return i
		}
	}
	return -1
}

type oktaPlace struct {
	city, state, country, postal string
	lat, lon                     float64
	ip                           string // a documentation range prefix
	asn                          int
	asOrg, isp, domain           string
	proxy                        bool
}

// oktaPlaces: the people's home cities first (people.go's order), then
// where travel and attacks come from. Addresses are documentation ranges.
var oktaPlaces = []oktaPlace{
	{"London", "England", "United Kingdom", "EC1A", 51.5072, -0.1276, "198.51.100.1", 5089, "virgin media", "virgin media", "virginmedia.com", false},
	{"New York", "New York", "United States", "10001", 40.7128, -74.006, "198.51.100.2", 7922, "comcast", "comcast cable", "comcast.net", false},
	{"Berlin", "Land Berlin", "Germany", "10115", 52.52, 13.405, "198.51.100.3", 3320, "deutsche telekom ag", "deutsche telekom", "t-online.de", false},
	{"Singapore", "Singapore", "Singapore", "018956", 1.3521, 103.8198, "198.51.100.4", 9506, "singtel", "singtel fibre", "singnet.com.sg", false},
	{"Toronto", "Ontario", "Canada", "M5H", 43.6532, -79.3832, "198.51.100.5", 812, "rogers", "rogers cable", "rogers.com", false},
	{"Sydney", "New South Wales", "Australia", "2000", -33.8688, 151.2093, "198.51.100.6", 1221, "telstra", "telstra", "telstra.net", false},
	{"Madrid", "Madrid", "Spain", "28001", 40.4168, -3.7038, "198.51.100.7", 3352, "telefonica de espana", "movistar", "telefonica.es", false},
	{"Tokyo", "Tokyo", "Japan", "100-0001", 35.6762, 139.6503, "198.51.100.8", 2516, "kddi", "kddi", "kddi.ne.jp", false},
	{"Lagos", "Lagos", "Nigeria", "100001", 6.5244, 3.3792, "198.51.100.9", 29465, "mtn nigeria", "mtn", "mtnonline.com", false},
	{"Sao Paulo", "Sao Paulo", "Brazil", "01000", -23.5505, -46.6333, "198.51.100.10", 28573, "claro", "claro nxt", "claro.com.br", false},
	{"Ashburn", "Virginia", "United States", "20147", 39.0438, -77.4874, "203.0.113.1", 14618, "amazon.com", "amazon", "amazonaws.com", false},
	{"Amsterdam", "North Holland", "Netherlands", "1012", 52.3676, 4.9041, "192.0.2.6", 9009, "m247 europe", "anonymous vpn", "m247.com", true},
}

const sprayPlace = 11

var userAgents = []struct{ raw, os, browser string }{
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36", "Windows 10", "CHROME"},
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "Mac OS X", "SAFARI"},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0", "Windows 10", "EDGE_CHROMIUM"},
	{"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Linux", "FIREFOX"},
	{"OktaVerify/9.30.0 (iPhone; iOS 18.1)", "iOS", "UNKNOWN"},
	{"python-requests/2.32.3", "Unknown", "UNKNOWN"},
}

const sprayAgent = 5

func newOktaLog(s *Okta) oktaLog {
	n := s.opts.Rows
	if n <= 0 {
		n = 5000
	}
	l := oktaLog{base: n, people: len(s.users), from: s.opts.epoch.Add(-oktaLogSpan), seed: s.opts.Seed, sprayAt: s.opts.epoch.Add(-20 * time.Hour)}
	l.spread()
	return l
}

// spread shares the events among 15-minute bins the way a working org's
// log looks: busy office hours, quiet nights and weekends, and one hour of
// password spray, so the histogram has a shape to show.
func (l *oktaLog) spread() {
	nb := int(oktaLogSpan / logBin)
	weights := make([]float64, nb)
	sum := 0.0
	hourly := []float64{.15, .15, .15, .15, .15, .15, .2, .4, .8, 1, 1, 1, 1, 1, 1, 1, 1, .7, .5, .3, .3, .3, .25, .2}
	for b := range weights {
		at := l.from.Add(time.Duration(b) * logBin).UTC()
		w := hourly[at.Hour()]
		if d := at.Weekday(); d == time.Saturday || d == time.Sunday {
			w *= .35
		}
		if !at.Before(l.sprayAt.Add(-logBin)) && at.Before(l.sprayAt.Add(time.Hour)) {
			w += 1.5
		}
		weights[b] = w
		sum += w
	}
	l.bins = make([]int, nb+1)
	acc := 0.0
	for b, w := range weights {
		l.bins[b] = int(acc / sum * float64(l.base))
		acc += w
	}
	l.bins[nb] = l.base
}

// baseAt is when generated event i happened: its own slot of its bin, so
// times never go backwards.
func (l *oktaLog) baseAt(i int) time.Time {
	b := sort.Search(len(l.bins)-1, func(b int) bool { return l.bins[b+1] > i })
	n := l.bins[b+1] - l.bins[b]
	slot := float64(i-l.bins[b]) + float64(mix(uint64(i)^l.seed<<20)%1000)/1000
	off := time.Duration(b)*logBin + time.Duration(slot/float64(n)*float64(logBin))
	return l.from.Add(off).Truncate(time.Millisecond)
}

func (l *oktaLog) total() int { return l.base + len(l.extra) }

func (l *oktaLog) at(i int) time.Time {
	if i < l.base {
		return l.baseAt(i)
	}
	return l.extra[i-l.base].at
}

// search is the first position at or after t.
func (l *oktaLog) search(t time.Time) int {
	return sort.Search(l.total(), func(i int) bool { return !l.at(i).Before(t) })
}

func pickWeighted(x uint64, weights func(i int) int, n int) int {
	total := 0
	for i := 0; i < n; i++ {
		total += weights(i)
	}
	r := int(x % uint64(total))
	for i := 0; i < n; i++ {
		if r -= weights(i); r < 0 {
			return i
		}
	}
	return 0
}

// generate builds event i of the seven days; seq names it.
func (l *oktaLog) generate(i int, seq int64, at time.Time, s *Okta) logEntry {
	x := mix(uint64(seq)*0x9e3779b97f4a7c15 ^ l.seed)
	e := logEntry{seq: seq, at: at, actor: -1, target: -1, app: -1, group: -1}
	e.kind = uint8(pickWeighted(x, func(k int) int { return logKinds[k].weight }, len(logKinds)))
	if x>>16%20 == 0 {
		e.actor = 0 // li.chen is busy: pivots from her tickets find her here
	} else {
		e.actor = int32(x >> 24 % uint64(l.people))
	}
	k := logKinds[e.kind]
	e.outcome = uint8(pickWeighted(x>>8, func(o int) int { return k.outcomes[o].weight }, len(k.outcomes)))
	home := homePlace(PersonAt(int(e.actor)).City)
	e.place = uint8(home)
	if x>>40%25 == 0 {
		e.place = uint8(x >> 44 % uint64(len(oktaPlaces)-1)) // travelling
	}
	e.agent = uint8(x >> 48 % uint64(len(userAgents)-1))
	switch k.target {
	case "app", "app+user":
		e.app = int16(x >> 32 % uint64(len(s.apps)))
	case "group":
		e.group = int16(1 + x>>32%uint64(oktaBaseGroups-1)) // the project groups came later: the old log stays as it was
	}
	if k.admin {
		e.target = e.actor
		e.actor = int32(5 % l.people) // an Okta administrator (group rule i%41 == 5)
	} else if k.target == "user" {
		e.target = e.actor
	}
	// One hour of the demo data is a password spray from one VPN address:
	// a wall of failed sign-ins for the histogram to show.
	if !at.Before(l.sprayAt) && at.Before(l.sprayAt.Add(time.Hour)) && x>>56%10 < 7 {
		e.kind, e.outcome = 0, 1
		e.place, e.agent = sprayPlace, sprayAgent
		e.app, e.group, e.target = -1, -1, -1
		e.actor = int32(x >> 24 % uint64(l.people))
	}
	return e
}

func homePlace(city string) int {
	for i, p := range oktaPlaces {
		if p.city == city {
			return i
		}
	}
	return 0
}

func (l *oktaLog) entry(i int, s *Okta) logEntry {
	if i < l.base {
		return l.generate(i, int64(i), l.baseAt(i), s)
	}
	return l.extra[i-l.base]
}

// arrive adds the events that "happened" since the last look, one every
// three seconds, when the simulator is live. Callers hold s.mu for writing,
// and call it before any other event is added so times stay in order.
func (l *oktaLog) arrive(s *Okta) {
	if !s.opts.Live {
		return
	}
	due := int(s.now().Sub(s.opts.epoch) / (3 * time.Second))
	for l.arrived < due {
		l.arrived++
		seq := int64(l.base) + 1_000_000 + int64(l.arrived)
		l.extra = append(l.extra, l.generate(0, seq, s.opts.epoch.Add(time.Duration(l.arrived)*3*time.Second), s))
	}
}

// record adds the event of a write made through the API, its actor the
// caller. Callers hold s.mu for writing.
func (l *oktaLog) record(s *Okta, r *http.Request, eventType string, user int) {
	if t, ok := writeKinds[eventType]; ok {
		eventType = t
	}
	k := kindIndex(eventType)
	if k < 0 {
		return
	}
	l.arrive(s)
	e := logEntry{seq: int64(l.base) + 2_000_000 + int64(len(l.extra)), at: s.now().Truncate(time.Millisecond), kind: uint8(k),
		actor: -1, target: int32(user), app: -1, group: -1, place: 10, agent: sprayAgent,
		oauth: strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ")}
	l.extra = append(l.extra, e)
}

// Emit adds an event that happens now: eventType one of the simulated
// types, actor a login, result one of that type's outcomes ("" for its
// first). It returns the event's uuid, for tests of tailing.
func (s *Okta) Emit(eventType, actor, result string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := kindIndex(eventType)
	u := s.findUser(actor)
	if k < 0 || u == nil {
		return ""
	}
	s.log.arrive(s)
	city, _ := s.profile(u)["city"].(string)
	e := logEntry{seq: int64(s.log.base) + 3_000_000 + int64(len(s.log.extra)), at: s.now().Truncate(time.Millisecond), kind: uint8(k),
		actor: int32(u.idx), target: -1, app: -1, group: -1, place: uint8(homePlace(city))}
	for i, o := range logKinds[k].outcomes {
		if strings.EqualFold(o.result, result) {
			e.outcome = uint8(i)
			break
		}
	}
	if logKinds[k].target == "app" {
		e.app = 0
	}
	s.log.extra = append(s.log.extra, e)
	return s.log.uuid(e.seq)
}

// LogSize is how many events the System Log holds now.
func (s *Okta) LogSize() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.log.total()
}

func (l *oktaLog) uuid(seq int64) string {
	a, b := mix(uint64(seq)^l.seed^0xabcdef), mix(uint64(seq)+0x1234567)
	return fmt.Sprintf("%08x-%04x-11ef-%04x-%012x", uint32(a), uint16(a>>32), uint16(b)&0x3fff|0x8000, b>>16&0xffffffffffff)
}

// --- the event's fields --------------------------------------------------

// serviceActor is who the API's writes are recorded as.
func serviceActor(oauth bool) simActor {
	if oauth {
		return simActor{ID: OktaClientID, Type: "PublicClientApp", AlternateID: OktaClientID, DisplayName: "triage"}
	}
	return simActor{ID: "00usvc0triage0admin1", Type: "User", AlternateID: "svc-triage@" + Domain, DisplayName: "triage service account"}
}

func (s *Okta) userActor(i int32) simActor {
	if i < 0 || int(i) >= len(s.users) {
		return simActor{ID: "unknown", Type: "User", AlternateID: "unknown", DisplayName: "unknown"}
	}
	u := s.users[i]
	return simActor{ID: u.id, Type: "User", AlternateID: u.login, DisplayName: s.displayName(u)}
}

func (s *Okta) displayName(u *oktaUser) string {
	if v, ok := u.profile["displayName"].(string); ok {
		return v
	}
	if u.person >= 0 {
		return s.opts.taint(PersonAt(u.person).Name(), u.person)
	}
	f, _ := u.profile["firstName"].(string)
	l, _ := u.profile["lastName"].(string)
	return strings.TrimSpace(f + " " + l)
}

func (s *Okta) actorOf(e logEntry) simActor {
	if e.actor < 0 {
		return serviceActor(e.oauth)
	}
	return s.userActor(e.actor)
}

func (s *Okta) targetsOf(e logEntry) []simActor {
	out := []simActor{}
	if e.app >= 0 && int(e.app) < len(s.apps) {
		a := s.apps[e.app]
		out = append(out, simActor{ID: a.id, Type: "AppInstance", AlternateID: a.label, DisplayName: a.label})
	}
	if e.group >= 0 && int(e.group) < len(s.groups) {
		g := s.groups[e.group]
		out = append(out, simActor{ID: g.id, Type: "UserGroup", AlternateID: g.name, DisplayName: g.name})
	}
	if e.target >= 0 {
		out = append(out, s.userActor(e.target))
	}
	return out
}

func (l *oktaLog) ip(e logEntry) string {
	p := oktaPlaces[e.place]
	if e.place == sprayPlace {
		return p.ip + "6"
	}
	return p.ip + strconv.Itoa(int(mix(uint64(e.actor)+uint64(e.place))%9)+1)
}

var logAttrs = map[string]bool{
	"uuid": true, "published": true, "eventType": true, "legacyEventType": true, "severity": true, "displayMessage": true,
	"actor.id": true, "actor.type": true, "actor.alternateId": true, "actor.displayName": true,
	"target.id": true, "target.type": true, "target.alternateId": true, "target.displayName": true,
	"outcome.result": true, "outcome.reason": true, "client.ipAddress": true, "client.zone": true, "client.device": true,
	"client.userAgent.browser": true, "client.userAgent.os": true, "client.userAgent.rawUserAgent": true,
	"client.geographicalContext.city": true, "client.geographicalContext.state": true, "client.geographicalContext.country": true,
	"transaction.id": true, "authenticationContext.externalSessionId": true, "securityContext.isProxy": true,
}

// values are an event's values for a filter attribute.
func (s *Okta) values(e logEntry, attr string) []string {
	k := logKinds[e.kind]
	o := k.outcomes[e.outcome]
	p := oktaPlaces[e.place]
	switch attr {
	case "uuid":
		return []string{s.log.uuid(e.seq)}
	case "published":
		return []string{e.at.UTC().Format("2006-01-02T15:04:05.000Z")}
	case "eventType":
		return []string{k.eventType}
	case "legacyEventType":
		return []string{k.legacy}
	case "severity":
		return []string{o.severity}
	case "displayMessage":
		return []string{k.message}
	case "outcome.result":
		return []string{o.result}
	case "outcome.reason":
		return []string{o.reason}
	case "client.ipAddress":
		return []string{s.log.ip(e)}
	case "client.zone":
		return []string{"null"}
	case "client.device":
		return []string{"Computer"}
	case "client.userAgent.browser":
		return []string{userAgents[e.agent].browser}
	case "client.userAgent.os":
		return []string{userAgents[e.agent].os}
	case "client.userAgent.rawUserAgent":
		return []string{userAgents[e.agent].raw}
	case "client.geographicalContext.city":
		return []string{p.city}
	case "client.geographicalContext.state":
		return []string{p.state}
	case "client.geographicalContext.country":
		return []string{p.country}
	case "transaction.id":
		return []string{s.transaction(e)}
	case "authenticationContext.externalSessionId":
		return []string{s.session(e)}
	case "securityContext.isProxy":
		return []string{strconv.FormatBool(p.proxy)}
	}
	if field, ok := strings.CutPrefix(attr, "actor."); ok {
		return []string{actorField(s.actorOf(e), field)}
	}
	if field, ok := strings.CutPrefix(attr, "target."); ok {
		var out []string
		for _, t := range s.targetsOf(e) {
			out = append(out, actorField(t, field))
		}
		return out
	}
	return nil
}

func actorField(a simActor, field string) string {
	switch field {
	case "id":
		return a.ID
	case "type":
		return a.Type
	case "alternateId":
		return a.AlternateID
	}
	return a.DisplayName
}

func (s *Okta) transaction(e logEntry) string {
	return "Z" + oktaID("", uint64(e.seq), 77)[:19]
}

func (s *Okta) session(e logEntry) string {
	return "102" + oktaID("", uint64(e.actor)+500, uint64(e.at.Unix()/3600))
}

// matchesKeywords is Okta's q: every keyword appears somewhere in the
// event, in any case.
func (s *Okta) matchesKeywords(e logEntry, words []string) bool {
	if len(words) == 0 {
		return true
	}
	var hay strings.Builder
	for _, a := range []string{"eventType", "displayMessage", "actor.alternateId", "actor.displayName", "target.alternateId",
		"target.displayName", "outcome.result", "outcome.reason", "client.ipAddress", "client.geographicalContext.city",
		"client.geographicalContext.country", "severity"} {
		for _, v := range s.values(e, a) {
			hay.WriteString(strings.ToLower(v))
			hay.WriteByte(' ')
		}
	}
	text := hay.String()
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// --- the endpoint --------------------------------------------------------

func (s *Okta) logs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := pageLimit(q, 100, 1000)
	if err != nil {
		s.invalid(w, err.Error())
		return
	}
	desc := false
	switch q.Get("sortOrder") {
	case "", "ASCENDING":
	case "DESCENDING":
		desc = true
	default:
		s.invalid(w, "sortOrder: must be ASCENDING or DESCENDING")
		return
	}
	var since, until time.Time
	for _, p := range []struct {
		name string
		to   *time.Time
	}{{"since", &since}, {"until", &until}} {
		if v := q.Get(p.name); v != "" {
			t, ok := lenient.ParseTime(v)
			if !ok || !strings.Contains(v, "T") {
				s.invalid(w, p.name+": "+v+" is not an ISO 8601 date-time")
				return
			}
			*p.to = t
		}
	}
	var match scimFilter
	if f := q.Get("filter"); f != "" {
		if match, err = compileSCIM(f, func(a string) bool { return logAttrs[a] }); err != nil {
			s.invalid(w, "filter: Invalid filter expression: "+err.Error())
			return
		}
	}
	words := strings.Fields(strings.ToLower(q.Get("q")))
	if len(words) > 10 {
		s.invalid(w, "q: at most 10 keywords")
		return
	}
	for _, word := range words {
		if len(word) > 40 {
			s.invalid(w, "q: keywords are at most 40 characters")
			return
		}
	}
	cursor, hasCursor := 0, false
	if a := q.Get("after"); a != "" {
		if cursor, err = strconv.Atoi(a); err != nil || cursor < -1 {
			s.invalid(w, "after: not a cursor this org issued")
			return
		}
		hasCursor = true
	}

	s.mu.Lock()
	s.log.arrive(s)
	s.mu.Unlock()
	s.mu.RLock()
	defer s.mu.RUnlock()
	l := &s.log
	polling := until.IsZero()
	if polling {
		until = s.now().Add(time.Millisecond)
	}
	if since.IsZero() {
		since = until.Add(-oktaLogSpan)
	}
	lo, hi := l.search(since), l.search(until)
	page := make([]simEvent, 0, min(limit, 1000))
	keep := func(i int) bool {
		e := l.entry(i, s)
		if match != nil && !match(func(a string) []string { return s.values(e, a) }) {
			return false
		}
		if !s.matchesKeywords(e, words) {
			return false
		}
		page = append(page, s.renderEvent(e))
		return true
	}
	next := ""
	if !desc {
		i := lo
		if hasCursor && cursor > i {
			i = cursor
		}
		for ; i < hi && len(page) < limit; i++ {
			keep(i)
		}
		if polling || i < hi {
			next = strconv.Itoa(i) // polling: where later events will appear
		}
	} else {
		i := hi - 1
		if hasCursor && cursor < i {
			i = cursor // -1 when every event has been read
		}
		for ; i >= lo && len(page) < limit; i-- {
			keep(i)
		}
		if polling || i >= lo {
			next = strconv.Itoa(max(i, -1))
		}
	}
	s.setLinks(w, r, next)
	writeJSON(w, http.StatusOK, page)
}

// --- JSON shape ----------------------------------------------------------

type simActor struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	AlternateID string `json:"alternateId"`
	DisplayName string `json:"displayName"`
	DetailEntry any    `json:"detailEntry"`
}

type simGeo struct {
	City        string `json:"city"`
	State       string `json:"state"`
	Country     string `json:"country"`
	PostalCode  string `json:"postalCode"`
	Geolocation struct {
		Lat float64 `json:"lat"`
		Lon float64 `json:"lon"`
	} `json:"geolocation"`
}

type simEvent struct {
	Actor  simActor `json:"actor"`
	Client struct {
		UserAgent struct {
			RawUserAgent string `json:"rawUserAgent"`
			OS           string `json:"os"`
			Browser      string `json:"browser"`
		} `json:"userAgent"`
		Zone                string `json:"zone"`
		Device              string `json:"device"`
		ID                  any    `json:"id"`
		IPAddress           string `json:"ipAddress"`
		GeographicalContext simGeo `json:"geographicalContext"`
	} `json:"client"`
	Device                any `json:"device"`
	AuthenticationContext struct {
		AuthenticationProvider any    `json:"authenticationProvider"`
		CredentialProvider     any    `json:"credentialProvider"`
		CredentialType         any    `json:"credentialType"`
		Issuer                 any    `json:"issuer"`
		Interface              any    `json:"interface"`
		AuthenticationStep     int    `json:"authenticationStep"`
		ExternalSessionID      string `json:"externalSessionId"`
	} `json:"authenticationContext"`
	DisplayMessage string `json:"displayMessage"`
	EventType      string `json:"eventType"`
	Outcome        struct {
		Result string `json:"result"`
		Reason any    `json:"reason"`
	} `json:"outcome"`
	Published       string `json:"published"`
	SecurityContext struct {
		AsNumber int    `json:"asNumber"`
		AsOrg    string `json:"asOrg"`
		ISP      string `json:"isp"`
		Domain   string `json:"domain"`
		IsProxy  bool   `json:"isProxy"`
	} `json:"securityContext"`
	Severity     string `json:"severity"`
	DebugContext struct {
		DebugData map[string]string `json:"debugData"`
	} `json:"debugContext"`
	LegacyEventType any `json:"legacyEventType"`
	Transaction     struct {
		Type   string         `json:"type"`
		ID     string         `json:"id"`
		Detail map[string]any `json:"detail"`
	} `json:"transaction"`
	UUID    string `json:"uuid"`
	Version string `json:"version"`
	Request struct {
		IPChain []struct {
			IP                  string `json:"ip"`
			GeographicalContext simGeo `json:"geographicalContext"`
			Version             string `json:"version"`
			Source              any    `json:"source"`
		} `json:"ipChain"`
	} `json:"request"`
	Target []simActor `json:"target"`
}

func (s *Okta) renderEvent(e logEntry) simEvent {
	k := logKinds[e.kind]
	o := k.outcomes[e.outcome]
	p := oktaPlaces[e.place]
	ua := userAgents[e.agent]
	ip := s.log.ip(e)
	geo := simGeo{City: p.city, State: p.state, Country: p.country, PostalCode: p.postal}
	geo.Geolocation.Lat, geo.Geolocation.Lon = p.lat, p.lon
	var ev simEvent
	ev.Actor = s.actorOf(e)
	ev.Client.UserAgent.RawUserAgent = s.opts.taint(ua.raw, int(e.seq))
	ev.Client.UserAgent.OS, ev.Client.UserAgent.Browser = ua.os, ua.browser
	ev.Client.Zone, ev.Client.Device, ev.Client.IPAddress, ev.Client.GeographicalContext = "null", "Computer", ip, geo
	ev.AuthenticationContext.ExternalSessionID = s.session(e)
	if k.eventType == "user.session.start" || k.eventType == "user.authentication.auth_via_mfa" {
		ev.AuthenticationContext.AuthenticationProvider = "OKTA_AUTHENTICATION_PROVIDER"
		ev.AuthenticationContext.CredentialType = "PASSWORD"
	}
	ev.DisplayMessage, ev.EventType = k.message, k.eventType
	ev.Outcome.Result = o.result
	if o.reason != "" {
		ev.Outcome.Reason = o.reason
	}
	ev.Published = e.at.UTC().Format("2006-01-02T15:04:05.000Z")
	ev.SecurityContext.AsNumber, ev.SecurityContext.AsOrg, ev.SecurityContext.ISP = p.asn, p.asOrg, p.isp
	ev.SecurityContext.Domain, ev.SecurityContext.IsProxy = p.domain, p.proxy
	ev.Severity = o.severity
	tx := s.transaction(e)
	ev.DebugContext.DebugData = map[string]string{"requestId": tx, "requestUri": requestURI(k, s, e), "url": requestURI(k, s, e) + "?",
		"threatSuspected": strconv.FormatBool(e.place == sprayPlace)}
	if e.place == sprayPlace {
		ev.DebugContext.DebugData["behaviors"] = "{New Geo-Location=POSITIVE, New Device=POSITIVE, New IP=POSITIVE, Velocity=POSITIVE}"
	}
	if k.legacy != "" {
		ev.LegacyEventType = k.legacy
	}
	ev.Transaction.Type, ev.Transaction.ID, ev.Transaction.Detail = "WEB", tx, map[string]any{}
	ev.UUID, ev.Version = s.log.uuid(e.seq), "0"
	ev.Request.IPChain = append(ev.Request.IPChain, struct {
		IP                  string `json:"ip"`
		GeographicalContext simGeo `json:"geographicalContext"`
		Version             string `json:"version"`
		Source              any    `json:"source"`
	}{ip, geo, "V4", nil})
	ev.Target = s.targetsOf(e)
	return ev
}

func requestURI(k logKind, s *Okta, e logEntry) string {
	switch {
	case e.app >= 0 && int(e.app) < len(s.apps):
		a := s.apps[e.app]
		return "/app/" + a.name + "/" + a.id + "/sso/saml"
	case strings.HasPrefix(k.eventType, "user.lifecycle") || strings.HasPrefix(k.eventType, "user.account.") && k.weight == 0:
		return "/api/v1/users"
	}
	return "/idp/idx/identify"
}
