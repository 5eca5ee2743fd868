package ghapi

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Backoff between attempts after a 5xx, a connection error or a timeout: full jitter, a random
// wait in [0, min(backoffCap, backoffBase*2^n)] before retry n (n from 0).
// https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
const (
	backoffBase = 500 * time.Millisecond
	backoffCap  = 8 * time.Second
)

// secondaryDefaultWait is the wait for a secondary rate limit that names none: GitHub asks for
// "at least one minute".
// https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#handle-rate-limit-errors-appropriately
const secondaryDefaultWait = time.Minute

// peekLimit bounds how much of a 403/429 body is read to look for "secondary rate limit".
const peekLimit = 64 << 10

// transport is the http.RoundTripper under go-github that retries and waits.
type transport struct {
	base       http.RoundTripper
	maxRetries int
	maxWait    time.Duration
	timeout    time.Duration
	sleep      func(context.Context, time.Duration) error
	logf       func(string, ...any)

	requests atomic.Int64
	retries  atomic.Int64
	waited   atomic.Int64 // nanoseconds
}

func newTransport(opts Options) *transport {
	t := &transport{
		maxRetries: opts.MaxRetries,
		maxWait:    opts.MaxWait,
		timeout:    opts.Timeout,
		sleep:      opts.Sleep,
		logf:       opts.Logf,
	}
	if opts.HTTPClient != nil && opts.HTTPClient.Transport != nil {
		t.base = opts.HTTPClient.Transport
	} else {
		t.base = http.DefaultTransport.(*http.Transport).Clone()
	}
	switch {
	case t.maxRetries == 0:
		t.maxRetries = DefaultMaxRetries
	case t.maxRetries < 0:
		t.maxRetries = 0
	}
	if t.maxWait <= 0 {
		t.maxWait = DefaultMaxWait
	}
	if t.timeout <= 0 {
		t.timeout = DefaultTimeout
	}
	if t.sleep == nil {
		t.sleep = sleepContext
	}
	if t.logf == nil {
		t.logf = func(string, ...any) {}
	}
	return t
}

// sleepContext waits d, or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// verdict is what one attempt asks for.
type verdict struct {
	retry  bool
	wait   time.Duration
	reason string // for logs and errors: "502 Bad Gateway", "timed out after 30s", ...
	limit  *RateLimitError
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 && req.Body != nil && req.Body != http.NoBody {
			body, err := req.GetBody()
			if err != nil {
				return nil, fmt.Errorf("replaying the body of %s %s: %w", req.Method, req.URL.Path, err)
			}
			r = req.Clone(ctx)
			r.Body = body
		}
		actx, cancel := context.WithTimeout(ctx, t.timeout)
		r = r.WithContext(actx)
		t.requests.Add(1)
		resp, err := t.base.RoundTrip(r)

		var v verdict
		if err != nil {
			cancel()
			if ctx.Err() != nil {
				return nil, err // the caller gave up; go-github reports ctx.Err()
			}
			if !retryableError(err) {
				return nil, err
			}
			v = verdict{retry: true, wait: backoff(attempt), reason: err.Error()}
			if errors.Is(err, context.DeadlineExceeded) {
				v.reason = "timed out after " + t.timeout.String()
			}
		} else {
			resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
			v = t.judge(req, resp, attempt)
		}
		if !v.retry {
			return resp, nil
		}
		if !replayable {
			t.logf("ghapi: %s %s: %s; not retried: the request body cannot be replayed", req.Method, req.URL.Path, v.reason)
			return resp, err
		}
		if v.limit != nil && v.limit.Wait > t.maxWait {
			discard(resp)
			return nil, v.limit
		}
		if attempt >= t.maxRetries {
			discard(resp)
			re := &RetryError{Method: req.Method, Path: req.URL.Path, Attempts: attempt + 1, Last: v.reason, Err: err}
			if resp != nil {
				re.StatusCode = resp.StatusCode
			}
			if v.limit != nil {
				re.Err = v.limit
			}
			return nil, re
		}
		discard(resp)
		wait := v.wait
		t.logf("ghapi: %s %s: %s; retry %d of %d in %s", req.Method, req.URL.Path, v.reason, attempt+1, t.maxRetries, wait)
		t.retries.Add(1)
		t.waited.Add(int64(wait))
		if err := t.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// judge decides whether a response is final. A final response keeps its whole body.
func (t *transport) judge(req *http.Request, resp *http.Response, attempt int) verdict {
	code := resp.StatusCode
	switch {
	case code >= 500 && code != http.StatusNotImplemented:
		v := verdict{retry: true, wait: backoff(attempt), reason: resp.Status}
		// A 503 may say when to come back; honour it when it is within bounds.
		if d, ok := retryAfter(resp.Header, serverNow(resp)); ok && d <= t.maxWait {
			v.wait = d
		}
		return v
	case code == http.StatusForbidden || code == http.StatusTooManyRequests:
		return t.judgeLimit(req, resp)
	case code < 400 && resp.Header.Get("X-RateLimit-Remaining") == "0":
		// go-github remembers a zero remaining count and then fails every later call itself,
		// before this transport could wait for the reset. It skips remembering the rate of a
		// cached response; the caller still sees the real headers in Response.Rate.
		resp.Header.Set("X-From-Cache", "ghapi")
	}
	return verdict{}
}

// judgeLimit tells a rate limit, primary or secondary, from a permission error. Order follows
// GitHub's advice: Retry-After first, then an exhausted primary limit, then the message.
func (t *transport) judgeLimit(req *http.Request, resp *http.Response) verdict {
	now := serverNow(resp)
	limit := &RateLimitError{Method: req.Method, Path: req.URL.Path, StatusCode: resp.StatusCode, MaxWait: t.maxWait}
	h := resp.Header
	if d, ok := retryAfter(h, now); ok {
		limit.Secondary, limit.Wait = true, d
	} else if h.Get("X-RateLimit-Remaining") == "0" {
		limit.Limit, _ = strconv.Atoi(h.Get("X-RateLimit-Limit"))
		limit.Resource = h.Get("X-RateLimit-Resource")
		limit.Wait = secondaryDefaultWait
		if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			limit.Reset = time.Unix(reset, 0).UTC()
			limit.Wait = max(limit.Reset.Sub(now), 0)
		}
	} else if mentionsSecondaryLimit(resp) || resp.StatusCode == http.StatusTooManyRequests {
		limit.Secondary, limit.Wait = true, secondaryDefaultWait
	} else {
		return verdict{} // a permission error: final
	}
	reason := resp.Status + " (primary rate limit)"
	if limit.Secondary {
		reason = resp.Status + " (secondary rate limit)"
	}
	return verdict{retry: true, wait: limit.Wait, reason: reason, limit: limit}
}

// mentionsSecondaryLimit reads the start of the body for GitHub's wording and puts it back.
func mentionsSecondaryLimit(resp *http.Response) bool {
	head, err := io.ReadAll(io.LimitReader(resp.Body, peekLimit))
	resp.Body = &peekedBody{Reader: io.MultiReader(bytes.NewReader(head), resp.Body), Closer: resp.Body}
	if err != nil {
		return false
	}
	s := strings.ToLower(string(head))
	return strings.Contains(s, "secondary rate limit") || strings.Contains(s, "abuse detection")
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP date (RFC 9110 10.2.3).
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	const longest = 24 * time.Hour // beyond any MaxWait; keeps the arithmetic from overflowing
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, int64(longest/time.Second))) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return min(max(at.Sub(now), 0), longest), true
	}
	return 0, false
}

// serverNow is the server's clock from the Date header, so a runner's clock skew does not
// shorten a wait for a reset given in the server's time; the local clock without one. Date is
// truncated to the second, which can only lengthen the wait.
func serverNow(resp *http.Response) time.Time {
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		return d
	}
	return time.Now()
}

// backoff is the full-jitter wait before retry n.
func backoff(n int) time.Duration {
	ceiling := backoffCap
	if n < 5 {
		ceiling = min(backoffCap, backoffBase<<n)
	}
	return rand.N(ceiling + 1)
}

// retryableError reports transport errors worth another attempt: everything but a failed TLS
// verification, an unknown host and a malformed request, which the next attempt would repeat.
func retryableError(err error) bool {
	var (
		unknownAuthority x509.UnknownAuthorityError
		invalidCert      x509.CertificateInvalidError
		hostname         x509.HostnameError
		verify           *tls.CertificateVerificationError
		record           tls.RecordHeaderError
		dns              *net.DNSError
	)
	switch {
	case errors.As(err, &unknownAuthority), errors.As(err, &invalidCert), errors.As(err, &hostname),
		errors.As(err, &verify), errors.As(err, &record):
		return false
	case errors.As(err, &dns):
		return !dns.IsNotFound
	case strings.Contains(err.Error(), "unsupported protocol scheme"),
		strings.Contains(err.Error(), "invalid header field"):
		return false
	}
	return true
}

// discard drains a little of a response body so the connection can be reused, and closes it.
func discard(resp *http.Response) {
	if resp == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, peekLimit))
	_ = resp.Body.Close()
}

// cancelBody ends an attempt's context when the caller closes the body.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// peekedBody is a body whose start was read and put back.
type peekedBody struct {
	io.Reader
	io.Closer
}
