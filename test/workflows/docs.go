package workflows

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// CheckDocs checks that doc (docs/workflows.md, named docFile in findings) has a `## ` section
// whose heading names each reusable workflow (by file name as a word, such as `cd.yml`), that the
// section says which permissions it needs, and that the section
// mentions each of its inputs, secrets and outputs as `name`. files maps a workflow's path (as
// used in findings) to its interface. A finding points at the workflow's declaration, or at the
// document when a section is missing.
func CheckDocs(docFile, doc string, files map[string]*Interface) []Finding {
	type section struct {
		line int
		body string
	}
	sections := map[string]*section{} // heading -> section
	var cur *section
	n := 0
	for line := range strings.Lines(doc) {
		n++
		if h, ok := strings.CutPrefix(line, "## "); ok {
			cur = &section{line: n}
			sections[strings.TrimSpace(h)] = cur
			continue
		}
		if cur != nil {
			cur.body += line
		}
	}
	var out []Finding
	for _, file := range keys(files) {
		base := path.Base(file)
		var sec *section
		for _, h := range keys(sections) {
			if slices.Contains(strings.Fields(strings.ReplaceAll(h, "`", " ")), base) {
				sec = sections[h]
				break
			}
		}
		if sec == nil {
			out = append(out, Finding{File: docFile, Line: 1, Rule: "docs", Msg: fmt.Sprintf("no `## ` section names %s: document its inputs, secrets, outputs, permissions and a minimal caller", base)})
			continue
		}
		wf := files[file]
		for _, group := range []struct {
			kind string
			ins  []Input
		}{{"input", wf.Inputs}, {"secret", wf.Secrets}, {"output", wf.Outputs}} {
			for _, in := range group.ins {
				if !strings.Contains(sec.body, "`"+in.Name+"`") {
					out = append(out, Finding{File: file, Line: in.Line, Rule: "docs", Msg: fmt.Sprintf("%s %q is not documented in the %s section of %s", group.kind, in.Name, base, docFile)})
				}
			}
		}
		if !strings.Contains(strings.ToLower(sec.body), "permissions") {
			out = append(out, Finding{File: docFile, Line: sec.line, Rule: "docs", Msg: fmt.Sprintf("the %s section does not say which permissions it needs", base)})
		}
	}
	return out
}
