package sim

import (
	"encoding/json"
	"net/http"
	"testing"
)

// Started in the background, the simulators give their addresses at once
// and answer a request made before their data is built once it is.
func TestBackgroundStartAnswersOnceBuilt(t *testing.T) {
	s, err := Start(pin(Options{Rows: 20_000, Background: true}))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cfg := s.Config()
	req, _ := http.NewRequest("GET", cfg.Okta[0].URL+"/api/v1/apps?limit=3", nil)
	req.Header.Set("Authorization", "SSWS "+OktaAPIToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var apps []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&apps); err != nil || resp.StatusCode != 200 || len(apps) != 3 {
		t.Fatalf("status %d, %d apps, %v", resp.StatusCode, len(apps), err)
	}
	<-s.built
	if s.ITM == nil || s.ITM.URL != cfg.ITM[0].BaseURL || len(s.ITM.FQIDs(20_000)) != 20_000 {
		t.Fatal("the ITM simulator is not the one the config names, or is not whole")
	}
}
