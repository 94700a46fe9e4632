package itm_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"triage/backend/sim"
)

// TestCommentAliasIsTheAnalystsNameAndAString checks the comment's "alias"
// both ways: triage labels the comment with the analyst's name, and the
// simulator refuses what the vendor's schema would (a non-string) while
// taking what the references send (SOAR's literal "string").
func TestCommentAliasIsTheAnalystsNameAndAString(t *testing.T) {
	s, c, _ := startSim(t, sim.Options{Rows: 5})
	fqid := s.ITM.FQIDs(1)[0]
	if err := c.Comment(ctx(), fqid, "first look", ""); err != nil {
		t.Fatal(err)
	}
	tk, err := c.Ticket(ctx(), fqid)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tk.Annotations.Comments); n != 1 || string(tk.Annotations.Comments[0].Alias) != analyst.Name {
		t.Fatalf("comment alias: want %q, got %+v", analyst.Name, tk.Annotations.Comments)
	}

	cfg := s.Config().ITM[0]
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {cfg.ClientID}, "client_secret": {cfg.ClientSecret.Reveal()}, "scope": {"*"}}
	resp, err := http.PostForm(cfg.BaseURL+"/v2/apis/auth/oauth/token", form)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if tok.AccessToken == "" {
		t.Fatalf("no token: %s", resp.Status)
	}
	post := func(body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, cfg.BaseURL+"/v2/apis/activity/events/"+url.PathEscape(fqid)+"/annotations/comments", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		n, _ := resp.Body.Read(buf)
		b.Write(buf[:n])
		return resp.StatusCode, b.String()
	}
	for _, c := range []struct {
		name, body string
		status     int
	}{
		// proofpointitm_connector.py, _handle_add_comment, as it is sent.
		{"SOAR's placeholder", `{"data":[{"alias":"string","kind":"it:comment:note","text":"from SOAR"}]}`, http.StatusCreated},
		{"no alias", `{"data":[{"kind":"it:comment:note","text":"no label"}]}`, http.StatusCreated},
		{"alias an object", `{"data":[{"alias":{"name":"alice"},"kind":"it:comment:note","text":"x"}]}`, http.StatusBadRequest},
		{"alias a number", `{"data":[{"alias":42,"kind":"it:comment:note","text":"x"}]}`, http.StatusBadRequest},
		{"second alias wrong", `{"data":[{"alias":"a","text":"x"},{"alias":["b"],"text":"y"}]}`, http.StatusBadRequest},
	} {
		status, body := post(c.body)
		if status != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, status, c.status, body)
		}
		if status == http.StatusBadRequest && !strings.Contains(body, "alias must be a string") {
			t.Errorf("%s: the 400 does not name the field: %s", c.name, body)
		}
	}
	if got := s.ITM.Comments(fqid); len(got) != 3 {
		t.Fatalf("comments on the ticket: %q (a refused request must add none)", got)
	}
}
