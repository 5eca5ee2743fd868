package ghemu

import (
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// Fault is an injected failure: requests it matches get its response instead
// of the emulated one, after an optional delay.
type Fault struct {
	// Method, when set, limits the fault to requests with this method.
	Method string
	// Path, when set, limits the fault to requests whose URL path matches.
	Path *regexp.Regexp
	// OperationID, when set, limits the fault to one operation, for
	// example "git/update-ref".
	OperationID string
	// Status is the response's status code. Zero means only the delay is
	// injected and the request is then served normally.
	Status int
	// Header is added to the response.
	Header http.Header
	// Body is the response body, sent as is.
	Body string
	// Times is how many requests the fault hits; 0 means all of them.
	Times int
	// Delay is waited before answering.
	Delay time.Duration
}

type faultState struct {
	Fault
	left int // -1 = forever
}

// InjectFault adds a fault. Faults are tried in the order they were added;
// the first one that matches a request (and has hits left) answers it.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	left := f.Times
	if left == 0 {
		left = -1
	}
	s.faults = append(s.faults, &faultState{Fault: f, left: left})
}

// ClearFaults removes all faults.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

func (s *Server) takeFault(r *http.Request, op string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.left == 0 ||
			(f.Method != "" && f.Method != r.Method) ||
			(f.Path != nil && !f.Path.MatchString(r.URL.Path)) ||
			(f.OperationID != "" && f.OperationID != op) {
			continue
		}
		if f.left > 0 {
			f.left--
		}
		ff := f.Fault
		return &ff
	}
	return nil
}

// SecondaryRateLimit is a fault answering as GitHub does when a client hits
// a secondary rate limit: 403 with Retry-After and the message and
// documentation_url by which clients (go-github's AbuseRateLimitError)
// recognise it. Set Method, Path, OperationID or Times on the result.
func SecondaryRateLimit(retryAfter time.Duration) Fault {
	h := http.Header{}
	h.Set("Retry-After", strconv.Itoa(int(retryAfter.Round(time.Second)/time.Second)))
	h.Set("Content-Type", "application/json; charset=utf-8")
	return Fault{
		Status: http.StatusForbidden,
		Header: h,
		Body: `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.",` +
			`"documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits","status":"403"}`,
	}
}

// PrimaryRateLimit is a fault answering as GitHub does when the primary
// rate limit is used up until reset: 403 with X-RateLimit-Remaining 0.
func PrimaryRateLimit(reset time.Time) Fault {
	h := http.Header{}
	h.Set("X-RateLimit-Limit", strconv.Itoa(rateLimit))
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Used", strconv.Itoa(rateLimit))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("Content-Type", "application/json; charset=utf-8")
	return Fault{
		Status: http.StatusForbidden,
		Header: h,
		Body: `{"message":"API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID.",` +
			`"documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api","status":"403"}`,
	}
}

// ServerError is a fault answering 502 Bad Gateway with GitHub's body, as
// its front end does when a backend times out.
func ServerError() Fault {
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	return Fault{
		Status: http.StatusBadGateway,
		Header: h,
		Body:   `{"message":"Server Error"}`,
	}
}
