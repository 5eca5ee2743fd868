// Package workflows checks shipkit's workflow files (the reusable workflows in
// .github/workflows, the starter workflows in workflows-templates and the example monorepo's
// callers) against the supply-chain policy of DESIGN.md, and checks that docs/workflows.md
// documents every reusable workflow. Every finding names the file and line at fault.
//
// The rules:
//   - every third-party `uses:` is pinned by a full 40-hex commit SHA with a `# vX.Y.Z` comment;
//     a `docker://` image is pinned by digest;
//   - shipkit's own actions and reusable workflows are referenced as
//     `shipkit-dev/shipkit/<path>@<sha> # vX.Y.Z`, or `@main` with the comment
//     `# pinned to a release SHA by the release workflow` until the first release; never `./`,
//     except `./actions/<name>` in shipkit's own workflows (.github/workflows without
//     workflow_call), which run in shipkit's checkout;
//   - a `run:` script interpolates no `${{ }}` except a few values no outsider controls
//     (runner.*, github.sha, github.workspace, github.run_*, boolean and number inputs):
//     everything else goes through `env:`;
//   - a workflow has top-level `permissions`, and each `write` grant of a job has a comment;
//   - a reusable workflow's inputs, secrets and outputs have descriptions, and optional inputs
//     have a default;
//   - a step's `with:` names only inputs of the shipkit action it uses and gives its required
//     ones; a call of a shipkit reusable workflow passes only inputs and secrets it declares,
//     all its required inputs, and never `secrets: inherit`.
package workflows

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// SelfPrefix starts every `uses:` of shipkit's own actions and reusable workflows.
const SelfPrefix = "shipkit-dev/shipkit/"

// UnreleasedComment is the comment a `@main` reference to shipkit must carry until shipkit has
// a release; the release workflow replaces `@main` with the release's commit SHA.
const UnreleasedComment = "pinned to a release SHA by the release workflow"

// Finding is one policy violation.
type Finding struct {
	File string // the file, as given to Check
	Line int    // 1-based
	Rule string // a short rule name, such as "unpinned"
	Msg  string
}

// String formats f as `file:line: [rule] message`.
func (f Finding) String() string {
	return fmt.Sprintf("%s:%d: [%s] %s", f.File, f.Line, f.Rule, f.Msg)
}

// Input is one declared input of an action or reusable workflow.
type Input struct {
	Name       string
	Type       string // workflow inputs: string, boolean, number; empty for actions
	Required   bool
	HasDefault bool
	Line       int
}

// Interface is what an action or a reusable workflow declares.
type Interface struct {
	Inputs  []Input
	Secrets []Input
	Outputs []Input
}

func (i *Interface) input(name string) (Input, bool) {
	for _, in := range i.Inputs {
		if in.Name == name {
			return in, true
		}
	}
	return Input{}, false
}

func names(ins []Input) []string {
	out := make([]string, len(ins))
	for i, in := range ins {
		out[i] = in.Name
	}
	sort.Strings(out)
	return out
}

// Policy holds what the checks need to know about shipkit itself: its actions' inputs and its
// reusable workflows' interfaces, keyed by `actions/<name>` and `.github/workflows/<file>`.
type Policy struct {
	Actions   map[string]*Interface
	Workflows map[string]*Interface
}

// LoadPolicy reads the actions (actions/*/action.yml) and reusable workflows
// (.github/workflows/*.yml with `workflow_call`) of the shipkit checkout at root.
func LoadPolicy(root string) (*Policy, error) {
	p := &Policy{Actions: map[string]*Interface{}, Workflows: map[string]*Interface{}}
	actions, err := filepath.Glob(filepath.Join(root, "actions", "*", "action.yml"))
	if err != nil {
		return nil, err
	}
	for _, f := range actions {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		doc, err := parse(data)
		if err != nil {
			return nil, fmt.Errorf("parsing %q: %w", f, err)
		}
		p.Actions["actions/"+filepath.Base(filepath.Dir(f))] = &Interface{Inputs: declared(get(doc, "inputs"))}
	}
	files, err := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.yml"))
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		doc, err := parse(data)
		if err != nil {
			return nil, fmt.Errorf("parsing %q: %w", f, err)
		}
		if call := workflowCall(doc); call != nil {
			p.Workflows[".github/workflows/"+filepath.Base(f)] = reusable(call)
		}
	}
	return p, nil
}

// Reusable returns the interface of the workflow in doc when it is a reusable workflow.
func Reusable(data []byte) (*Interface, bool, error) {
	doc, err := parse(data)
	if err != nil {
		return nil, false, err
	}
	call := workflowCall(doc)
	if call == nil {
		return nil, false, nil
	}
	return reusable(call), true, nil
}

func reusable(call *yaml.Node) *Interface {
	return &Interface{Inputs: declared(get(call, "inputs")), Secrets: declared(get(call, "secrets")), Outputs: declared(get(call, "outputs"))}
}

func declared(m *yaml.Node) []Input {
	var out []Input
	for _, kv := range pairs(m) {
		in := Input{Name: kv[0].Value, Line: kv[0].Line}
		if t := get(kv[1], "type"); t != nil {
			in.Type = t.Value
		}
		if r := get(kv[1], "required"); r != nil {
			in.Required = r.Value == "true"
		}
		in.HasDefault = get(kv[1], "default") != nil
		out = append(out, in)
	}
	return out
}

// parse reads one YAML document into its root mapping.
func parse(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, errors.New("the file is empty")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: the top level is not a mapping", root.Line)
	}
	return root, nil
}

// pairs returns the key/value pairs of a mapping (nil for anything else).
func pairs(m *yaml.Node) [][2]*yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	out := make([][2]*yaml.Node, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, [2]*yaml.Node{m.Content[i], m.Content[i+1]})
	}
	return out
}

// items returns the entries of a sequence (nil for anything else).
func items(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

// get returns the value of key in mapping m, or nil.
func get(m *yaml.Node, key string) *yaml.Node {
	k, _ := getKV(m, key)
	return k
}

// getKV returns the value and the key node of key in mapping m.
func getKV(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	for _, kv := range pairs(m) {
		if kv[0].Value == key {
			return kv[1], kv[0]
		}
	}
	return nil, nil
}

func workflowCall(doc *yaml.Node) *yaml.Node {
	on := get(doc, "on")
	if on == nil {
		return nil
	}
	switch on.Kind {
	case yaml.MappingNode:
		if c, k := getKV(on, "workflow_call"); k != nil {
			if c.Kind != yaml.MappingNode {
				return &yaml.Node{Kind: yaml.MappingNode, Line: k.Line}
			}
			return c
		}
	case yaml.SequenceNode:
		for _, n := range on.Content {
			if n.Value == "workflow_call" {
				return &yaml.Node{Kind: yaml.MappingNode, Line: n.Line}
			}
		}
	case yaml.ScalarNode:
		if on.Value == "workflow_call" {
			return &yaml.Node{Kind: yaml.MappingNode, Line: on.Line}
		}
	}
	return nil
}

var (
	fullSHA       = regexp.MustCompile(`^[0-9a-f]{40}$`)
	versionCmt    = regexp.MustCompile(`^v\d+\.\d+\.\d+\S*$`)
	imageDigest   = regexp.MustCompile(`@sha256:[0-9a-f]{64}$`)
	expression    = regexp.MustCompile(`\$\{\{(.*?)\}\}`)
	safeInRun     = regexp.MustCompile(`^(runner\.[a-z_]+|github\.(sha|workspace|run_id|run_number|run_attempt|job|action_path))$`)
	inputInRun    = regexp.MustCompile(`^inputs\.([A-Za-z0-9_-]+)$`)
	commentPrefix = regexp.MustCompile(`^#\s*`)
)

// Check returns the findings of the workflow in data, named file in the findings.
func (p *Policy) Check(file string, data []byte) []Finding {
	c := &checker{p: p, file: file}
	doc, err := parse(data)
	if err != nil {
		c.add(1, "yaml", "parsing the workflow: %v", err)
		return c.out
	}
	c.check(doc)
	sort.SliceStable(c.out, func(i, j int) bool { return c.out[i].Line < c.out[j].Line })
	return c.out
}

type checker struct {
	p    *Policy
	file string
	out  []Finding
	// safeInputs are the boolean and number inputs, which cannot carry a script.
	safeInputs map[string]bool
	// ownRepository is set for shipkit's own workflows that only run in shipkit's repository
	// (in .github/workflows, no workflow_call): there `./actions/<name>` is shipkit's checkout.
	ownRepository bool
}

func (c *checker) add(line int, rule, format string, args ...any) {
	c.out = append(c.out, Finding{File: c.file, Line: line, Rule: rule, Msg: fmt.Sprintf(format, args...)})
}

func (c *checker) check(doc *yaml.Node) {
	if get(doc, "permissions") == nil {
		c.add(doc.Line, "permissions", "the workflow has no top-level permissions: start from `permissions: contents: read` and grant more per job")
	}
	c.safeInputs = map[string]bool{}
	c.ownRepository = workflowCall(doc) == nil && strings.HasPrefix(filepath.ToSlash(c.file), ".github/workflows/")
	if call := workflowCall(doc); call != nil {
		c.checkInterface(call)
	}
	for _, trigger := range []string{"workflow_call", "workflow_dispatch"} {
		if on := get(doc, "on"); on != nil {
			for _, in := range declared(get(get(on, trigger), "inputs")) {
				if in.Type == "boolean" || in.Type == "number" {
					c.safeInputs[in.Name] = true
				}
			}
		}
	}
	for _, job := range pairs(get(doc, "jobs")) {
		c.checkJob(job[0].Value, job[1])
	}
}

func (c *checker) checkInterface(call *yaml.Node) {
	for _, kind := range []string{"inputs", "secrets", "outputs"} {
		for _, kv := range pairs(get(call, kind)) {
			d := get(kv[1], "description")
			if d == nil || strings.TrimSpace(d.Value) == "" {
				c.add(kv[0].Line, "description", "workflow_call %s %q has no description", strings.TrimSuffix(kind, "s"), kv[0].Value)
			}
			if kind == "inputs" {
				r := get(kv[1], "required")
				if (r == nil || r.Value != "true") && get(kv[1], "default") == nil {
					c.add(kv[0].Line, "default", "optional workflow_call input %q has no default: give it a safe one", kv[0].Value)
				}
			}
		}
	}
}

func (c *checker) checkJob(id string, job *yaml.Node) {
	for _, kv := range pairs(get(job, "permissions")) {
		if kv[1].Value == "write" && kv[0].LineComment == "" && kv[1].LineComment == "" {
			c.add(kv[0].Line, "permission-comment", "job %q grants %s: write without a comment saying why", id, kv[0].Value)
		}
	}
	if uses := get(job, "uses"); uses != nil {
		if target := c.checkUses(uses); target != "" {
			c.checkCall(id, job, uses, target)
		}
	}
	for _, step := range items(get(job, "steps")) {
		if uses := get(step, "uses"); uses != nil {
			if target := c.checkUses(uses); target != "" {
				c.checkWith(step, uses, target)
			}
		}
		if run := get(step, "run"); run != nil {
			c.checkRun(run)
		}
	}
}

// checkUses checks one `uses:` value and returns the shipkit path it references
// (`actions/<name>` or `.github/workflows/<file>`), if any.
func (c *checker) checkUses(n *yaml.Node) string {
	v := n.Value
	comment := strings.TrimSpace(commentPrefix.ReplaceAllString(n.LineComment, ""))
	switch {
	case c.ownRepository && strings.HasPrefix(v, "./actions/"):
		return strings.TrimPrefix(v, "./")
	case strings.HasPrefix(v, "./") || strings.HasPrefix(v, "../"):
		c.add(n.Line, "local-uses", "uses: %s is a local path, which resolves against the caller's checkout: reference %s<path>@<sha> instead", v, SelfPrefix)
		return ""
	case strings.HasPrefix(v, "docker://"):
		if !imageDigest.MatchString(v) {
			c.add(n.Line, "unpinned", "uses: %s names an image by tag: pin it by digest (@sha256:...)", v)
		}
		return ""
	}
	path, ref, ok := strings.Cut(v, "@")
	if !ok {
		c.add(n.Line, "unpinned", "uses: %s has no ref: pin it by a full commit SHA with a `# vX.Y.Z` comment", v)
		return ""
	}
	if strings.HasPrefix(path, SelfPrefix) {
		switch {
		case ref == "main" && comment == UnreleasedComment:
		case ref == "main":
			c.add(n.Line, "unpinned", "uses: %s needs the comment `# %s` (or a release SHA with `# vX.Y.Z`)", v, UnreleasedComment)
		case fullSHA.MatchString(ref) && versionCmt.MatchString(comment):
		default:
			c.add(n.Line, "unpinned", "uses: %s: pin shipkit by a full commit SHA with a `# vX.Y.Z` comment (or @main with `# %s` before the first release)", v, UnreleasedComment)
		}
		return strings.TrimPrefix(path, SelfPrefix)
	}
	switch {
	case !fullSHA.MatchString(ref):
		c.add(n.Line, "unpinned", "uses: %s is not pinned by a full 40-hex commit SHA: write %s@<sha> # vX.Y.Z", v, path)
	case !versionCmt.MatchString(comment):
		c.add(n.Line, "version-comment", "uses: %s has no version comment: add `# vX.Y.Z` naming the release the SHA is", v)
	}
	return ""
}

// checkWith checks a step's `with:` against the shipkit action it uses.
func (c *checker) checkWith(step, uses *yaml.Node, target string) {
	act, ok := c.p.Actions[target]
	if !ok {
		c.add(uses.Line, "shipkit-ref", "uses: %s: shipkit has no action %s (its actions are %s)", uses.Value, target, strings.Join(keys(c.p.Actions), ", "))
		return
	}
	with := get(step, "with")
	for _, kv := range pairs(with) {
		if _, ok := act.input(kv[0].Value); !ok {
			c.add(kv[0].Line, "shipkit-input", "%q is not an input of %s; its inputs are %s", kv[0].Value, target, strings.Join(names(act.Inputs), ", "))
		}
	}
	for _, in := range act.Inputs {
		if in.Required && !in.HasDefault && get(with, in.Name) == nil {
			c.add(uses.Line, "shipkit-input", "%s needs the input %q", target, in.Name)
		}
	}
}

// checkCall checks a job's call of a shipkit reusable workflow.
func (c *checker) checkCall(id string, job, uses *yaml.Node, target string) {
	wf, ok := c.p.Workflows[target]
	if !ok {
		c.add(uses.Line, "shipkit-ref", "job %q: shipkit has no reusable workflow %s (they are %s)", id, target, strings.Join(keys(c.p.Workflows), ", "))
		return
	}
	with := get(job, "with")
	for _, kv := range pairs(with) {
		if _, ok := wf.input(kv[0].Value); !ok {
			c.add(kv[0].Line, "shipkit-input", "%q is not an input of %s; its inputs are %s", kv[0].Value, target, strings.Join(names(wf.Inputs), ", "))
		}
	}
	for _, in := range wf.Inputs {
		if in.Required && get(with, in.Name) == nil {
			c.add(uses.Line, "shipkit-input", "job %q: %s needs the input %q", id, target, in.Name)
		}
	}
	secrets := get(job, "secrets")
	if secrets != nil && secrets.Kind == yaml.ScalarNode && secrets.Value == "inherit" {
		c.add(secrets.Line, "secrets-inherit", "job %q passes every secret with `secrets: inherit`: pass the ones %s declares by name", id, target)
		return
	}
	for _, kv := range pairs(secrets) {
		if !slices.Contains(names(wf.Secrets), kv[0].Value) {
			c.add(kv[0].Line, "shipkit-input", "%q is not a secret of %s; its secrets are %s", kv[0].Value, target, strings.Join(names(wf.Secrets), ", "))
		}
	}
}

// checkRun finds `${{ }}` expressions in a script that could carry text an outsider controls.
func (c *checker) checkRun(run *yaml.Node) {
	first := run.Line
	if run.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		first++ // a block scalar's text starts on the line after `|`
	}
	for _, m := range expression.FindAllStringSubmatchIndex(run.Value, -1) {
		expr := strings.TrimSpace(run.Value[m[2]:m[3]])
		if safeInRun.MatchString(expr) {
			continue
		}
		if in := inputInRun.FindStringSubmatch(expr); in != nil && c.safeInputs[in[1]] {
			continue
		}
		line := first + bytes.Count([]byte(run.Value[:m[0]]), []byte("\n"))
		c.add(line, "run-interpolation", "run: interpolates ${{ %s }}, which a script injection can ride on: pass it through env: and use \"$VAR\"", expr)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
