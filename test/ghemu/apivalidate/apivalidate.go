// Package apivalidate holds GitHub's REST API emulator to GitHub's own OpenAPI
// description: a middleware checks every request against the operation it
// names and every response against what that operation declares.
//
// The description is the subset in test/ghemu/openapi (see its SOURCE.md):
// a request for an operation outside it is answered 404 and counted as a
// problem, so the subset grows with what shipkit calls.
package apivalidate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/shipkit-dev/shipkit/test/ghemu/openapi"
)

// operationsFile is where a missing operation is to be added.
const operationsFile = "test/ghemu/openapi/operations.txt"

// docsURL is the documentation_url GitHub gives when it knows no operation.
const docsURL = "https://docs.github.com/rest"

// genericStatuses are the error statuses GitHub can answer to any operation
// (bad credentials, a missing permission or rate limit, a repository the token
// cannot see) although many operations do not declare them. They are accepted
// when undeclared if the body is GitHub's basic-error object.
var genericStatuses = map[int]bool{
	http.StatusUnauthorized: true,
	http.StatusForbidden:    true,
	http.StatusNotFound:     true,
}

// schemaOptions keep schema errors to their reason: without them a message
// quotes the whole schema and value, thousands of lines for GitHub's objects.
var schemaOptions = []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()}

var requestOptions = &openapi3filter.Options{
	MultiError: true,
	// The emulator must see the request as the client sent it.
	SkipSettingDefaults:     true,
	AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc,
	SchemaValidationOptions: schemaOptions,
}

var responseOptions = &openapi3filter.Options{
	MultiError:              true,
	IncludeResponseStatus:   true,
	SchemaValidationOptions: schemaOptions,
}

// spec is the loaded description, shared read-only by every Validator.
type spec struct {
	doc        *openapi3.T
	router     *router
	basicError *openapi3.Schema
}

// loadEmbedded loads the embedded subset once per process: loading takes tens
// of milliseconds, and tests make many Validators.
var loadEmbedded = sync.OnceValues(func() (*spec, error) {
	return load(openapi.Subset)
})

// load parses an OpenAPI document and prepares it for validation.
func load(data []byte) (*spec, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("loading the OpenAPI subset: %w", err)
	}
	// doc.Validate() is not called: GitHub's own description does not pass
	// it, and the subset is GitHub's text. Servers are not used either: the
	// router matches paths only, wherever the emulator listens.
	rt, err := newRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("routing the OpenAPI subset: %w", err)
	}
	s := &spec{doc: doc, router: rt}
	if doc.Components != nil {
		if ref := doc.Components.Schemas["basic-error"]; ref != nil {
			s.basicError = ref.Value
		}
	}
	if s.basicError == nil {
		return nil, errors.New("loading the OpenAPI subset: it has no basic-error schema: regenerate it with test/ghemu/openapi/update.sh")
	}
	return s, nil
}

// Validator is a middleware that validates an emulator's traffic against the
// OpenAPI subset, and the record of what it found. It is safe for concurrent
// use.
type Validator struct {
	spec *spec

	mu         sync.Mutex
	problems   []string
	rejections []string
}

// New returns a Validator over the embedded OpenAPI subset, which is loaded
// the first time only.
func New() (*Validator, error) {
	s, err := loadEmbedded()
	if err != nil {
		return nil, err
	}
	return &Validator{spec: s}, nil
}

// Wrap returns a handler that validates each request before next sees it.
//
// A request that matches no operation of the subset is answered 404 Not
// Found, as GitHub answers, and recorded as a problem. A request that the
// operation's description rejects (path or query parameters, body schema) is
// answered 422 with GitHub's "Invalid request." message and recorded as a
// rejection; next does not see it. Every response of next is validated
// (status declared, Content-Type, body schema, declared headers) and any
// mismatch recorded as a problem; the response reaches the client unchanged.
// Of the statuses an operation does not declare, only 401, 403 and 404 are
// accepted, and only with GitHub's basic-error JSON body, since GitHub sends
// them for any operation.
func (v *Validator) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt, op, params, ok := v.spec.router.find(r.Method, r.URL.EscapedPath())
		if !ok {
			v.record(&v.problems, fmt.Sprintf("%s %s matches no operation in the OpenAPI subset: add its operationId to %s", r.Method, r.URL.Path, operationsFile))
			writeError(w, http.StatusNotFound, "Not Found", docsURL)
			return
		}
		name := fmt.Sprintf("%s %s (%s)", r.Method, r.URL.Path, op.OperationID)

		var body []byte
		if r.Body != nil {
			var err error
			body, err = io.ReadAll(r.Body)
			r.Body.Close()
			if err != nil {
				http.Error(w, "reading the request body: "+err.Error(), http.StatusBadRequest)
				return
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		in := &openapi3filter.RequestValidationInput{
			Request:    r,
			PathParams: params,
			Route: &routers.Route{
				Spec:      v.spec.doc,
				Path:      rt.template,
				PathItem:  rt.item,
				Method:    r.Method,
				Operation: op,
			},
			Options: requestOptions,
		}
		if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
			reason := reasons(err)
			v.record(&v.rejections, name+": "+reason)
			docs := docsURL
			if op.ExternalDocs != nil && op.ExternalDocs.URL != "" {
				docs = op.ExternalDocs.URL
			}
			writeError(w, http.StatusUnprocessableEntity, "Invalid request.\n\n"+reason, docs)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))

		rec := &recorder{header: http.Header{}}
		next.ServeHTTP(rec, r)
		if !rec.wroteHeader {
			rec.WriteHeader(http.StatusOK)
		}
		if reason := v.checkResponse(in, rec); reason != "" {
			v.record(&v.problems, fmt.Sprintf("%s answered %d: %s", name, rec.status, reason))
		}
		rec.copyTo(w)
	})
}

// checkResponse returns why a response does not fit its operation, or "".
func (v *Validator) checkResponse(in *openapi3filter.RequestValidationInput, rec *recorder) string {
	header := rec.header.Clone()
	if header.Get("Content-Type") == "" && rec.body.Len() > 0 {
		// What net/http will send, and so what the client sees.
		header.Set("Content-Type", http.DetectContentType(rec.body.Bytes()))
	}
	responses := in.Route.Operation.Responses
	if responses.Status(rec.status) == nil && responses.Default() == nil && genericStatuses[rec.status] {
		return v.checkBasicError(header, rec.body.Bytes())
	}
	err := openapi3filter.ValidateResponse(in.Request.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 rec.status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(rec.body.Bytes())),
		Options:                responseOptions,
	})
	if err != nil {
		return reasons(err)
	}
	return ""
}

// checkBasicError checks an undeclared generic error against GitHub's
// basic-error schema ({"message": ..., "documentation_url": ...}).
func (v *Validator) checkBasicError(header http.Header, body []byte) string {
	ct := header.Get("Content-Type")
	if mt, _, _ := strings.Cut(ct, ";"); strings.TrimSpace(mt) != "application/json" {
		return fmt.Sprintf("an undeclared error status needs GitHub's basic-error JSON, got Content-Type %q", ct)
	}
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return fmt.Sprintf("decoding the error body: %v", err)
	}
	opts := append([]openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.VisitAsResponse()}, schemaOptions...)
	if err := v.spec.basicError.VisitJSON(value, opts...); err != nil {
		return "the body of an undeclared error status does not match basic-error: " + reasons(err)
	}
	return ""
}

// OperationID returns the operationId that r routes to, or "" when it routes
// to none. Emulators use it to count requests per operation.
func (v *Validator) OperationID(r *http.Request) string {
	_, op, _, ok := v.spec.router.find(r.Method, r.URL.EscapedPath())
	if !ok {
		return ""
	}
	return op.OperationID
}

// Problems returns what the emulator got wrong so far: responses that do not
// fit the description, and requests for operations outside the subset. A
// test asserts it is empty.
func (v *Validator) Problems() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.problems...)
}

// Rejections returns the requests answered 422 because the description
// rejects them, each as "METHOD PATH (operationId): reason".
func (v *Validator) Rejections() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.rejections...)
}

// Reset forgets the problems and rejections recorded so far.
func (v *Validator) Reset() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.problems, v.rejections = nil, nil
}

func (v *Validator) record(list *[]string, msg string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	*list = append(*list, msg)
}

// reasons flattens kin-openapi's errors, one reason a line, each with its
// context ("request body has an error: doesn't match schema: Error at ...").
func reasons(err error) string {
	return strings.Join(reasonList(err, nil), "\n")
}

func reasonList(err error, acc []string) []string {
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, inner := range e {
			acc = reasonList(inner, acc)
		}
		return acc
	case *openapi3filter.RequestError:
		if me, ok := e.Err.(openapi3.MultiError); ok {
			for _, inner := range me {
				acc = append(acc, (&openapi3filter.RequestError{Parameter: e.Parameter, RequestBody: e.RequestBody, Reason: e.Reason, Err: inner}).Error())
			}
			return acc
		}
	case *openapi3filter.ResponseError:
		if me, ok := e.Err.(openapi3.MultiError); ok {
			for _, inner := range me {
				acc = append(acc, (&openapi3filter.ResponseError{Reason: e.Reason, Err: inner}).Error())
			}
			return acc
		}
	}
	return append(acc, err.Error())
}

// writeError answers the way GitHub does: a JSON object with a message.
func writeError(w http.ResponseWriter, status int, message, docs string) {
	body, _ := json.Marshal(map[string]string{
		"message":           message,
		"documentation_url": docs,
		"status":            strconv.Itoa(status),
	})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(body)
}

// recorder holds a response until it has been validated.
type recorder struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.wroteHeader {
		return
	}
	r.status, r.wroteHeader = status, true
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wroteHeader {
		r.WriteHeader(http.StatusOK)
	}
	return r.body.Write(b)
}

func (r *recorder) copyTo(w http.ResponseWriter) {
	h := w.Header()
	for k, vs := range r.header {
		h[k] = vs
	}
	w.WriteHeader(r.status)
	w.Write(r.body.Bytes())
}
