package config

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// parseWithin fails the test, rather than hanging it, when Parse does not
// return: a config that points at a fifo must not wait for a writer.
func parseWithin(t *testing.T, text string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := Parse("c.toml", []byte(text))
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("Parse did not return: it is blocked reading a file")
		return nil
	}
}

// files makes one of every kind of path a config could be pointed at.
func files(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 64<<10+1), 0o600); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge.pem")
	if err := os.WriteFile(huge, make([]byte, 1<<20+1), 0o600); err != nil {
		t.Fatal(err)
	}
	// A socket path must be short; the test's temporary directory may not be.
	sockDir, err := os.MkdirTemp("", "sock")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockDir) })
	sock := filepath.Join(sockDir, "s")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return map[string]string{"fifo": fifo, "big": big, "huge": huge, "dir": dir, "sock": sock}
}

func TestSecretFilesAreReadOnlyFromSmallRegularFiles(t *testing.T) {
	f := files(t)
	okta := "[[okta]]\nname = \"prod\"\nurl = \"https://acme.okta.com\"\napi_token = \"file:%s\"\n"
	for _, c := range []struct{ path, says string }{
		{"/dev/zero", "secret file /dev/zero is a device, not a regular file"},
		{"/dev/urandom", "secret file /dev/urandom is a device, not a regular file"},
		{f["fifo"], "secret file " + f["fifo"] + " is a named pipe (fifo), not a regular file"},
		{f["dir"], "secret file " + f["dir"] + " is a directory, not a file"},
		{f["sock"], "secret file " + f["sock"] + " is a socket, not a regular file"},
		{f["big"], "secret file " + f["big"] + " is 65537 bytes, larger than 64 KiB"},
	} {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			err := parseWithin(t, strings.Replace(okta, "%s", c.path, 1))
			oneLine(t, err, "c.toml:4: ", "okta[0].api_token", c.says, "point file: at a regular file")
		})
	}
	// At the bound, a secret is read.
	exact := filepath.Join(t.TempDir(), "exact")
	os.WriteFile(exact, []byte(strings.Repeat("k", 64<<10)), 0o600)
	cfg, err := Parse("c.toml", []byte(strings.Replace(okta, "%s", exact, 1)))
	if err != nil || len(cfg.Okta[0].APIToken.Reveal()) != 64<<10 {
		t.Fatalf("a 64 KiB secret: %v", err)
	}
}

// ca_file and private_key_file are read by the clients once the config is
// loaded; the same files are refused here, before they are.
func TestCAAndPrivateKeyFilesAreSmallRegularFiles(t *testing.T) {
	f := files(t)
	key := filepath.Join(t.TempDir(), "key.pem")
	os.WriteFile(key, []byte("-----BEGIN PRIVATE KEY-----\n"), 0o600)
	for _, c := range []struct{ text, key, says string }{
		{"[[okta]]\nname = \"prod\"\nurl = \"https://acme.okta.com\"\napi_token = \"t\"\nca_file = \"/dev/zero\"\n",
			"okta[0].ca_file", "ca_file /dev/zero is a device, not a regular file"},
		{"[[okta]]\nname = \"prod\"\nurl = \"https://acme.okta.com\"\napi_token = \"t\"\nca_file = \"" + f["fifo"] + "\"\n",
			"okta[0].ca_file", "is a named pipe (fifo)"},
		{"[[okta]]\nname = \"prod\"\nurl = \"https://acme.okta.com\"\napi_token = \"t\"\nca_file = \"" + f["huge"] + "\"\n",
			"okta[0].ca_file", "is 1048577 bytes, larger than 1 MiB"},
		{"[[okta]]\nname = \"prod\"\nurl = \"https://acme.okta.com\"\nclient_id = \"0oa1\"\nprivate_key_file = \"/dev/urandom\"\n",
			"okta[0].private_key_file", "private key /dev/urandom is a device, not a regular file"},
		{"[[okta]]\nname = \"prod\"\nurl = \"https://acme.okta.com\"\nclient_id = \"0oa1\"\nprivate_key_file = \"" + f["fifo"] + "\"\n",
			"okta[0].private_key_file", "is a named pipe (fifo)"},
	} {
		err := parseWithin(t, c.text)
		oneLine(t, err, "c.toml:5: ", c.key, c.says)
	}
	// A small regular key file passes the check.
	if err := parseWithin(t, "[[okta]]\nname = \"prod\"\nurl = \"https://acme.okta.com\"\nclient_id = \"0oa1\"\nprivate_key_file = \""+key+"\"\n"); err != nil {
		t.Fatalf("a regular key file: %v", err)
	}
}
