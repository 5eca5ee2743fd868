// Package actionio is the input and output of every shipkit program. The same program runs as a
// GitHub container action, reading its inputs from INPUT_* variables and writing its outputs to
// the GITHUB_OUTPUT file, and on a developer's machine as a command with a --flag for every input
// that prints its outputs as name=value lines. The action's own action.yml declares the inputs
// and outputs: it gives the flags, the --help text, the local defaults, and the output names that
// SetOutput accepts.
//
// Everything an Action prints goes through its masker: values given to Mask are replaced by ***,
// locally and on GitHub (where the runner masks too, after ::add-mask::).
package actionio

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/sethvargo/go-githubactions"

	"github.com/shipkit-dev/shipkit/internal/actionspec"
)

// Exit codes of shipkit programs.
const (
	ExitOK      = 0 // success, and --help
	ExitFailure = 1 // the work failed
	ExitUsage   = 2 // bad flags or inputs: the caller has to change them
)

// ErrHelp is returned by New after it printed the help for --help or -h. The program should
// exit with ExitOK.
var ErrHelp = errors.New("help requested")

// Option configures an Action.
type Option func(*config)

type config struct {
	getenv         func(string) string
	stdout, stderr io.Writer
	args           []string
	argsSet        bool
}

// WithGetenv sets the function that reads environment variables (default os.Getenv), so tests
// never touch the process environment.
func WithGetenv(getenv func(string) string) Option {
	return func(c *config) { c.getenv = getenv }
}

// WithStdout sets where workflow commands, outputs printed locally and --help go (default
// os.Stdout).
func WithStdout(w io.Writer) Option {
	return func(c *config) { c.stdout = w }
}

// WithStderr sets where local logs, annotations and summaries go (default os.Stderr).
func WithStderr(w io.Writer) Option {
	return func(c *config) { c.stderr = w }
}

// WithArgs sets the command-line arguments, without the program name (default os.Args[1:]).
func WithArgs(args []string) Option {
	return func(c *config) { c.args, c.argsSet = args, true }
}

// Action is one run of a program: its spec, its inputs and where its outputs and logs go. Its
// methods are safe for concurrent use.
type Action struct {
	spec   *actionspec.Spec
	getenv func(string) string
	flags  map[string]string // input name -> value given on the command line
	local  bool

	mu             sync.Mutex // serialises writes; guards secrets
	stdout, stderr io.Writer
	secrets        []string
}

// New parses the action's action.yml (embedded by the program) and the command-line flags: one
// --name for every input, as "--name value" or "--name=value"; an input whose default is true or
// false is a boolean flag, for which "--name" alone means true. A repeated flag adds a line, for
// list inputs. New prints the help and returns ErrHelp for --help and -h.
func New(actionYML []byte, opts ...Option) (*Action, error) {
	c := config{getenv: os.Getenv, stdout: os.Stdout, stderr: os.Stderr}
	for _, opt := range opts {
		opt(&c)
	}
	if !c.argsSet && len(os.Args) > 1 {
		c.args = os.Args[1:]
	}
	spec, err := actionspec.Parse(actionYML)
	if err != nil {
		return nil, fmt.Errorf("parsing the program's embedded action.yml: %w", err)
	}
	a := &Action{
		spec:   spec,
		getenv: c.getenv,
		stdout: c.stdout,
		stderr: c.stderr,
		local:  c.getenv("GITHUB_ACTIONS") != "true",
	}
	a.flags, err = parseFlags(spec, c.args)
	if errors.Is(err, ErrHelp) {
		a.write(a.stdout, help(spec))
		return nil, ErrHelp
	}
	if err != nil {
		return nil, err
	}
	// The runner warns about deprecated inputs set with `with:`; flags get the same warning.
	for _, in := range spec.Inputs {
		if _, given := a.flags[in.Name]; given && in.Deprecation != "" {
			a.Warning(fmt.Sprintf("input %q is deprecated: %s", in.Name, in.Deprecation), Annotation{})
		}
	}
	return a, nil
}

// Local reports whether the program runs outside GitHub Actions (GITHUB_ACTIONS is not "true").
func (a *Action) Local() bool { return a.local }

// Spec returns the parsed action.yml.
func (a *Action) Spec() *actionspec.Spec { return a.spec }

// Getenv returns the environment variable key, read through WithGetenv's function.
func (a *Action) Getenv(key string) string { return a.getenv(key) }

// Context returns the workflow run's context (GITHUB_* variables and the event payload), as
// go-githubactions reads it through this Action's getenv.
func (a *Action) Context() (*githubactions.GitHubContext, error) {
	ctx, err := githubactions.New(githubactions.WithGetenv(a.getenv)).Context()
	if err != nil {
		return ctx, fmt.Errorf("reading the GitHub Actions context: %w", err)
	}
	return ctx, nil
}

// flagName is the command-line flag of an input: lower case, spaces and _ as -.
func flagName(input string) string {
	return strings.ToLower(strings.NewReplacer(" ", "-", "_", "-").Replace(input))
}

// isBoolInput reports whether in is a boolean flag: its default is true or false.
func isBoolInput(in actionspec.Input) bool {
	_, err := parseBool(in.Default)
	return err == nil && in.Default != ""
}

// parseFlags maps the flags in args to input values. It returns ErrHelp for -h and --help (unless
// an input is called help or h).
func parseFlags(spec *actionspec.Spec, args []string) (map[string]string, error) {
	byFlag := map[string]actionspec.Input{}
	for _, in := range spec.Inputs {
		byFlag[flagName(in.Name)] = in
	}
	values := map[string]string{}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" || !strings.HasPrefix(arg, "-") || arg == "-" {
			return nil, fmt.Errorf("unexpected argument %q: inputs are given as flags (--name value); see --help", arg)
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-"), "=")
		in, ok := byFlag[name]
		if !ok {
			if name == "help" || name == "h" {
				return nil, ErrHelp
			}
			return nil, unknownFlag(name, byFlag)
		}
		if !hasValue {
			switch {
			case isBoolInput(in):
				value = "true"
				if i+1 < len(args) {
					if _, err := parseBool(args[i+1]); err == nil {
						value = args[i+1]
						i++
					}
				}
			case i+1 < len(args):
				value = args[i+1]
				i++
			default:
				return nil, fmt.Errorf("flag --%s needs a value: --%s VALUE or --%s=VALUE", name, name, name)
			}
		}
		if old, ok := values[in.Name]; ok {
			value = old + "\n" + value
		}
		values[in.Name] = value
	}
	return values, nil
}

// unknownFlag says which flags there are, and which one was probably meant.
func unknownFlag(name string, byFlag map[string]actionspec.Input) error {
	names := make([]string, 0, len(byFlag))
	best, bestDist := "", 3 // suggest only close matches
	for f := range byFlag {
		names = append(names, "--"+f)
		if d := editDistance(name, f); d < bestDist {
			best, bestDist = f, d
		}
	}
	sort.Strings(names)
	hint := ""
	if best != "" {
		hint = fmt.Sprintf("did you mean --%s? ", best)
	}
	if len(names) == 0 {
		return fmt.Errorf("unknown flag --%s: this program takes no flags but --help", name)
	}
	return fmt.Errorf("unknown flag --%s: %sthe flags are %s and --help", name, hint, strings.Join(names, ", "))
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// help renders the --help text from the spec.
func help(spec *actionspec.Spec) string {
	var b strings.Builder
	b.WriteString(spec.Name + "\n\n")
	if spec.Description != "" {
		wrap(&b, spec.Description, "", 100)
		b.WriteString("\n")
	}
	b.WriteString("In GitHub Actions the inputs come from the step's `with:` (INPUT_* variables) and the outputs go to\n" +
		"GITHUB_OUTPUT. Run locally, every input is a flag (--name value or --name=value; a repeated flag\n" +
		"adds a line to a list) and the outputs are printed as name=value.\n")
	b.WriteString("\nInputs:\n")
	if len(spec.Inputs) == 0 {
		b.WriteString("  (none)\n")
	}
	for _, in := range spec.Inputs {
		b.WriteString("  --" + flagName(in.Name))
		if !isBoolInput(in) {
			b.WriteString(" value")
		}
		if in.Required {
			b.WriteString(" (required)")
		}
		b.WriteString("\n")
		wrap(&b, in.Description, "        ", 100)
		if in.Deprecation != "" {
			wrap(&b, "Deprecated: "+in.Deprecation, "        ", 100)
		}
		switch {
		case isExpression(in.Default):
			fmt.Fprintf(&b, "        Default in GitHub Actions: %s (empty when run locally)\n", in.Default)
		case in.Default != "":
			fmt.Fprintf(&b, "        Default: %s\n", in.Default)
		}
	}
	b.WriteString("  -h, --help\n        Print this help.\n")
	b.WriteString("\nOutputs:\n")
	if len(spec.Outputs) == 0 {
		b.WriteString("  (none)\n")
	}
	for _, out := range spec.Outputs {
		b.WriteString("  " + out.Name + "\n")
		wrap(&b, out.Description, "        ", 100)
	}
	return b.String()
}

// wrap writes text's words in lines of at most width columns (longer words stay whole), each
// line starting with indent.
func wrap(b *strings.Builder, text, indent string, width int) {
	n := 0
	for _, word := range strings.Fields(text) {
		switch {
		case n == 0:
			b.WriteString(indent + word)
			n = len(indent) + len(word)
		case n+1+len(word) > width:
			b.WriteString("\n" + indent + word)
			n = len(indent) + len(word)
		default:
			b.WriteString(" " + word)
			n += 1 + len(word)
		}
	}
	if n > 0 {
		b.WriteString("\n")
	}
}
