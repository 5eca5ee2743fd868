package ghemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	gqlvalidator "github.com/vektah/gqlparser/v2/validator"
	_ "github.com/vektah/gqlparser/v2/validator/rules" // the spec's query validation rules

	"github.com/shipkit-dev/shipkit/test/ghemu/graphqlschema"
)

// GraphQLOperation is the name under which Count and Counts record requests
// to the GraphQL endpoint (POST /graphql).
const GraphQLOperation = "graphql"

func init() {
	routes = append(routes, &route{method: "POST", pattern: []string{"graphql"}, op: GraphQLOperation, h: (*call).graphql})
}

// aroundOpenAPI sends GraphQL requests to direct, past the OpenAPI validator
// (which knows REST operations only), and everything else to validated.
// GraphQL requests are validated against GitHub's GraphQL schema instead.
func aroundOpenAPI(validated, direct http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.EscapedPath() == "/graphql" {
			direct.ServeHTTP(w, r)
			return
		}
		validated.ServeHTTP(w, r)
	})
}

// graphqlState is the emulator's GraphQL-only state: repository settings and
// auto-merge requests that GitHub exposes through GraphQL.
type graphqlState struct {
	mu               sync.Mutex
	autoMergeAllowed map[string]bool              // by lower-case owner/name
	autoMerge        map[string]*AutoMergeRequest // by the pull request's node id
}

// AutoMergeRequest is an armed auto-merge of a pull request.
type AutoMergeRequest struct {
	MergeMethod string // MERGE, SQUASH or REBASE
	EnabledAt   time.Time
}

// AllowAutoMerge plays the repository setting "Allow auto-merge" of
// owner/name (off for a new repository, as on GitHub).
func (s *Server) AllowAutoMerge(owner, name string, allow bool) {
	s.mustRepo(owner, name)
	g := &s.gql
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.autoMergeAllowed == nil {
		g.autoMergeAllowed = map[string]bool{}
	}
	g.autoMergeAllowed[strings.ToLower(owner+"/"+name)] = allow
}

// AutoMerge returns the armed auto-merge of pull request number of
// owner/name, if any.
func (s *Server) AutoMerge(owner, name string, number int) (AutoMergeRequest, bool) {
	r := s.mustRepo(owner, name)
	r.mu.Lock()
	var id string
	for _, p := range r.pulls {
		if p.Number == number {
			id = nodeID("PullRequest", p.id)
		}
	}
	r.mu.Unlock()
	g := &s.gql
	g.mu.Lock()
	defer g.mu.Unlock()
	if a := g.autoMerge[id]; a != nil {
		return *a, true
	}
	return AutoMergeRequest{}, false
}

func (s *Server) autoMergeAllowed(r *repo) bool {
	g := &s.gql
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.autoMergeAllowed[strings.ToLower(r.fullName())]
}

// gqlSchema is GitHub's schema, loaded once per process (about 50 ms).
type gqlSchema struct {
	schema *ast.Schema
	// dropped are the fields defined twice in the published SDL whose
	// second definition was dropped, as "Type.field".
	dropped []string
}

var loadGraphQLSchema = sync.OnceValues(func() (*gqlSchema, error) {
	return parseGraphQLSchema(graphqlschema.Schema)
})

// parseGraphQLSchema parses and validates a schema in SDL. A field defined
// twice in one type keeps its first definition: GitHub's published schema
// has such duplicates (see graphqlschema/SOURCE.md), which a strict validator
// refuses.
func parseGraphQLSchema(sdl string) (*gqlSchema, error) {
	doc, err := parser.ParseSchemas(gqlvalidator.Prelude, &ast.Source{Name: "schema.graphql", Input: sdl})
	if err != nil {
		return nil, fmt.Errorf("parsing GitHub's GraphQL schema: %w", err)
	}
	out := &gqlSchema{}
	for _, defs := range []ast.DefinitionList{doc.Definitions, doc.Extensions} {
		for _, d := range defs {
			seen := map[string]bool{}
			d.Fields = slices.DeleteFunc(d.Fields, func(f *ast.FieldDefinition) bool {
				if seen[f.Name] {
					out.dropped = append(out.dropped, d.Name+"."+f.Name)
					return true
				}
				seen[f.Name] = true
				return false
			})
		}
	}
	if out.schema, err = gqlvalidator.ValidateSchemaDocument(doc); err != nil {
		return nil, fmt.Errorf("validating GitHub's GraphQL schema: %w", err)
	}
	return out, nil
}

// gqlError is one entry of a GraphQL response's errors, in GitHub's shape.
type gqlError struct {
	Type      string         `json:"type,omitempty"`
	Path      []any          `json:"path,omitempty"`
	Locations []gqlLocation  `json:"locations,omitempty"`
	Message   string         `json:"message"`
	Extra     map[string]any `json:"extensions,omitempty"`
}

type gqlLocation struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// graphql serves POST /graphql: the request is parsed and validated against
// GitHub's schema (a request the schema rejects is answered as GitHub does
// and recorded as a problem, since it is a mistake of the client), then
// executed over the emulator's state for the fields shipkit uses. A field the
// schema has but the emulator does not serve is answered with an error and
// recorded as a problem, so that the emulator grows with what shipkit asks.
func (c *call) graphql() {
	var req struct {
		Query         string         `json:"query"`
		Variables     map[string]any `json:"variables"`
		OperationName string         `json:"operationName"`
	}
	if !c.decode(&req) {
		return
	}
	sch, err := loadGraphQLSchema()
	if err != nil {
		c.internal(err)
		return
	}
	doc, errs := loadQuery(sch.schema, req.Query)
	if len(errs) > 0 {
		c.s.problem("POST /graphql: the request does not validate against GitHub's GraphQL schema: %s", errs.Error())
		c.json(200, obj{"errors": listErrors(errs)})
		return
	}
	var op *ast.OperationDefinition
	switch {
	case req.OperationName != "":
		op = doc.Operations.ForName(req.OperationName)
	case len(doc.Operations) == 1:
		op = doc.Operations[0]
	}
	if op == nil {
		msg := "Unknown operation named '" + req.OperationName + "'."
		if req.OperationName == "" {
			msg = "An operation name is required when the document holds several operations."
		}
		c.s.problem("POST /graphql: %s", msg)
		c.json(200, obj{"errors": []gqlError{{Message: msg}}})
		return
	}
	vars, err := gqlvalidator.VariableValues(sch.schema, op, req.Variables)
	if err != nil {
		c.s.problem("POST /graphql: the variables do not validate against GitHub's GraphQL schema: %v", err)
		c.json(200, obj{"errors": []gqlError{{Message: err.Error()}}})
		return
	}
	ex := &gqlExec{c: c, schema: sch.schema, vars: vars}
	var root *gqlObject
	switch op.Operation {
	case ast.Query:
		root = ex.queryRoot()
	case ast.Mutation:
		root = ex.mutationRoot()
	default:
		c.s.problem("POST /graphql: %s operations are not emulated", op.Operation)
		c.json(200, obj{"errors": []gqlError{{Message: "Subscriptions are not supported."}}})
		return
	}
	data := ex.selectAll(op.SelectionSet, root, nil)
	out := obj{"data": data}
	if len(ex.errs) > 0 {
		out["errors"] = ex.errs
	}
	c.json(200, out)
}

// loadQuery parses and validates a query, turning a panic of the parser
// (on input no client should send) into an error.
func loadQuery(schema *ast.Schema, q string) (doc *ast.QueryDocument, errs gqlerror.List) {
	defer func() {
		if v := recover(); v != nil {
			doc, errs = nil, gqlerror.List{gqlerror.Errorf("parsing the query: %v", v)}
		}
	}()
	doc, err := parser.ParseQuery(&ast.Source{Name: "query", Input: q})
	if err != nil {
		if l, ok := err.(gqlerror.List); ok {
			return nil, l
		}
		if e, ok := err.(*gqlerror.Error); ok {
			return nil, gqlerror.List{e}
		}
		return nil, gqlerror.List{gqlerror.Wrap(err)}
	}
	if errs := gqlvalidator.Validate(schema, doc); len(errs) > 0 {
		return nil, errs
	}
	return doc, nil
}

func listErrors(errs gqlerror.List) []gqlError {
	out := make([]gqlError, 0, len(errs))
	for _, e := range errs {
		ge := gqlError{Message: e.Message}
		for _, l := range e.Locations {
			ge.Locations = append(ge.Locations, gqlLocation{Line: l.Line, Column: l.Column})
		}
		out = append(out, ge)
	}
	return out
}

// gqlResolver resolves one field from its arguments: a scalar, a *gqlObject,
// a []*gqlObject, or an error (with its GitHub type) that nulls the field.
type gqlResolver func(args map[string]any) (any, *gqlError)

// gqlObject is a value of an object type: its resolvers by field name.
type gqlObject struct {
	typename string
	fields   map[string]gqlResolver
}

// gqlExec is one request's execution.
type gqlExec struct {
	c      *call
	schema *ast.Schema
	vars   map[string]any
	errs   []gqlError
}

func (ex *gqlExec) selectAll(set ast.SelectionSet, o *gqlObject, path []any) obj {
	out := obj{}
	ex.selectInto(out, set, o, path)
	return out
}

func (ex *gqlExec) selectInto(out obj, set ast.SelectionSet, o *gqlObject, path []any) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if ex.skipped(s.Directives) {
				continue
			}
			key := s.Alias
			if key == "" {
				key = s.Name
			}
			if s.Name == "__typename" {
				out[key] = o.typename
				continue
			}
			out[key] = ex.field(s, o, append(slices.Clip(path), key))
		case *ast.InlineFragment:
			if !ex.skipped(s.Directives) && ex.applies(s.TypeCondition, o.typename) {
				ex.selectInto(out, s.SelectionSet, o, path)
			}
		case *ast.FragmentSpread:
			if !ex.skipped(s.Directives) && s.Definition != nil && ex.applies(s.Definition.TypeCondition, o.typename) {
				ex.selectInto(out, s.Definition.SelectionSet, o, path)
			}
		}
	}
}

// skipped applies @skip and @include.
func (ex *gqlExec) skipped(dirs ast.DirectiveList) bool {
	if d := dirs.ForName("skip"); d != nil {
		if v, _ := d.ArgumentMap(ex.vars)["if"].(bool); v {
			return true
		}
	}
	if d := dirs.ForName("include"); d != nil {
		if v, _ := d.ArgumentMap(ex.vars)["if"].(bool); !v {
			return true
		}
	}
	return false
}

// applies reports whether a fragment on typeCondition applies to an object
// of type typename.
func (ex *gqlExec) applies(typeCondition, typename string) bool {
	if typeCondition == "" || typeCondition == typename {
		return true
	}
	def := ex.schema.Types[typeCondition]
	if def == nil {
		return false
	}
	for _, t := range ex.schema.GetPossibleTypes(def) {
		if t.Name == typename {
			return true
		}
	}
	return false
}

func (ex *gqlExec) field(f *ast.Field, o *gqlObject, path []any) any {
	r := o.fields[f.Name]
	if r == nil {
		ex.c.s.problem("POST /graphql: %s.%s is in GitHub's schema but not emulated: add it to test/ghemu/graphql.go", o.typename, f.Name)
		ex.fail(f, path, &gqlError{Type: "NOT_EMULATED", Message: fmt.Sprintf("The emulator does not serve %s.%s.", o.typename, f.Name)})
		return nil
	}
	v, gerr := r(f.ArgumentMap(ex.vars))
	if gerr != nil {
		ex.fail(f, path, gerr)
		return nil
	}
	switch v := v.(type) {
	case *gqlObject:
		if v == nil {
			return nil
		}
		return ex.selectAll(f.SelectionSet, v, path)
	case []*gqlObject:
		list := make([]obj, len(v))
		for i, item := range v {
			list[i] = ex.selectAll(f.SelectionSet, item, append(slices.Clip(path), i))
		}
		return list
	default:
		return v
	}
}

func (ex *gqlExec) fail(f *ast.Field, path []any, e *gqlError) {
	e.Path = path
	if f.Position != nil {
		e.Locations = []gqlLocation{{Line: f.Position.Line, Column: f.Position.Column}}
	}
	ex.errs = append(ex.errs, *e)
}

func value(v any) gqlResolver { return func(map[string]any) (any, *gqlError) { return v, nil } }

func (ex *gqlExec) queryRoot() *gqlObject {
	s := ex.c.s
	return &gqlObject{typename: "Query", fields: map[string]gqlResolver{
		"repository": func(args map[string]any) (any, *gqlError) {
			owner, _ := args["owner"].(string)
			name, _ := args["name"].(string)
			r := s.repo(owner, name)
			if r == nil {
				return nil, &gqlError{Type: "NOT_FOUND", Message: fmt.Sprintf("Could not resolve to a Repository with the name '%s/%s'.", owner, name)}
			}
			return ex.repoObject(r), nil
		},
		"node": func(args map[string]any) (any, *gqlError) {
			id, _ := args["id"].(string)
			r, p := s.pullByNodeID(id)
			if p == nil {
				return nil, &gqlError{Type: "NOT_FOUND", Message: fmt.Sprintf("Could not resolve to a node with the global id of '%s'", id)}
			}
			return ex.pullObject(r, p), nil
		},
		"viewer": value(&gqlObject{typename: "User", fields: map[string]gqlResolver{
			"login": value(actorLogin), "id": value(nodeID("User", actorID)),
		}}),
	}}
}

func (ex *gqlExec) mutationRoot() *gqlObject {
	s := ex.c.s
	payload := func(typename string, args map[string]any, r *repo, p *PullRequest) *gqlObject {
		in, _ := args["input"].(map[string]any)
		return &gqlObject{typename: typename, fields: map[string]gqlResolver{
			"clientMutationId": value(in["clientMutationId"]),
			"pullRequest":      value(ex.pullObject(r, p)),
			"actor": value(&gqlObject{typename: "Bot", fields: map[string]gqlResolver{
				"login": value(actorLogin),
			}}),
		}}
	}
	find := func(args map[string]any) (*repo, *PullRequest, *gqlError) {
		in, _ := args["input"].(map[string]any)
		id, _ := in["pullRequestId"].(string)
		r, p := s.pullByNodeID(id)
		if p == nil {
			return nil, nil, &gqlError{Type: "NOT_FOUND", Message: fmt.Sprintf("Could not resolve to a node with the global id of '%s'", id)}
		}
		return r, p, nil
	}
	return &gqlObject{typename: "Mutation", fields: map[string]gqlResolver{
		"enablePullRequestAutoMerge": func(args map[string]any) (any, *gqlError) {
			r, p, gerr := find(args)
			if gerr != nil {
				return nil, gerr
			}
			in, _ := args["input"].(map[string]any)
			method, _ := in["mergeMethod"].(string)
			if method == "" {
				method = "MERGE"
			}
			unprocessable := func(msg string) (any, *gqlError) {
				// GitHub prefixes the resource's name to its validation messages.
				return nil, &gqlError{Type: "UNPROCESSABLE", Message: "Pull request " + msg}
			}
			if !s.autoMergeAllowed(r) {
				return unprocessable("Auto merge is not allowed for this repository")
			}
			snap := ex.snapshot(r, p)
			if snap.State != "open" {
				return unprocessable("Pull request is closed")
			}
			switch st := ex.mergeState(r, snap); st {
			case "CLEAN", "UNSTABLE", "HAS_HOOKS", "DIRTY":
				return unprocessable("Pull request is in " + strings.ToLower(st) + " status")
			}
			g := &s.gql
			g.mu.Lock()
			if g.autoMerge == nil {
				g.autoMerge = map[string]*AutoMergeRequest{}
			}
			g.autoMerge[nodeID("PullRequest", snap.id)] = &AutoMergeRequest{MergeMethod: method, EnabledAt: time.Now().UTC().Truncate(time.Second)}
			g.mu.Unlock()
			return payload("EnablePullRequestAutoMergePayload", args, r, p), nil
		},
		"disablePullRequestAutoMerge": func(args map[string]any) (any, *gqlError) {
			r, p, gerr := find(args)
			if gerr != nil {
				return nil, gerr
			}
			g := &s.gql
			g.mu.Lock()
			delete(g.autoMerge, nodeID("PullRequest", p.id))
			g.mu.Unlock()
			return payload("DisablePullRequestAutoMergePayload", args, r, p), nil
		},
	}}
}

// pullByNodeID finds a pull request of any repository by its node id.
func (s *Server) pullByNodeID(id string) (*repo, *PullRequest) {
	s.mu.Lock()
	repos := make([]*repo, 0, len(s.repos))
	for _, r := range s.repos {
		repos = append(repos, r)
	}
	s.mu.Unlock()
	for _, r := range repos {
		r.mu.Lock()
		for _, p := range r.pulls {
			if nodeID("PullRequest", p.id) == id {
				r.mu.Unlock()
				return r, p
			}
		}
		r.mu.Unlock()
	}
	return nil, nil
}

func (ex *gqlExec) snapshot(r *repo, p *PullRequest) PullRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return *p
}

// mergeState is the pull request's MergeStateStatus: DIRTY on conflicts,
// BLOCKED when branch protection refuses the merge, UNSTABLE when a check or
// status of the head is not successful, DRAFT for drafts, else CLEAN.
func (ex *gqlExec) mergeState(r *repo, p PullRequest) string {
	if p.State != "open" {
		return "UNKNOWN"
	}
	headSHA := r.headSHA(&p)
	baseSHA, err := r.git.readRef("refs/heads/" + p.Base)
	if err != nil || baseSHA == "" {
		return "UNKNOWN"
	}
	_, clean, err := r.mergeTree(baseSHA, headSHA)
	switch {
	case err != nil:
		return "UNKNOWN"
	case !clean:
		return "DIRTY"
	case p.Draft:
		return "DRAFT"
	}
	c := &call{s: ex.c.s, repo: r}
	if _, v := c.checkProtection(p.Base, baseSHA, headSHA, true); len(v) > 0 {
		return "BLOCKED"
	}
	for _, st := range r.contextStates(headSHA) {
		if st != "success" {
			return "UNSTABLE"
		}
	}
	return "CLEAN"
}

func (ex *gqlExec) repoObject(r *repo) *gqlObject {
	s := ex.c.s
	return &gqlObject{typename: "Repository", fields: map[string]gqlResolver{
		"id":                  value(nodeID("Repository", r.id)),
		"name":                value(r.name),
		"nameWithOwner":       value(r.fullName()),
		"url":                 value(s.htmlURL(r)),
		"autoMergeAllowed":    func(map[string]any) (any, *gqlError) { return s.autoMergeAllowed(r), nil },
		"mergeCommitAllowed":  value(true),
		"squashMergeAllowed":  value(true),
		"rebaseMergeAllowed":  value(true),
		"viewerPermission":    value("WRITE"),
		"defaultBranchRef":    value(&gqlObject{typename: "Ref", fields: map[string]gqlResolver{"name": value(r.defaultBranch)}}),
		"deleteBranchOnMerge": value(false),
		"pullRequest": func(args map[string]any) (any, *gqlError) {
			n := toInt(args["number"])
			r.mu.Lock()
			var found *PullRequest
			for _, p := range r.pulls {
				if int64(p.Number) == n {
					found = p
				}
			}
			r.mu.Unlock()
			if found == nil {
				return nil, &gqlError{Type: "NOT_FOUND", Message: fmt.Sprintf("Could not resolve to a PullRequest with the number of %d.", n)}
			}
			return ex.pullObject(r, found), nil
		},
	}}
}

func (ex *gqlExec) pullObject(r *repo, p *PullRequest) *gqlObject {
	s := ex.c.s
	snap := ex.snapshot(r, p)
	id := nodeID("PullRequest", snap.id)
	state := strings.ToUpper(snap.State)
	if snap.Merged {
		state = "MERGED"
	}
	return &gqlObject{typename: "PullRequest", fields: map[string]gqlResolver{
		"id":          value(id),
		"number":      value(snap.Number),
		"title":       value(snap.Title),
		"body":        value(snap.Body),
		"url":         value(s.htmlURL(r) + "/pull/" + strconv.Itoa(snap.Number)),
		"state":       value(state),
		"merged":      value(snap.Merged),
		"isDraft":     value(snap.Draft),
		"closed":      value(snap.State == "closed"),
		"headRefName": value(snap.Head),
		"baseRefName": value(snap.Base),
		"headRefOid":  func(map[string]any) (any, *gqlError) { return r.headSHA(&snap), nil },
		"mergeStateStatus": func(map[string]any) (any, *gqlError) {
			return ex.mergeState(r, snap), nil
		},
		"mergeable": func(map[string]any) (any, *gqlError) {
			switch ex.mergeState(r, snap) {
			case "DIRTY":
				return "CONFLICTING", nil
			case "UNKNOWN":
				return "UNKNOWN", nil
			}
			return "MERGEABLE", nil
		},
		"autoMergeRequest": func(map[string]any) (any, *gqlError) {
			g := &s.gql
			g.mu.Lock()
			a := g.autoMerge[id]
			g.mu.Unlock()
			if a == nil || snap.State != "open" {
				return (*gqlObject)(nil), nil
			}
			return &gqlObject{typename: "AutoMergeRequest", fields: map[string]gqlResolver{
				"enabledAt":   value(ts(a.EnabledAt)),
				"mergeMethod": value(a.MergeMethod),
			}}, nil
		},
		"repository": func(map[string]any) (any, *gqlError) { return ex.repoObject(r), nil },
	}}
}

// toInt reads an Int argument, however the variables were decoded.
func toInt(v any) int64 {
	switch n := v.(type) {
	case int:
		return int64(n)
	case int64:
		return n
	case float64:
		return int64(n)
	case json.Number:
		i, _ := n.Int64()
		return i
	}
	return 0
}
