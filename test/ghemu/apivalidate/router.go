package apivalidate

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// segment is one part of a path template: a literal, or a parameter that
// takes one segment or, when the description marks it x-multi-segment, one
// or more (a file path, a ref like heads/feature/x, a BASE...HEAD pair).
type segment struct {
	literal string
	param   string
	multi   bool
}

// route is a path template of the description, ready for matching.
type route struct {
	template string
	segments []segment
	literals int // more literal segments make a more specific route
	item     *openapi3.PathItem
}

// router matches requests to the description's operations by path and
// method only: the host and scheme of the request do not matter, so the
// emulator can listen anywhere.
type router struct {
	routes []*route
}

// newRouter builds a router over every path of doc.
func newRouter(doc *openapi3.T) (*router, error) {
	var rt router
	for template, item := range doc.Paths.Map() {
		r, err := parseTemplate(template, item)
		if err != nil {
			return nil, err
		}
		rt.routes = append(rt.routes, r)
	}
	// Most specific first; the template breaks ties so matching is stable.
	slices.SortFunc(rt.routes, func(a, b *route) int {
		if a.literals != b.literals {
			return b.literals - a.literals
		}
		return strings.Compare(a.template, b.template)
	})
	return &rt, nil
}

// parseTemplate splits a template such as /repos/{owner}/{repo}/contents/{path}.
// A parameter is multi-segment when one of the path item's or its operations'
// parameters of that name says x-multi-segment: true.
func parseTemplate(template string, item *openapi3.PathItem) (*route, error) {
	if !strings.HasPrefix(template, "/") {
		return nil, fmt.Errorf("parsing path %q: want a leading /", template)
	}
	multi := multiSegmentParams(item)
	r := &route{template: template, item: item}
	for _, s := range strings.Split(template[1:], "/") {
		name, isParam := strings.CutPrefix(s, "{")
		if isParam {
			var ok bool
			if name, ok = strings.CutSuffix(name, "}"); !ok || name == "" || strings.ContainsAny(name, "{}") {
				return nil, fmt.Errorf("parsing path %q: segment %q: only whole-segment parameters are supported", template, s)
			}
			r.segments = append(r.segments, segment{param: name, multi: multi[name]})
			continue
		}
		if strings.ContainsAny(s, "{}") {
			return nil, fmt.Errorf("parsing path %q: segment %q: only whole-segment parameters are supported", template, s)
		}
		r.segments = append(r.segments, segment{literal: s})
		r.literals++
	}
	return r, nil
}

func multiSegmentParams(item *openapi3.PathItem) map[string]bool {
	multi := map[string]bool{}
	add := func(params openapi3.Parameters) {
		for _, p := range params {
			if p == nil || p.Value == nil || p.Value.In != openapi3.ParameterInPath {
				continue
			}
			if v, ok := p.Value.Extensions["x-multi-segment"].(bool); ok && v {
				multi[p.Value.Name] = true
			}
		}
	}
	add(item.Parameters)
	for _, op := range item.Operations() {
		add(op.Parameters)
	}
	return multi
}

// find returns the operation for method and the escaped path, with its path
// parameters unescaped. ok is false when no path template with that method
// matches.
func (rt *router) find(method, escapedPath string) (r *route, op *openapi3.Operation, params map[string]string, ok bool) {
	rest, ok := strings.CutPrefix(escapedPath, "/")
	if !ok {
		return nil, nil, nil, false
	}
	parts := strings.Split(rest, "/")
	for i, p := range parts {
		u, err := url.PathUnescape(p)
		if err != nil {
			return nil, nil, nil, false
		}
		parts[i] = u
	}
	for _, r := range rt.routes {
		op := r.item.GetOperation(strings.ToUpper(method))
		if op == nil {
			continue
		}
		params := map[string]string{}
		if match(r.segments, parts, params) {
			return r, op, params, true
		}
	}
	return nil, nil, nil, false
}

// match reports whether parts fit segs, filling params. A multi-segment
// parameter takes as many parts as it can while the rest still fits.
func match(segs []segment, parts []string, params map[string]string) bool {
	if len(segs) == 0 {
		return len(parts) == 0
	}
	if len(parts) == 0 {
		return false
	}
	s := segs[0]
	switch {
	case s.param == "":
		return parts[0] == s.literal && match(segs[1:], parts[1:], params)
	case !s.multi:
		if parts[0] == "" {
			return false
		}
		params[s.param] = parts[0]
		return match(segs[1:], parts[1:], params)
	}
	// A value never holds an empty segment, so it ends before the first one.
	most := len(parts) - len(segs) + 1
	if i := slices.Index(parts, ""); i >= 0 && i < most {
		most = i
	}
	for n := most; n >= 1; n-- {
		if match(segs[1:], parts[n:], params) {
			params[s.param] = strings.Join(parts[:n], "/")
			return true
		}
	}
	delete(params, s.param)
	return false
}
