package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"triage/backend/clean"
)

// Decode unmarshals a JSON body into out and cleans every string in it for
// the terminal. An empty body, an HTML page or malformed JSON is an *Error
// that says so, naming the vendor and request.
func (r *Response) Decode(out any) error {
	body := bytes.TrimSpace(r.Body)
	if len(body) == 0 {
		return r.Fail("empty response where data was expected")
	}
	if isHTML(r.Header.Get("Content-Type"), body) {
		return r.Fail("%s", htmlSummary(body))
	}
	if err := json.Unmarshal(body, out); err != nil {
		return r.Fail("malformed JSON: %s", clean.Line(err.Error()))
	}
	clean.Value(out)
	return nil
}

// Empty reports whether the body is empty, as a 204 or an empty 200 is.
func (r *Response) Empty() bool { return len(bytes.TrimSpace(r.Body)) == 0 }

// Get fetches path and decodes the JSON answer into out.
func (c *Client) Get(ctx context.Context, path string, query url.Values, out any) (*Response, error) {
	resp, err := c.Do(ctx, &Request{Path: path, Query: query})
	if err != nil {
		return nil, err
	}
	if out != nil {
		if err := resp.Decode(out); err != nil {
			return resp, err
		}
	}
	return resp, nil
}

// Send makes a write with a JSON body and decodes a JSON answer into out when
// there is one; an empty 2xx answer is success.
func (c *Client) Send(ctx context.Context, method, path string, body any, w *Write, out any) (*Response, error) {
	resp, err := c.Do(ctx, &Request{Method: method, Path: path, JSON: body, Write: w})
	if err != nil {
		return nil, err
	}
	if out != nil && !resp.Empty() {
		if err := resp.Decode(out); err != nil {
			return resp, err
		}
	}
	return resp, nil
}

// PathEscape joins path segments, escaping each one so an id such as
// "../admin" or "a?b#c" cannot change which endpoint is called.
func PathEscape(segments ...string) string {
	var b bytes.Buffer
	for _, s := range segments {
		b.WriteByte('/')
		switch s {
		case ".", "..":
			// Dot segments survive PathEscape and servers resolve them.
			b.WriteString(strings.Repeat("%2E", len(s)))
		default:
			b.WriteString(url.PathEscape(s))
		}
	}
	return b.String()
}
