// Package ghapi builds shipkit's GitHub REST client: go-github with a transport that retries
// transient failures, waits out rate limits within a bound, and keeps the token out of every
// error and log line. It also classifies the errors every action branches on.
package ghapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
)

// Defaults for the zero values of Options.
const (
	DefaultBaseURL    = "https://api.github.com/"
	DefaultUploadURL  = "https://uploads.github.com/"
	DefaultUserAgent  = "shipkit"
	DefaultMaxRetries = 4
	DefaultMaxWait    = 60 * time.Second
	DefaultTimeout    = 30 * time.Second
)

// Options configures New. The zero value talks anonymously to api.github.com.
type Options struct {
	// Token authenticates as `Authorization: Bearer`; empty means anonymous. It is never logged.
	Token string
	// BaseURL is the REST API root (GITHUB_API_URL): https://api.github.com,
	// https://ghe.example.com/api/v3 (or just https://ghe.example.com), or an emulator's root such
	// as http://127.0.0.1:8080. Empty means https://api.github.com. See APIURLs.
	BaseURL string
	// UploadURL is the release-asset upload root; empty derives it from BaseURL. See APIURLs.
	UploadURL string
	// UserAgent is sent with every request; empty means "shipkit".
	UserAgent string
	// MaxRetries bounds the attempts after the first one for 5xx answers, connection errors,
	// per-attempt timeouts and rate limits; 0 means 4, a negative value means no retries.
	MaxRetries int
	// MaxWait is the longest single wait honoured (a Retry-After or a primary limit's reset);
	// a longer one fails at once with a RateLimitError. 0 means 60s.
	MaxWait time.Duration
	// Timeout bounds one attempt, from sending the request to closing the response body;
	// 0 means 30s.
	Timeout time.Duration
	// HTTPClient supplies the base transport (and its redirect policy, jar and overall timeout);
	// nil means a clone of http.DefaultTransport.
	HTTPClient *http.Client
	// Sleep waits between attempts; nil means a timer that returns early with ctx.Err() when
	// ctx ends. Tests inject one that records the durations.
	Sleep func(ctx context.Context, d time.Duration) error
	// Logf receives one debug line per retry and wait (method and path, never headers);
	// nil discards them.
	Logf func(format string, args ...any)
}

// Client is a go-github client whose transport retries and waits as Options say, and counts
// what it sent.
type Client struct {
	*github.Client
	rt *transport
}

// Stats counts what a Client's transport did.
type Stats struct {
	Requests int64         // HTTP requests sent, each retry attempt included
	Retries  int64         // attempts made after a failed one
	Waited   time.Duration // total time spent in backoff and rate-limit waits
}

// New returns a Client for opts. It fails only when BaseURL or UploadURL cannot be used.
func New(opts Options) (*Client, error) {
	apiURL, uploadURL, err := APIURLs(opts.BaseURL, opts.UploadURL)
	if err != nil {
		return nil, err
	}
	rt := newTransport(opts)
	hc := &http.Client{Transport: rt}
	if opts.HTTPClient != nil {
		hc.CheckRedirect = opts.HTTPClient.CheckRedirect
		hc.Jar = opts.HTTPClient.Jar
		hc.Timeout = opts.HTTPClient.Timeout
	}
	gh := github.NewClient(hc)
	// Trailing whitespace (a token file's newline) would make every request invalid.
	if token := strings.TrimSpace(opts.Token); token != "" {
		gh = gh.WithAuthToken(token)
	}
	gh.BaseURL = apiURL
	gh.UploadURL = uploadURL
	gh.UserAgent = opts.UserAgent
	if gh.UserAgent == "" {
		gh.UserAgent = DefaultUserAgent
	}
	return &Client{Client: gh, rt: rt}, nil
}

// Requests returns the number of HTTP requests sent so far, each retry attempt included.
func (c *Client) Requests() int64 { return c.rt.requests.Load() }

// Stats returns the transport's counters so far.
func (c *Client) Stats() Stats {
	return Stats{
		Requests: c.rt.requests.Load(),
		Retries:  c.rt.retries.Load(),
		Waited:   time.Duration(c.rt.waited.Load()),
	}
}

// FromEnv returns Options for token and the runner's environment, read through getenv:
// GITHUB_API_URL, or when it is unset an API URL derived from GITHUB_SERVER_URL
// (https://HOST/api/v3 for GitHub Enterprise Server, https://api.SUB.ghe.com for GHE.com).
func FromEnv(getenv func(string) string, token string) Options {
	opts := Options{Token: token, BaseURL: strings.TrimSpace(getenv("GITHUB_API_URL"))}
	if opts.BaseURL != "" {
		return opts
	}
	server := strings.TrimRight(strings.TrimSpace(getenv("GITHUB_SERVER_URL")), "/")
	u, err := url.Parse(server)
	if server == "" || err != nil || u.Host == "" || strings.EqualFold(u.Host, "github.com") {
		return opts
	}
	if strings.HasSuffix(strings.ToLower(u.Hostname()), ".ghe.com") {
		u.Host = "api." + u.Host
		opts.BaseURL = u.String()
		return opts
	}
	opts.BaseURL = server + "/api/v3"
	return opts
}

// APIURLs resolves the REST API root and the upload root from the values a user gives, both
// ending in "/" as go-github requires:
//
//   - empty, or https://api.github.com: that, with uploads at https://uploads.github.com/;
//   - a URL with a path (https://ghe.example.com/api/v3, http://127.0.0.1:8080/prefix): the URL
//     as given; uploads at /api/uploads/ beside an /api/v3/ path, else under <path>uploads/;
//   - a bare host: GitHub Enterprise Server (https://ghe.example.com) gains /api/v3/; an api.*
//     host (GHE.com) and a loopback host (an emulator) are used at their root.
//
// upload, when not empty, is used as given (with a trailing slash).
func APIURLs(base, upload string) (apiURL, uploadURL *url.URL, err error) {
	apiURL, err = parseRoot("base URL", base, DefaultBaseURL)
	if err != nil {
		return nil, nil, err
	}
	if apiURL.Path == "/" && !isAPIHost(apiURL.Hostname()) && !isLoopback(apiURL.Hostname()) {
		apiURL.Path = "/api/v3/"
	}
	if upload != "" {
		uploadURL, err = parseRoot("upload URL", upload, "")
		return apiURL, uploadURL, err
	}
	uploadURL = &url.URL{Scheme: apiURL.Scheme, Host: apiURL.Host, Path: apiURL.Path}
	host := strings.ToLower(apiURL.Hostname())
	switch {
	case host == "api.github.com" && apiURL.Path == "/":
		uploadURL, _ = url.Parse(DefaultUploadURL)
	case strings.HasPrefix(host, "api.") && apiURL.Path == "/":
		uploadURL.Host = "uploads." + apiURL.Host[len("api."):]
	case strings.HasSuffix(apiURL.Path, "/api/v3/"):
		uploadURL.Path = strings.TrimSuffix(apiURL.Path, "v3/") + "uploads/"
	default:
		uploadURL.Path += "uploads/"
	}
	return apiURL, uploadURL, nil
}

// parseRoot parses an absolute http(s) URL and gives it a trailing slash.
func parseRoot(what, raw, def string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("parsing %s %q: %w", what, raw, errors.Unwrap(err))
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("parsing %s %q: want an absolute http(s) URL such as https://ghe.example.com/api/v3", what, raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("parsing %s %q: remove the credentials from the URL and pass the token separately", what, u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("parsing %s %q: remove the query or fragment", what, raw)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawPath = ""
	return u, nil
}

// isAPIHost reports a host that serves the REST API at its root: api.github.com and GHE.com's
// api.SUBDOMAIN.ghe.com (go-github's WithEnterpriseURLs uses the same test).
func isAPIHost(host string) bool {
	host = strings.ToLower(host)
	return strings.HasPrefix(host, "api.") || strings.Contains(host, ".api.")
}

// isLoopback reports localhost and loopback addresses, where only emulators and proxies run.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
