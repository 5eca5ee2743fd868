package ghapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
)

// RetryError reports a request that still failed after every attempt it was allowed. go-github
// returns it wrapped in a *url.Error; errors.As finds it.
type RetryError struct {
	Method     string
	Path       string // the URL path, without query
	Attempts   int
	StatusCode int    // the last answer's status code; 0 when the last attempt got no answer
	Last       string // the last outcome: "502 Bad Gateway", "timed out after 30s", a connection error
	Err        error  // the last attempt's error, or the *RateLimitError it hit; nil otherwise
}

// Error names the request, the attempts and the last outcome, and says what to do.
func (e *RetryError) Error() string {
	return fmt.Sprintf("sending %s %s: giving up after %d attempts, the last with %s: rerun the job later",
		e.Method, e.Path, e.Attempts, e.Last)
}

// Unwrap returns the last attempt's error.
func (e *RetryError) Unwrap() error { return e.Err }

// RateLimitError reports a rate limit whose wait is longer than Options.MaxWait.
type RateLimitError struct {
	Method     string
	Path       string
	StatusCode int           // 403 or 429
	Secondary  bool          // a secondary (abuse) limit rather than the hourly primary one
	Wait       time.Duration // how long GitHub asked to wait
	Reset      time.Time     // when a primary limit resets (UTC); zero when not given
	Limit      int           // the primary limit's size, when given
	Resource   string        // the primary limit's resource ("core", "search", ...), when given
	MaxWait    time.Duration // the longest wait this client honours
}

// Error names the request, the limit, the wait it asked for and the remedy.
func (e *RateLimitError) Error() string {
	if e.Secondary {
		return fmt.Sprintf("sending %s %s: GitHub's secondary rate limit: retry after %s, longer than the %s this client waits: send fewer requests at once, or rerun the job later",
			e.Method, e.Path, e.Wait, e.MaxWait)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "sending %s %s: GitHub's primary rate limit", e.Method, e.Path)
	if e.Resource != "" {
		fmt.Fprintf(&b, " for %q", e.Resource)
	}
	if e.Limit > 0 {
		fmt.Fprintf(&b, " (%d requests)", e.Limit)
	}
	b.WriteString(" is used up; it resets")
	if !e.Reset.IsZero() {
		fmt.Fprintf(&b, " at %s,", e.Reset.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(&b, " in %s, longer than the %s this client waits: rerun the job after the reset, or use a GitHub App installation token, whose rate limit is higher",
		e.Wait.Round(time.Second), e.MaxWait)
	return b.String()
}

// statusOf returns the HTTP status of a go-github API error, and its parsed body.
func statusOf(err error) (int, *github.ErrorResponse) {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode, er
	}
	return 0, nil
}

// messages returns an API error's message and its details' messages, lower-cased.
func messages(er *github.ErrorResponse) string {
	parts := []string{er.Message}
	for _, e := range er.Errors {
		parts = append(parts, e.Message)
	}
	return strings.ToLower(strings.Join(parts, "\n"))
}

// IsNotFound reports a 404 answer.
func IsNotFound(err error) bool {
	code, _ := statusOf(err)
	return code == http.StatusNotFound
}

// IsConflict reports a lost race that re-applying an edit to the fresh state may win: a 409
// (contents API "does not match", "Head branch was modified"), or a 422 for a stale base
// ("Update is not a fast forward", a missing "sha" for a file created meanwhile). A 422
// "Reference already exists" is not a conflict: see IsAlreadyExists.
func IsConflict(err error) bool {
	code, er := statusOf(err)
	switch code {
	case http.StatusConflict:
		return true
	case http.StatusUnprocessableEntity:
		if IsAlreadyExists(err) {
			return false
		}
		m := messages(er)
		return strings.Contains(m, "not a fast forward") || strings.Contains(m, "not a fast-forward") ||
			strings.Contains(m, `"sha" wasn't supplied`) || strings.Contains(m, "does not match")
	}
	return false
}

// IsAlreadyExists reports a 422 for a name that is taken: "Reference already exists" from the
// Git refs API, or an "already_exists" validation error (a release for an existing tag).
func IsAlreadyExists(err error) bool {
	code, er := statusOf(err)
	if code != http.StatusUnprocessableEntity {
		return false
	}
	for _, e := range er.Errors {
		if e.Code == "already_exists" {
			return true
		}
	}
	return strings.Contains(messages(er), "already exists")
}

// IsRateLimit reports a rate limit, primary or secondary, from this transport or go-github.
func IsRateLimit(err error) bool {
	var (
		own   *RateLimitError
		prim  *github.RateLimitError
		abuse *github.AbuseRateLimitError
		retry *RetryError
	)
	if errors.As(err, &own) || errors.As(err, &prim) || errors.As(err, &abuse) {
		return true
	}
	if errors.As(err, &retry) && (retry.StatusCode == http.StatusForbidden || retry.StatusCode == http.StatusTooManyRequests) {
		return true
	}
	_, er := statusOf(err)
	return er != nil && strings.Contains(messages(er), "rate limit")
}

// IsPermission reports a 401 (bad credentials) or a 403 that is not a rate limit.
func IsPermission(err error) bool {
	code, _ := statusOf(err)
	return (code == http.StatusUnauthorized || code == http.StatusForbidden) && !IsRateLimit(err)
}

// PermissionHint adds the remedy to a permission error: for a 403, the `permissions:` entry
// the job needs (permission is e.g. "contents: write") and what GitHub says it accepts; for a
// 401, a valid token. Any other error, nil included, is returned unchanged.
func PermissionHint(err error, permission string) error {
	if !IsPermission(err) {
		return err
	}
	code, er := statusOf(err)
	if code == http.StatusUnauthorized {
		return fmt.Errorf("%w: the token was rejected: pass a valid token that is not expired or revoked", err)
	}
	hint := fmt.Sprintf("the token lacks permission: give the job `permissions: %s`, or pass a token that has it", permission)
	if accepted := er.Response.Header.Get("X-Accepted-GitHub-Permissions"); accepted != "" {
		hint += fmt.Sprintf(" (GitHub accepts %s)", accepted)
	}
	return fmt.Errorf("%w: %s", err, hint)
}
