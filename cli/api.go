package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"triage/backend/httpx"
	"triage/backend/okta"
)

func apiCommand(env *Env) *cobra.Command {
	var o output
	var data string
	var yes, raw bool
	cmd := &cobra.Command{
		Use:   "api VENDOR METHOD PATH",
		Short: "Any authenticated request to a configured tenant (the escape hatch)",
		Long: `api sends one request through the same client the console uses: the tenant's
auth, timeouts, retries of reads and error decoding. PATH is relative to the
tenant's API root:

  itm         {base_url}/{api_version}/apis      e.g. /auth/users?limit=5
  saas        {base_url}                         e.g. /incident/api/apps
  okta        {url}                              e.g. /api/v1/groups?q=Finance
  atlassian   {base_url}/scim/directory/{id}     e.g. /Groups
  essentials  {base_url}/api/v1                  e.g. /orgs/acme.com/domains

Reads print the body: JSON indented, with control, bidi and zero-width
characters escaped (\u001b); any other body cleaned of terminal controls.
--raw prints the body byte for byte, to a file or a pipe (refused when stdout
is a terminal, and over SSH with -t). Writes (any method but GET and HEAD) need
the responder role, are recorded in the audit log, and ask for confirmation
(or --yes). When the answer says there is a next page, the next request is
printed on stderr.`,
		Example: "  triage api itm GET '/auth/users?alias=li*'\n" +
			"  triage api okta GET /api/v1/groups --tenant prod\n" +
			"  triage api itm GET '/activity/events/FQID/messages/default/contents/_raw' --raw > message.eml\n" +
			"  echo '{\"is_active\":true}' | triage api essentials PATCH /orgs/acme.com --data - --yes",
		Args: exactArgs(3, "VENDOR, METHOD and PATH"),
		RunE: func(cmd *cobra.Command, args []string) error {
			vendor, method, path := strings.ToLower(args[0]), strings.ToUpper(args[1]), args[2]
			switch method {
			case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
			default:
				return Usagef("method %q: use GET, HEAD, POST, PUT, PATCH or DELETE", args[1])
			}
			if !strings.HasPrefix(path, "/") {
				return Usagef("PATH must start with /, relative to the tenant's API root (see --help)")
			}
			const example = "triage api VENDOR GET PATH --raw > FILE"
			if raw {
				if err := env.rawAllowed(example); err != nil {
					return err
				}
			}
			set, err := env.backends()
			if err != nil {
				return err
			}
			t, err := set.Tenant(vendor, o.tenant)
			if err != nil {
				return Usage(err)
			}
			req := &httpx.Request{Method: method, Path: path}
			if data != "" {
				body := []byte(data)
				if data == "-" {
					if body, err = io.ReadAll(io.LimitReader(env.In, 16<<20)); err != nil {
						return err
					}
				}
				if !json.Valid(body) {
					return Usagef("--data is not JSON")
				}
				req.Body, req.ContentType = body, "application/json"
			}
			if method != http.MethodGet && method != http.MethodHead {
				if err := env.confirm(yes, fmt.Sprintf("%s %s on %s %s", method, path, vendor, t.Name)); err != nil {
					return err
				}
				req.Write = &httpx.Write{Action: "api." + strings.ToLower(method), Target: path, Params: map[string]any{"bytes": len(req.Body)}}
			}
			resp, err := t.HTTP.Do(env.context(cmd.Context()), req)
			if err != nil {
				return err
			}
			if next := nextPage(resp); next != "" {
				env.note("next page: triage api %s GET %s\n", vendor, shellQuote(next))
			}
			if raw {
				return env.raw(resp.Body, example)
			}
			if json.Valid(resp.Body) {
				return env.json(json.RawMessage(resp.Body))
			}
			return env.text(string(resp.Body))
		},
	}
	o.flags(cmd)
	cmd.Flags().StringVar(&data, "data", "", `JSON request body, or "-" to read it from stdin`)
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask before a write")
	cmd.Flags().BoolVar(&raw, "raw", false, "the body byte for byte, escape sequences included (not to a terminal)")
	return cmd
}

// nextPage finds a paging hint: Okta's Link rel="next" (as a path) or SaaS
// Security's nextPath.
func nextPage(resp *httpx.Response) string {
	if u := okta.NextLink(resp.Header); u != "" {
		// Show it as a path the api command takes.
		if parsed, err := url.Parse(u); err == nil && parsed.IsAbs() {
			return parsed.RequestURI()
		}
		return u
	}
	var env struct {
		NextPath string `json:"nextPath"`
	}
	if json.Unmarshal(resp.Body, &env) == nil && env.NextPath != "" {
		return env.NextPath
	}
	return ""
}

// shellQuote quotes s for a POSIX shell, so a vendor's next link pasted
// back runs as one argument and nothing else.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
