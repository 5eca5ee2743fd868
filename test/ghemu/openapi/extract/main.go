// Command extract cuts a subset out of GitHub's OpenAPI description: the
// operations named in a list, with every component they reference,
// transitively, and without the `example` and `examples` fields.
//
// Usage:
//
//	go run ./test/ghemu/openapi/extract -in api.github.com.json -ops operations.txt -out api.github.com.subset.json
//
// The list holds one operationId a line; blank lines and lines starting with
// `#` are ignored. Every listed operation must exist in the description.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

func main() {
	in := flag.String("in", "", "GitHub's OpenAPI description (api.github.com.json)")
	ops := flag.String("ops", "", "file listing one operationId a line")
	out := flag.String("out", "", "where to write the subset")
	flag.Parse()
	if *in == "" || *ops == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "extract: -in, -ops and -out are all required")
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*in, *ops, *out); err != nil {
		fmt.Fprintln(os.Stderr, "extract:", err)
		os.Exit(1)
	}
}

func run(inPath, opsPath, outPath string) error {
	ids, err := readOperations(opsPath)
	if err != nil {
		return err
	}
	f, err := os.Open(inPath)
	if err != nil {
		return fmt.Errorf("opening the description: %w", err)
	}
	defer f.Close()
	doc, err := decode(f)
	if err != nil {
		return fmt.Errorf("reading %q: %w", inPath, err)
	}
	subset, err := extract(doc, ids)
	if err != nil {
		return err
	}
	data, err := encode(subset)
	if err != nil {
		return err
	}
	if err := os.WriteFile(outPath, data, 0o644); err != nil {
		return fmt.Errorf("writing the subset: %w", err)
	}
	fmt.Fprintf(os.Stderr, "extract: %d operations, %d bytes written to %s\n", len(ids), len(data), outPath)
	return nil
}

// readOperations reads one operationId a line, skipping blank lines and
// `#` comments, and rejects duplicates.
func readOperations(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening the operation list: %w", err)
	}
	defer f.Close()
	return parseOperations(f)
}

func parseOperations(r io.Reader) ([]string, error) {
	var ids []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if len(strings.Fields(line)) != 1 {
			return nil, fmt.Errorf("line %d: %q is not one operationId: write one a line", n, line)
		}
		if seen[line] {
			return nil, fmt.Errorf("line %d: operationId %q is listed twice: remove one", n, line)
		}
		seen[line] = true
		ids = append(ids, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the operation list: %w", err)
	}
	if len(ids) == 0 {
		return nil, errors.New("the operation list names no operationId")
	}
	return ids, nil
}

func decode(r io.Reader) (map[string]any, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber() // keep numbers as written
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	return doc, nil
}

func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding the subset: %w", err)
	}
	return buf.Bytes(), nil
}

// methods are the keys of a path item that hold operations.
var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// extract builds the subset document: openapi, info, servers, the paths of the
// listed operations (only those methods) and the components they reach.
func extract(doc map[string]any, ids []string) (map[string]any, error) {
	paths, _ := doc["paths"].(map[string]any)
	type loc struct{ path, method string }
	index := map[string]loc{}
	for p, item := range paths {
		item, _ := item.(map[string]any)
		for _, m := range methods {
			op, _ := item[m].(map[string]any)
			if id, ok := op["operationId"].(string); ok {
				index[id] = loc{p, m}
			}
		}
	}
	var missing []string
	outPaths := map[string]any{}
	for _, id := range ids {
		l, ok := index[id]
		if !ok {
			missing = append(missing, id)
			continue
		}
		item, _ := outPaths[l.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			// Keep the path item's own fields (shared parameters, summary).
			for k, v := range paths[l.path].(map[string]any) {
				if !slices.Contains(methods, k) {
					item[k] = strip(v)
				}
			}
			outPaths[l.path] = item
		}
		item[l.method] = strip(paths[l.path].(map[string]any)[l.method])
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("operations not in the description: %s: fix or remove them in the operation list", strings.Join(missing, ", "))
	}

	components, _ := doc["components"].(map[string]any)
	outComponents := map[string]any{}
	queue := refs(outPaths, nil)
	done := map[string]bool{}
	for len(queue) > 0 {
		ref := queue[0]
		queue = queue[1:]
		if done[ref] {
			continue
		}
		done[ref] = true
		kind, name, err := splitRef(ref)
		if err != nil {
			return nil, err
		}
		src, _ := components[kind].(map[string]any)
		v, ok := src[name]
		if !ok {
			return nil, fmt.Errorf("resolving %q: no such component in the description", ref)
		}
		v = strip(v)
		dst, _ := outComponents[kind].(map[string]any)
		if dst == nil {
			dst = map[string]any{}
			outComponents[kind] = dst
		}
		dst[name] = v
		queue = refs(v, queue)
	}

	out := map[string]any{"paths": outPaths, "components": outComponents}
	for _, k := range []string{"openapi", "info", "servers"} {
		if v, ok := doc[k]; ok {
			out[k] = v
		}
	}
	return out, nil
}

// splitRef splits a local reference "#/components/<kind>/<name>".
func splitRef(ref string) (kind, name string, err error) {
	rest, ok := strings.CutPrefix(ref, "#/components/")
	if !ok {
		return "", "", fmt.Errorf("following %q: only references inside #/components/ are supported", ref)
	}
	kind, name, ok = strings.Cut(rest, "/")
	if !ok || strings.Contains(name, "/") {
		return "", "", fmt.Errorf("following %q: want #/components/<kind>/<name>", ref)
	}
	// JSON pointer escapes (RFC 6901).
	name = strings.ReplaceAll(strings.ReplaceAll(name, "~1", "/"), "~0", "~")
	return kind, name, nil
}

// refs appends every "$ref" string found in v to acc.
func refs(v any, acc []string) []string {
	switch v := v.(type) {
	case map[string]any:
		if r, ok := v["$ref"].(string); ok {
			acc = append(acc, r)
		}
		// Sorted so that the walk, and any error, is the same every run.
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			acc = refs(v[k], acc)
		}
	case []any:
		for _, e := range v {
			acc = refs(e, acc)
		}
	}
	return acc
}

// named are the OpenAPI fields whose maps are keyed by names chosen by the
// author (a property called "example" is no example), not by keywords.
var named = map[string]bool{
	"properties": true, "headers": true, "content": true, "responses": true,
	"encoding": true, "mapping": true, "variables": true, "links": true, "callbacks": true,
}

// strip returns a copy of v without `example` and `examples` keywords.
func strip(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			switch {
			case k == "example" || k == "examples":
				continue
			case named[k]:
				out[k] = stripNames(e)
			default:
				out[k] = strip(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = strip(e)
		}
		return out
	default:
		return v
	}
}

// stripNames strips each value of a map keyed by names, keeping every name.
func stripNames(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return strip(v)
	}
	out := make(map[string]any, len(m))
	for k, e := range m {
		out[k] = strip(e)
	}
	return out
}
