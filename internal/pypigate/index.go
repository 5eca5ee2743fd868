package pypigate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/shipkit-dev/shipkit/internal/version"
)

// Index answers whether a version of a project is already on a package index.
type Index interface {
	Published(ctx context.Context, project, version string) (bool, error)
}

// JSONIndex reads PyPI's JSON API (https://docs.pypi.org/api/json/), which TestPyPI and most
// PyPI-compatible servers also serve: /pypi/<project>/<version>/json, then /pypi/<project>/json.
type JSONIndex struct {
	// URL is the index's base URL, such as https://pypi.org.
	URL string
	// Client makes the requests; nil means a client with a 10 s timeout.
	Client *http.Client
	// Attempts bounds the tries of a request that fails with a network error, a 5xx or a 429;
	// 0 means 3.
	Attempts int
	// Backoff is the wait before the second try, doubled for each further one; 0 means 1 s.
	Backoff time.Duration
	// Requests counts the HTTP requests made (tests and budgets read it).
	Requests int
}

var defaultIndexClient = &http.Client{Timeout: 10 * time.Second}

// ErrIndexUnavailable wraps the failure of an index that could not answer after all attempts.
var ErrIndexUnavailable = errors.New("the index did not answer")

// Published reports whether version (PEP 440; compared by value, so 1.0.0 finds a release
// published as 1.0.0 or as 1.0.0.0) of project is on the index.
func (x *JSONIndex) Published(ctx context.Context, project, ver string) (bool, error) {
	want, err := version.ParsePEP440(ver)
	if err != nil {
		return false, err
	}
	base := strings.TrimRight(x.URL, "/") + "/pypi/" + url.PathEscape(NormalizeName(project))
	status, _, err := x.get(ctx, base+"/"+url.PathEscape(want.String())+"/json")
	if err != nil {
		return false, err
	}
	if status == http.StatusOK {
		return true, nil
	}
	// The per-version page knows one spelling; the project page lists every release.
	status, body, err := x.get(ctx, base+"/json")
	if err != nil {
		return false, err
	}
	if status == http.StatusNotFound {
		return false, nil
	}
	var page struct {
		Releases map[string]json.RawMessage `json:"releases"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return false, fmt.Errorf("reading %s/json: %w", base, err)
	}
	for raw := range page.Releases {
		if v, err := version.ParsePEP440(raw); err == nil && v.Compare(want) == 0 {
			return true, nil
		}
	}
	return false, nil
}

// get fetches u, retrying network errors, 5xx and 429. It returns 200 with the body or 404;
// any other answer is an error.
func (x *JSONIndex) get(ctx context.Context, u string) (int, []byte, error) {
	attempts := x.Attempts
	if attempts <= 0 {
		attempts = 3
	}
	wait := x.Backoff
	if wait <= 0 {
		wait = time.Second
	}
	var last error
	for try := 1; try <= attempts; try++ {
		if try > 1 {
			select {
			case <-ctx.Done():
				return 0, nil, fmt.Errorf("GET %s: %w (after %v)", u, ctx.Err(), last)
			case <-time.After(wait):
			}
			wait *= 2
		}
		status, body, err := x.once(ctx, u)
		switch {
		case err != nil:
			last = err
		case status == http.StatusOK || status == http.StatusNotFound:
			return status, body, nil
		case status >= 500 || status == http.StatusTooManyRequests:
			last = fmt.Errorf("GET %s: %d %s", u, status, http.StatusText(status))
		default:
			return 0, nil, fmt.Errorf("GET %s: unexpected %d %s", u, status, http.StatusText(status))
		}
		if ctx.Err() != nil {
			break
		}
	}
	return 0, nil, fmt.Errorf("%w after %d attempts: %w", ErrIndexUnavailable, attempts, last)
}

func (x *JSONIndex) once(ctx context.Context, u string) (int, []byte, error) {
	x.Requests++
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "shipkit-pypi-gate")
	resp, err := x.client().Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return 0, nil, fmt.Errorf("GET %s: reading the answer: %w", u, err)
	}
	return resp.StatusCode, body, nil
}

func (x *JSONIndex) client() *http.Client {
	if x.Client == nil {
		return defaultIndexClient
	}
	return x.Client
}

var nameSeparators = regexp.MustCompile(`[-_.]+`)

// NormalizeName is a project name as PyPI compares names (PEP 503): lower case, runs of -, _
// and . as one -.
func NormalizeName(name string) string {
	return nameSeparators.ReplaceAllString(strings.ToLower(strings.TrimSpace(name)), "-")
}
