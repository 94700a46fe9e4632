package sim

import (
	"context"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"
)

// Collector is a SIEM's log collector on the simulated org: its own API
// token, polling the System Log's rate-limit bucket, which triage shares.
// It counts its requests and the 429s it was refused.
type Collector struct {
	requests, refused atomic.Int64
	stop              context.CancelFunc
	done              chan struct{}
}

// StartCollector polls the System Log since since, 100 events a request,
// every every, until Stop.
func (s *Okta) StartCollector(since time.Time, every time.Duration) *Collector {
	ctx, stop := context.WithCancel(context.Background())
	c := &Collector{stop: stop, done: make(chan struct{})}
	u := s.URL + "/api/v1/logs?" + url.Values{"since": {since.Format(time.RFC3339)}, "limit": {"100"}}.Encode()
	go func() {
		defer close(c.done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
			req.Header.Set("Authorization", "SSWS "+OktaAPIToken)
			if res, err := http.DefaultClient.Do(req); err == nil {
				res.Body.Close()
				c.requests.Add(1)
				if res.StatusCode == http.StatusTooManyRequests {
					c.refused.Add(1)
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return c
}

// Stop ends the polling and says how many requests were made and refused.
func (c *Collector) Stop() (requests, refused int64) {
	c.stop()
	<-c.done
	return c.requests.Load(), c.refused.Load()
}
