package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"triage/backend/clock"
	"triage/backend/essentials"
	"triage/backend/identity"
	"triage/backend/itm"
	"triage/backend/okta"
	"triage/backend/saas"
	"triage/backend/sim"
	"triage/ui"
	"triage/views"
)

// TestNoSecretOrTokenReachesAnyOutput runs every vendor from a config that
// holds their secrets (as ${VAR} and file: references), with the debug log
// on: reads, writes, errors (wrong secrets, refused tokens, a gateway that
// echoes the request's credentials back), and the console on every tab.
// Then it searches the debug log, the audit log, every error and everything
// drawn on the screen for every secret and every token the simulators
// issued.
func TestNoSecretOrTokenReachesAnyOutput(t *testing.T) {
	s, err := sim.Start(sim.Options{Rows: 40, Clock: clock.Pin(simNow)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir := t.TempDir()
	state := stateDir(t)
	t.Setenv("XDG_STATE_HOME", state)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s.Okta.TrustKey("secrets-test", key.Public())
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	keyFile := writeFile(t, dir, "okta.pem", string(keyPEM))

	// The right secrets, and wrong ones for a second tenant of each vendor:
	// both are secrets.
	t.Setenv("TRIAGE_TEST_ITM", sim.ITMClientSecret)
	t.Setenv("TRIAGE_TEST_OKTA", sim.OktaAPIToken)
	t.Setenv("TRIAGE_TEST_WRONG_ITM", "wrong-itm-secret-4711")
	t.Setenv("TRIAGE_TEST_WRONG_ESS", "wrong-essentials-password-4711")
	saasFile := writeFile(t, dir, "saas.secret", sim.SaaSClientSecret+"\n")
	atlFile := writeFile(t, dir, "atlassian.key", sim.AtlassianSCIMKey)
	essFile := writeFile(t, dir, "essentials.password", sim.EssentialsPassword)
	wrongSaaS := writeFile(t, dir, "wrong-saas.secret", "wrong-saas-secret-4711")
	wrongOkta := writeFile(t, dir, "wrong-okta.token", "00wrong-okta-token-4711")
	wrongAtl := writeFile(t, dir, "wrong-atlassian.key", "wrong-atlassian-key-4711")
	cfgText := fmt.Sprintf(`[audit]
path = %q
[state]
dir = %q
[ui]
refresh = "0s"

[[itm]]
name = "demo"
base_url = %q
client_id = %q
client_secret = "${TRIAGE_TEST_ITM}"
[[itm]]
name = "wrong"
base_url = %q
client_id = %q
client_secret = "${TRIAGE_TEST_WRONG_ITM}"

[[saas]]
name = "demo"
base_url = %q
client_id = %q
client_secret = "file:%s"
[[saas]]
name = "wrong"
base_url = %q
client_id = %q
client_secret = "file:%s"

[[okta]]
name = "demo"
url = %q
api_token = "${TRIAGE_TEST_OKTA}"
[[okta]]
name = "svc"
url = %q
client_id = %q
private_key_file = %q
key_id = "secrets-test"
[[okta]]
name = "wrong"
url = %q
api_token = "file:%s"

[[atlassian]]
name = "demo"
base_url = %q
directory_id = %q
token = "file:%s"
[[atlassian]]
name = "wrong"
base_url = %q
directory_id = %q
token = "file:%s"

[[essentials]]
name = "demo"
base_url = %q
domain = %q
username = %q
password = "file:%s"
[[essentials]]
name = "wrong"
base_url = %q
domain = %q
username = %q
password = "${TRIAGE_TEST_WRONG_ESS}"
`, filepath.Join(dir, "audit.jsonl"), state,
		s.ITM.URL, sim.ITMClientID, s.ITM.URL, sim.ITMClientID,
		s.SaaS.URL, sim.SaaSClientID, saasFile, s.SaaS.URL, sim.SaaSClientID, wrongSaaS,
		s.Okta.URL, s.Okta.URL, sim.OktaClientID, keyFile, s.Okta.URL, wrongOkta,
		s.Atlassian.URL, sim.AtlassianDirectoryID, atlFile, s.Atlassian.URL, sim.AtlassianDirectoryID, wrongAtl,
		s.Essentials.URL, sim.Domain, sim.EssentialsUser, essFile, s.Essentials.URL, sim.Domain, sim.EssentialsUser)
	cfgPath := writeFile(t, dir, "config.toml", cfgText)
	debugPath := filepath.Join(dir, "debug.log")

	sess, err := openSession(&globals{configPath: cfgPath, debugPath: debugPath, clock: clock.Pin(simNow)}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.close()
	set := sess.backends
	secrets := sess.cfg.Secrets()
	if len(secrets) != 10 {
		t.Fatalf("%d secrets in the config, want the 10 of the tenants but the service app", len(secrets))
	}

	var errs []string
	note := func(err error) {
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	ctx := identity.With(context.Background(), identity.Analyst{Name: "alice", Role: "responder"})

	// Reads, and a check of every tenant (the wrong ones fail).
	for _, tn := range set.Tenants() {
		note(tn.Check(ctx))
	}
	page, err := set.ITM[0].Incidents(ctx, itm.Query{Limit: 10})
	if err != nil || len(page.Tickets) == 0 {
		t.Fatalf("ITM read: %v", err)
	}
	fqid := page.Tickets[0].Key()
	_, err = set.ITM[1].Incidents(ctx, itm.Query{Limit: 10})
	note(err)
	incidents, err := set.SaaS[0].Incidents(ctx, saas.Query{Limit: 10})
	if err != nil || len(incidents.Incidents) == 0 {
		t.Fatalf("SaaS read: %v", err)
	}
	_, err = set.SaaS[1].Incidents(ctx, saas.Query{Limit: 10})
	note(err)
	for _, c := range set.Okta {
		_, err := c.Users(ctx, okta.UserQuery{Limit: 5}, "")
		note(err)
		_, err = c.Logs(ctx, okta.LogQuery{}, "")
		note(err)
	}
	for _, c := range set.Atlassian {
		_, err := c.Users(ctx, 1, 5)
		note(err)
	}
	for _, c := range set.Essentials {
		_, err := c.Users(ctx)
		note(err)
	}

	// Writes, at every vendor.
	li := "li.chen@acme.example"
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("comment", set.ITM[0].Comment(ctx, fqid, "checked for secrets", ""))
	_, err = set.SaaS[0].Close(ctx, string(incidents.Incidents[0].ID), saas.Misidentified)
	must("close", err)
	must("suspend", set.Okta[1].Suspend(ctx, s.Okta.UserID(li)))
	must("unsuspend", set.Okta[1].Unsuspend(ctx, s.Okta.UserID(li)))
	atl, _, err := set.Atlassian[0].FindUser(ctx, li)
	must("find", err)
	_, err = set.Atlassian[0].Disable(ctx, string(atl.ID))
	must("disable", err)
	must("disable", set.Essentials[0].Disable(ctx, li))
	must("block", set.Essentials[0].AddSenders(ctx, "", essentials.Block, "phish.example"))
	note(set.Essentials[1].AddSenders(ctx, "", essentials.Block, "phish.example"))
	note(set.Okta[2].Suspend(ctx, s.Okta.UserID(li)))

	// Tokens revoked mid-session: each client fetches a new one.
	s.ITM.RevokeTokens()
	s.SaaS.RevokeTokens()
	s.Okta.RevokeTokens()
	_, err = set.ITM[0].Incidents(ctx, itm.Query{Limit: 10})
	must("ITM read after revocation", err)
	_, err = set.SaaS[0].Incidents(ctx, saas.Query{Limit: 10})
	must("SaaS read after revocation", err)
	_, err = set.Okta[1].Users(ctx, okta.UserQuery{Limit: 5}, "")
	must("Okta read after revocation", err)

	// A gateway that echoes the request's credentials in its error, for
	// reads and for writes.
	echo := func(server *sim.Server, path, credential string) {
		server.Inject(&sim.Fault{Path: path, Status: 400, Times: 2,
			Body: fmt.Sprintf(`{"message":"bad request with Authorization: %s and X-Password: %s"}`, credential, credential)})
	}
	itmTokens := s.ITM.IssuedTokens()
	echo(s.ITM.Server, "/v2/apis/activity/", itmTokens[len(itmTokens)-1])
	_, err = set.ITM[0].Incidents(ctx, itm.Query{Limit: 10})
	note(err)
	note(set.ITM[0].Comment(ctx, fqid, "again", ""))
	saasTokens := s.SaaS.IssuedTokens()
	echo(s.SaaS.Server, "/incident/", saasTokens[len(saasTokens)-1])
	_, err = set.SaaS[0].Incidents(ctx, saas.Query{Limit: 10})
	note(err)
	echo(s.Okta.Server, "/api/v1/users", sim.OktaAPIToken)
	_, err = set.Okta[0].Users(ctx, okta.UserQuery{Limit: 5}, "")
	note(err)
	oktaTokens := s.Okta.IssuedTokens()
	echo(s.Okta.Server, "/api/v1/users", oktaTokens[len(oktaTokens)-1])
	_, err = set.Okta[1].Users(ctx, okta.UserQuery{Limit: 5}, "")
	note(err)
	echo(s.Atlassian.Server, "/scim/", sim.AtlassianSCIMKey)
	_, err = set.Atlassian[0].Users(ctx, 1, 5)
	note(err)
	echo(s.Essentials.Server, "/api/", sim.EssentialsPassword)
	note(set.Essentials[0].Disable(ctx, li))
	for _, srv := range []*sim.Server{s.ITM.Server, s.SaaS.Server, s.Okta.Server, s.Atlassian.Server, s.Essentials.Server} {
		srv.Inject(nil)
	}
	if len(errs) < 15 {
		t.Fatalf("only %d errors were provoked: %q", len(errs), errs)
	}

	// The console, on every tab, over the same clients and debug log.
	screens := driveConsole(t, sess, debugPath)

	// Everything that must not hold a secret or token.
	debugLog, err := os.ReadFile(debugPath)
	if err != nil || len(debugLog) < 1000 {
		t.Fatalf("debug log: %v, %d bytes", err, len(debugLog))
	}
	auditLog, err := os.ReadFile(filepath.Join(dir, "audit.jsonl"))
	if err != nil || bytes.Count(auditLog, []byte("\n")) < 8 {
		t.Fatalf("audit log: %v\n%s", err, auditLog)
	}
	outputs := map[string]string{"the debug log": string(debugLog), "the audit log": string(auditLog), "the screen": screens}
	for i, e := range errs {
		outputs[fmt.Sprintf("error %d (%.60s…)", i, e)] = e
	}

	tokens := append(append(s.ITM.IssuedTokens(), s.SaaS.IssuedTokens()...), s.Okta.IssuedTokens()...)
	if len(tokens) < 6 {
		t.Fatalf("only %d tokens issued: the test would prove little", len(tokens))
	}
	keyLines := strings.Split(strings.TrimSpace(string(keyPEM)), "\n")
	searched := append(append(append([]string{}, secrets...), tokens...),
		base64.StdEncoding.EncodeToString([]byte(sim.SaaSClientID+":"+sim.SaaSClientSecret)), // the SaaS token request's Basic auth
		keyLines[1], // the service app's private key
	)
	for _, secret := range searched {
		for where, text := range outputs {
			if strings.Contains(text, secret) {
				i := strings.Index(text, secret)
				t.Errorf("%s holds the secret %q: …%s…", where, secret, text[max(i-80, 0):min(i+len(secret)+20, len(text))])
			}
		}
	}
}

// driveConsole drives the console over the session's clients: every tab, a
// comment, a tenant whose secret is wrong. It returns all it drew.
func driveConsole(t *testing.T, sess *session, debugPath string) string {
	t.Helper()
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	keys, err := views.Keys(sess.cfg.Keys)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := &views.Common{Ctx: ctx, Styles: ui.NewStyles(r, "dark"), Keys: keys, Backends: sess.backends,
		Analyst: identity.Analyst{Name: "alice", Role: "responder"}, Log: sess.logger, Notices: sess.cfg.Warnings,
		StateDir: sess.cfg.State.Dir, Clock: clock.Pin(simNow)}
	tm := teatest.NewTestModel(t, views.New(c), teatest.WithInitialTermSize(160, 40))
	// drawn is everything the program wrote; mark is where it stood when
	// the last keys were pressed, so a wait looks only at what they caused
	// (a wait may read past the text it waits for). logMark is where the
	// debug log stood then.
	var drawn bytes.Buffer
	mark, logMark := 0, 0
	wait := func(text string) {
		t.Helper()
		seen := 0
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			drawn.Write(b[seen:])
			seen = len(b)
			return bytes.Contains(drawn.Bytes()[mark:], []byte(text))
		}, teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	// failed waits until the console has put an error saying text on the
	// status line. It reads the debug log, where the console writes each
	// error it shows: the screen may never draw it, since a tenant switch
	// sends its note with the load, and a note that lands after the load's
	// error replaces it. The messages view shows them all at the end.
	failed := func(text string) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			log, _ := os.ReadFile(debugPath)
			for _, line := range strings.Split(string(log[min(logMark, len(log)):]), "\n") {
				if strings.Contains(line, `"msg":"status error"`) && strings.Contains(line, text) {
					return
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("no status error saying %q in the debug log after 15s", text)
			}
		}
	}
	press := func(keys ...string) {
		mark = drawn.Len()
		if info, err := os.Stat(debugPath); err == nil {
			logMark = int(info.Size())
		}
		for _, k := range keys {
			switch k {
			case "enter":
				tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
			case "ctrl+s":
				tm.Send(tea.KeyMsg{Type: tea.KeyCtrlS})
			case "esc":
				tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
			default:
				tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
			}
		}
	}
	wait("of 40 incidents")
	press("c")
	wait("Comment on")
	press(strings.Split("seen on screen", "")...)
	press("ctrl+s")
	wait("Comment saved")
	press("enter", "v")
	wait("Raw JSON")
	press("esc", "esc", "T")
	wait("Switch ITM tenant")
	press("w", "r", "o", "n", "g", "enter")
	failed("Invalid client credentials")
	press("2")
	wait("incidents")
	press("T")
	wait("Switch SaaS Security tenant")
	press("w", "r", "o", "n", "g", "enter")
	failed("SaaS wrong: 401")
	press("3", "4")
	wait("apps")
	press("]")
	wait("events")
	press("T")
	wait("Switch Okta org")
	press("w", "r", "o", "n", "g", "enter")
	failed("Invalid token provided")
	press("5")
	wait("ESSENTIALS")
	// Every error and note of the session, in full.
	press("!")
	for _, text := range []string{"Invalid client credentials", "SaaS wrong: 401", "Invalid token provided"} {
		wait(text)
	}
	tm.Send(tea.QuitMsg{})
	rest, err := io.ReadAll(tm.FinalOutput(t, teatest.WithFinalTimeout(10*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	drawn.Write(rest)
	return drawn.String()
}

// stateDir is a state directory for a console. The console saves the
// analyst's preferences off the key path, so a save it started before it
// quit may still be writing there when the test ends (t.TempDir's removal
// would then fail on a file appearing under it): the removal is tried again
// until the saves have landed.
func stateDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "triage-state-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			err := os.RemoveAll(dir)
			if err == nil {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("removing the state directory: %v", err)
				return
			}
		}
	})
	return dir
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
