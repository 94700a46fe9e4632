package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const full = `
[ui]
refresh = "60s"
theme = "auto"

[audit]
path = "~/.local/state/triage/audit.jsonl"

[[itm]]
name = "prod"
base_url = "https://tenant.explore.proofpoint.com/"
api_version = "v2"
client_id = "abc"
client_secret = "${TRIAGE_TEST_ITM_SECRET}"
statuses = [ { id = "3e37bcdb-1", title = "Resolved" } ]
timeout = "30s"
ca_file = ""
insecure_skip_verify = false
proxy = ""

[[itm]]
name = "eu"
base_url = "https://eu.explore.proofpoint.com"
client_id = "def"
client_secret = "literal-secret"
`

func write(t *testing.T, text string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(p, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func problems(t *testing.T, err error) []Problem {
	t.Helper()
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("want *config.Error, got %v", err)
	}
	return ce.Problems
}

func TestLoadFullConfigWithDefaultsAndSecrets(t *testing.T) {
	t.Setenv("TRIAGE_TEST_ITM_SECRET", "s3cret")
	home, _ := os.UserHomeDir()
	cfg, err := Load(write(t, full, 0o600))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.ITM) != 2 {
		t.Fatalf("want 2 ITM tenants, got %d", len(cfg.ITM))
	}
	prod := cfg.ITM[0]
	if prod.ClientSecret.Reveal() != "s3cret" {
		t.Fatalf("secret not resolved from the environment: %q", prod.ClientSecret.Reveal())
	}
	if prod.BaseURL != "https://tenant.explore.proofpoint.com" {
		t.Fatalf("trailing slash not trimmed: %q", prod.BaseURL)
	}
	if prod.Statuses[0].Title != "Resolved" || prod.Timeout.Duration != 30*time.Second {
		t.Fatalf("statuses or timeout wrong: %+v", prod)
	}
	if cfg.ITM[1].APIVersion != "v2" || cfg.ITM[1].Timeout.Duration != DefaultTimeout {
		t.Fatalf("defaults not applied to the second tenant: %+v", cfg.ITM[1])
	}
	if want := filepath.Join(home, ".local/state/triage/audit.jsonl"); cfg.Audit.Path != want {
		t.Fatalf("audit path %q, want %q", cfg.Audit.Path, want)
	}
	if cfg.UI.Refresh.Duration != time.Minute {
		t.Fatalf("refresh = %s", cfg.UI.Refresh)
	}
	if got := cfg.Secrets(); len(got) != 2 {
		t.Fatalf("Secrets() = %d values", len(got))
	}
}

func TestRefreshZeroTurnsAutoRefreshOff(t *testing.T) {
	cfg, err := Parse("c.toml", []byte("[ui]\nrefresh = \"0s\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.UI.Refresh.Duration != 0 {
		t.Fatalf("refresh = %s, want 0", cfg.UI.Refresh)
	}
	cfg, _ = Parse("c.toml", nil)
	if cfg.UI.Refresh.Duration != DefaultRefresh {
		t.Fatalf("absent refresh = %s, want default", cfg.UI.Refresh)
	}
}

func TestSyntaxErrorNamesFileAndLine(t *testing.T) {
	p := write(t, "[ui]\ntheme = \"dark\"\nrefresh = 60s\n", 0o600)
	_, err := Load(p)
	ps := problems(t, err)
	if ps[0].Line != 3 {
		t.Fatalf("line = %d, want 3: %v", ps[0].Line, err)
	}
	if !strings.HasPrefix(err.Error(), p+":3:") {
		t.Fatalf("message does not start with file:line: %q", err)
	}
}

func TestMissingEnvVarNamesLineKeyAndFix(t *testing.T) {
	os.Unsetenv("TRIAGE_TEST_NOT_SET")
	text := "[[itm]]\nname = \"prod\"\nbase_url = \"https://t.explore.proofpoint.com\"\nclient_id = \"x\"\nclient_secret = \"${TRIAGE_TEST_NOT_SET}\"\n"
	_, err := Parse("c.toml", []byte(text))
	ps := problems(t, err)
	if len(ps) != 1 || ps[0].Line != 5 || ps[0].Key != "itm[0].client_secret" {
		t.Fatalf("problems = %+v", ps)
	}
	msg := err.Error()
	for _, want := range []string{"c.toml:5:", "TRIAGE_TEST_NOT_SET is not set", "export TRIAGE_TEST_NOT_SET"} {
		if !strings.Contains(msg, want) {
			t.Fatalf("%q lacks %q", msg, want)
		}
	}
}

func TestFileSecretAndItsPermissions(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "okta.token")
	os.WriteFile(secret, []byte("tok-123\n"), 0o644)
	text := "[[okta]]\nname = \"prod\"\nurl = \"https://acme.okta.com\"\napi_token = \"file:" + secret + "\"\n"
	cfg, err := Parse("c.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Okta[0].APIToken.Reveal() != "tok-123" {
		t.Fatalf("token = %q", cfg.Okta[0].APIToken.Reveal())
	}
	if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0], "0644") {
		t.Fatalf("want a mode warning, got %q", cfg.Warnings)
	}

	text = strings.Replace(text, secret, filepath.Join(dir, "missing"), 1)
	_, err = Parse("c.toml", []byte(text))
	if ps := problems(t, err); ps[0].Line != 4 || !strings.Contains(ps[0].Msg, "does not exist") {
		t.Fatalf("problems = %+v", ps)
	}
}

func TestUnknownKeySuggestsTheRightOne(t *testing.T) {
	text := "[[saas]]\nname = \"us\"\nbase_url = \"https://api.aperture.paloaltonetworks.com\"\nclient_id = \"x\"\nclient_secert = \"y\"\n"
	_, err := Parse("c.toml", []byte(text))
	ps := problems(t, err)
	var found bool
	for _, p := range ps {
		if p.Key == "saas.client_secert" {
			found = true
			if p.Line != 5 || !strings.Contains(p.Fix, `"client_secret"`) {
				t.Fatalf("unknown key problem = %+v", p)
			}
		}
	}
	if !found {
		t.Fatalf("unknown key not reported: %v", err)
	}
}

func TestValidationNamesEveryProblem(t *testing.T) {
	text := `[ui]
theme = "neon"

[[itm]]
base_url = "tenant.explore.proofpoint.com"
client_secret = "x"
api_version = "v9"

[[essentials]]
name = "acme"
base_url = "https://us1.proofpointessentials.com"
domain = "acme.com"
username = "admin"
password = "p"
`
	_, err := Parse("c.toml", []byte(text))
	got := map[string]int{}
	for _, p := range problems(t, err) {
		got[p.Key] = p.Line
	}
	want := map[string]int{
		"ui.theme":               2,
		"itm[0].name":            4,
		"itm[0].base_url":        5,
		"itm[0].client_id":       4,
		"itm[0].api_version":     7,
		"essentials[0].username": 13,
	}
	for k, line := range want {
		if got[k] != line {
			t.Errorf("%s: line %d, want %d (all: %v)", k, got[k], line, got)
		}
	}
}

func TestWorldReadableConfigWithLiteralSecretWarns(t *testing.T) {
	t.Setenv("TRIAGE_TEST_ITM_SECRET", "s")
	p := write(t, full, 0o644)
	cfg, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) == 0 || !strings.Contains(cfg.Warnings[0], "chmod 600") {
		t.Fatalf("warnings = %q", cfg.Warnings)
	}
	// Only references, no literal secret: nothing to warn about.
	p = write(t, strings.Replace(full, `"literal-secret"`, `"${TRIAGE_TEST_ITM_SECRET}"`, 1), 0o644)
	cfg, err = Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 0 {
		t.Fatalf("unexpected warnings %q", cfg.Warnings)
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := Secret("hunter2")
	for _, out := range []string{s.String(), s.GoString()} {
		if strings.Contains(out, "hunter2") {
			t.Fatalf("secret printed: %q", out)
		}
	}
	b, _ := s.MarshalText()
	if strings.Contains(string(b), "hunter2") {
		t.Fatal("secret marshalled")
	}
}

func TestFindOrder(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("TRIAGE_CONFIG", "")
	if _, found := Find(""); found {
		t.Fatal("found a config in an empty XDG dir")
	}
	os.MkdirAll(filepath.Join(dir, "triage"), 0o700)
	xdg := filepath.Join(dir, "triage", "config.toml")
	os.WriteFile(xdg, nil, 0o600)
	if p, found := Find(""); !found || p != xdg {
		t.Fatalf("Find = %q %v", p, found)
	}
	t.Setenv("TRIAGE_CONFIG", "/env.toml")
	if p, _ := Find(""); p != "/env.toml" {
		t.Fatalf("env not preferred: %q", p)
	}
	if p, _ := Find("/flag.toml"); p != "/flag.toml" {
		t.Fatalf("flag not preferred: %q", p)
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "90s": 90 * time.Second, "1h30m": 90 * time.Minute} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "d", "7x", "1.5d"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(full))
	f.Add([]byte("[[itm]]\nname=1\n"))
	f.Add([]byte("[ssh]\n[[ssh.analysts]]\nrole='x'\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.toml", data)
		if err == nil && cfg == nil {
			t.Fatal("nil config without error")
		}
		if err != nil && err.Error() == "" {
			t.Fatal("empty error message")
		}
	})
}

func TestSSHAnalystsAreValidated(t *testing.T) {
	text := `[ssh]
listen = "127.0.0.1:2222"

[[ssh.analysts]]
name = "alice"
role = "responder"
keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq0dM6M2F3Kzr+qrl7FhJ5T2N0XYtb1ikqNmYw0CRmw alice@laptop"]

[[ssh.analysts]]
name = "bob"
role = "admin"
keys = ["not a key"]
`
	_, err := Parse("c.toml", []byte(text))
	got := map[string]int{}
	for _, p := range problems(t, err) {
		got[p.Key] = p.Line
	}
	if got["ssh.analysts[1].role"] != 11 || got["ssh.analysts[1].keys"] != 12 || len(got) != 2 {
		t.Fatalf("problems: %v", got)
	}
}

// The example config must load as is (with its secrets in the environment):
// every key it shows is a real key.
func TestExampleConfigLoads(t *testing.T) {
	for _, v := range []string{"ITM_CLIENT_SECRET", "SAAS_CLIENT_SECRET", "OKTA_API_TOKEN", "ATLASSIAN_SCIM_TOKEN", "PPE_PASSWORD"} {
		t.Setenv(v, "x-"+v)
	}
	data, err := os.ReadFile("../../config.toml.example")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse("config.toml.example", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.ITM) != 1 || len(cfg.SaaS) != 1 || len(cfg.Okta) != 1 || len(cfg.Atlassian) != 1 || len(cfg.Essentials) != 1 || len(cfg.SSH.Analysts) != 1 {
		t.Fatalf("example tenants: %+v", cfg)
	}
	if cfg.ITM[0].Query != "since:30d" || cfg.SaaS[0].Query != "state:open since:90d" {
		t.Fatalf("start queries: %q, %q", cfg.ITM[0].Query, cfg.SaaS[0].Query)
	}
}

func TestKeysAndSavedViews(t *testing.T) {
	text := `[keys]
comment = "C"
quit = ["q", "ctrl+q"]

[[views]]
name = "open criticals"
tab = "itm"
query = "status:new severity:critical"
filter = "finance"

[[views]]
name = "failed logins"
tab = "okta-logs"
query = 'filter:"outcome.result eq \"FAILURE\""'
`
	cfg, err := Parse("c.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Keys["comment"]) != 1 || cfg.Keys["comment"][0] != "C" || len(cfg.Keys["quit"]) != 2 {
		t.Fatalf("keys %v", cfg.Keys)
	}
	if len(cfg.Views) != 2 || cfg.Views[0].Query != "status:new severity:critical" || cfg.Views[1].Tab != "okta-logs" {
		t.Fatalf("views %+v", cfg.Views)
	}
	_, err = Parse("c.toml", []byte("[[views]]\nname = \"x\"\ntab = \"nope\"\n"))
	if err == nil || !strings.Contains(err.Error(), `c.toml:3: views[0].tab: "nope" is not a tab`) {
		t.Fatalf("err = %v", err)
	}
	_, err = Parse("c.toml", []byte("[keys]\ncomment = 3\n"))
	if err == nil || !strings.Contains(err.Error(), "c.toml:2:") || !strings.Contains(err.Error(), "string or an array") {
		t.Fatalf("err = %v", err)
	}
}

// oneLine checks a config error is one line starting with file:line and
// naming the key.
func oneLine(t *testing.T, err error, prefix, key string, says ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one naming %s", key)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, key) {
		t.Fatalf("%q: want one line starting %q and naming %s", msg, prefix, key)
	}
	for _, s := range says {
		if !strings.Contains(msg, s) {
			t.Fatalf("%q does not say %q", msg, s)
		}
	}
}

func TestWrongTypesAreOneClearLine(t *testing.T) {
	itm := "[[itm]]\nname = \"prod\"\nbase_url = \"https://t.explore.proofpoint.com\"\nclient_id = \"x\"\nclient_secret = \"y\"\n"
	for _, c := range []struct {
		text, prefix, key string
		says              []string
	}{
		{itm + "insecure_skip_verify = \"yes\"\n", "c.toml:6: ", "itm.insecure_skip_verify", []string{"is text, not true or false"}},
		{"[ui]\ntheme = 5\n", "c.toml:2: ", "ui.theme", []string{`is a number, not text in quotes`}},
		{"[[okta]]\nname = \"prod\"\nurl = \"https://acme.okta.com\"\napi_token = 12345\n", "c.toml:4: ", "okta.api_token", []string{"number"}},
		{itm + "statuses = \"Resolved\"\n", "c.toml:6: ", "itm.statuses", []string{"is text, not a list"}},
		{itm + "timeout = 30\n", "c.toml:6: ", "30", []string{"is not a duration"}},
		{"[ui]\nrefresh = \"sixty\"\n", "c.toml:2: ", "sixty", []string{"is not a duration"}},
	} {
		_, err := Parse("c.toml", []byte(c.text))
		oneLine(t, err, c.prefix, c.key, c.says...)
	}
}

func TestSecretProblemsAreOneClearLine(t *testing.T) {
	dir := t.TempDir()
	okta := "[[okta]]\nname = \"prod\"\nurl = \"https://acme.okta.com\"\napi_token = \"%s\"\n"
	os.Unsetenv("TRIAGE_TEST_NOT_SET")
	for _, c := range []struct{ ref, says string }{
		{"${TRIAGE_TEST_NOT_SET}", "TRIAGE_TEST_NOT_SET is not set"},
		{"file:" + filepath.Join(dir, "missing"), "does not exist"},
		// A directory is not a secret file; as root, a mode cannot make
		// a file unreadable, so this is the unreadable secret every user
		// can test.
		{"file:" + dir, "secret file " + dir + " is a directory, not a file"},
	} {
		_, err := Parse("c.toml", []byte(strings.Replace(okta, "%s", c.ref, 1)))
		oneLine(t, err, "c.toml:4: ", "okta[0].api_token", c.says)
	}
}

func TestGroupReadableSecretsWarnNamingTheMode(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "token")
	if err := os.WriteFile(secret, []byte("tok"), 0o640); err != nil {
		t.Fatal(err)
	}
	os.Chmod(secret, 0o640)
	cfg, err := Parse("c.toml", []byte("[[okta]]\nname = \"prod\"\nurl = \"https://acme.okta.com\"\napi_token = \"file:"+secret+"\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0], "mode 0640") || !strings.Contains(cfg.Warnings[0], "chmod 600 "+secret) {
		t.Fatalf("warnings %q", cfg.Warnings)
	}
	p := write(t, "[[okta]]\nname = \"prod\"\nurl = \"https://acme.okta.com\"\napi_token = \"literal-token\"\n", 0o640)
	os.Chmod(p, 0o640)
	cfg, err = Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0], "mode 0640") || strings.Contains(cfg.Warnings[0], "literal-token") {
		t.Fatalf("warnings %q", cfg.Warnings)
	}
	os.Chmod(p, 0o600)
	if cfg, err = Load(p); err != nil || len(cfg.Warnings) != 0 {
		t.Fatalf("a 0600 file: %v %q", err, cfg.Warnings)
	}
}

func TestAuditOnErrorRefusesByDefaultAndWarnIsAChoiceSaidAtStart(t *testing.T) {
	cfg, err := Parse("c.toml", []byte("[audit]\npath = \"/tmp/a.jsonl\"\n"))
	if err != nil || cfg.Audit.OnError != AuditRefuse || len(cfg.Warnings) != 0 {
		t.Fatalf("default: %v %q %q", err, cfg.Audit.OnError, cfg.Warnings)
	}
	cfg, err = Parse("c.toml", []byte("[audit]\non_error = \"warn\"\n"))
	if err != nil || cfg.Audit.OnError != AuditWarn || len(cfg.Warnings) != 1 ||
		!strings.HasPrefix(cfg.Warnings[0], "c.toml:2: audit.on_error: ") || !strings.Contains(cfg.Warnings[0], "unrecorded") {
		t.Fatalf("warn: %v %q %q", err, cfg.Audit.OnError, cfg.Warnings)
	}
	_, err = Parse("c.toml", []byte("[audit]\npath = \"/tmp/a.jsonl\"\non_error = \"ignore\"\n"))
	oneLine(t, err, "c.toml:3: ", "audit.on_error", `"ignore" is not a choice`, `"refuse"`, `"warn"`)
	_, err = Parse("c.toml", []byte("[audit]\non_eror = \"warn\"\n"))
	oneLine(t, err, "c.toml:2: ", "audit.on_eror", `did you mean "on_error"?`)
}

func TestOktaDPoPKey(t *testing.T) {
	key := write(t, "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n", 0o600)
	c, err := Parse("c.toml", []byte(`[[okta]]
name = "svc"
url = "https://acme.okta.com"
client_id = "0oa1"
private_key_file = "`+key+`"
dpop = true
`))
	if err != nil || !c.Okta[0].DPoP || !slices.Equal(c.Okta[0].Scopes, DefaultOktaScopes) {
		t.Fatalf("dpop: %v %+v", err, c)
	}
	_, err = Parse("c.toml", []byte(`[[okta]]
name = "prod"
url = "https://acme.okta.com"
api_token = "t"
dpop = true
`))
	ps := problems(t, err)
	if len(ps) != 1 || ps[0].Key != "okta[0].dpop" || ps[0].Line != 5 {
		t.Fatalf("dpop with an API token: %+v", ps)
	}
}

func TestStatePostgresIsASecretCheckedByTheDriversParser(t *testing.T) {
	dir := t.TempDir()
	dsnFile := filepath.Join(dir, "state-dsn")
	os.WriteFile(dsnFile, []byte("postgres://triage:s3cret@db.example.com:5432/triage?sslmode=verify-full\n"), 0o600)
	cfg, err := Parse("c.toml", []byte("[state]\ndir = \"/var/lib/triage\"\npostgres = \"file:"+dsnFile+"\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.State.Postgres.Reveal() != "postgres://triage:s3cret@db.example.com:5432/triage?sslmode=verify-full" {
		t.Fatalf("postgres = %q", cfg.State.Postgres.Reveal())
	}
	if !slices.Contains(cfg.Secrets(), "s3cret") {
		t.Fatalf("the DSN's password is not among the secrets the log redacts: %q", cfg.Secrets())
	}
	t.Setenv("TRIAGE_TEST_DSN", "host=db.example.com dbname=triage user=triage")
	if cfg, err = Parse("c.toml", []byte("[state]\npostgres = \"${TRIAGE_TEST_DSN}\"\n")); err != nil || cfg.State.Postgres.Reveal() != "host=db.example.com dbname=triage user=triage" {
		t.Fatalf("postgres from the environment: %q %v", cfg.State.Postgres.Reveal(), err)
	}

	for _, c := range []struct{ text, says string }{
		{"[state]\ndir = \"/x\"\npostgres = \"postgres://triage:pw@db.example.com:notaport/triage\"\n", "not a PostgreSQL connection string"},
		{"[state]\ndir = \"/x\"\npostgres = \"host=db.example.com sslmode=sometimes\"\n", "sslmode"},
		{"[state]\ndir = \"/x\"\npostgres = \"file:" + filepath.Join(dir, "missing") + "\"\n", "does not exist"},
	} {
		_, err := Parse("c.toml", []byte(c.text))
		oneLine(t, err, "c.toml:3: ", "state.postgres", c.says)
		if strings.Contains(err.Error(), ":pw@") {
			t.Fatalf("the message shows the password: %q", err)
		}
	}
	_, err = Parse("c.toml", []byte("[state]\npostgress = \"x\"\n"))
	oneLine(t, err, "c.toml:2: ", "postgress", "postgres")
}

func TestTheDemoNeverWritesToTheTeamsPostgreSQL(t *testing.T) {
	cfg, err := Parse("c.toml", []byte("[state]\ndir = \"/var/lib/triage\"\npostgres = \"postgres://triage@db.example.com/triage\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.UseTenants(&Config{Demo: true})
	if cfg.State.Postgres != "" || cfg.State.Dir != filepath.Join("/var/lib/triage", "demo") {
		t.Fatalf("demo state: postgres %q, dir %q", cfg.State.Postgres.Reveal(), cfg.State.Dir)
	}
}

func TestRateShareAndRequestsPerMinute(t *testing.T) {
	c, err := Parse("c.toml", []byte(`[[okta]]
name = "prod"
url = "https://acme.okta.com"
api_token = "t"

[[okta]]
name = "all"
url = "https://all.okta.com"
api_token = "t"
rate_share = 1

[[essentials]]
name = "acme"
domain = "acme.com"
username = "admin@acme.com"
password = "p"
requests_per_minute = 600
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Okta[0].Share() != DefaultRateShare || c.Okta[1].Share() != 1 || c.Essentials[0].RequestsPerMinute != 600 || c.Okta[0].RequestsPerMinute != 0 {
		t.Fatalf("shares %v %v, per minute %d %d", c.Okta[0].Share(), c.Okta[1].Share(), c.Essentials[0].RequestsPerMinute, c.Okta[0].RequestsPerMinute)
	}
	_, err = Parse("c.toml", []byte(`[[okta]]
name = "prod"
url = "https://acme.okta.com"
api_token = "t"
rate_share = 1.5

[[itm]]
name = "prod"
base_url = "https://tenant.explore.proofpoint.com"
client_id = "abc"
client_secret = "s"
rate_share = 0
requests_per_minute = -5
`))
	got := map[string]Problem{}
	for _, p := range problems(t, err) {
		got[p.Key] = p
	}
	for key, line := range map[string]int{"okta[0].rate_share": 5, "itm[0].rate_share": 12, "itm[0].requests_per_minute": 13} {
		if p := got[key]; p.Line != line || p.Fix == "" {
			t.Errorf("%s: %+v, want line %d with a fix (all: %+v)", key, p, line, got)
		}
	}
	if !strings.Contains(got["okta[0].rate_share"].Msg, "1.5") {
		t.Errorf("message does not name the value: %+v", got["okta[0].rate_share"])
	}
}

func TestServeDatasetMemory(t *testing.T) {
	cfg, err := Parse("t.toml", []byte("[serve]\ndataset_memory = \"512MiB\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Serve.DatasetMemory != 512<<20 {
		t.Fatalf("dataset_memory = %d, want 512 MiB", cfg.Serve.DatasetMemory)
	}
	if _, err := Parse("t.toml", []byte("[serve]\ndataset_memory = \"lots\"\n")); err == nil || !strings.Contains(err.Error(), "not a size") {
		t.Fatalf("a size that is not one: %v", err)
	}
}
