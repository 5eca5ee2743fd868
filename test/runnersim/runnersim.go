// Package runnersim reproduces, engine-agnostic, what GitHub's runner does around a step: the
// INPUT_* variables with action.yml defaults, and the file commands read back afterwards. The
// podman runner (test/containers) and the host runner (test/hostrun) share it.
package runnersim

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// ParseFileCommand reads a GITHUB_OUTPUT, GITHUB_ENV or GITHUB_STATE file as the runner does:
// lines "name=value", or "name<<DELIMITER" followed by the value's lines and a line holding only
// DELIMITER. Empty lines between entries are ignored; a later entry replaces an earlier one.
func ParseFileCommand(text string) (map[string]string, error) {
	values := map[string]string{}
	rest := text
	for rest != "" {
		line, next := cutLine(rest)
		rest = next
		if line == "" {
			continue
		}
		eq := strings.Index(line, "=")
		hd := strings.Index(line, "<<")
		switch {
		case eq >= 0 && (hd < 0 || eq < hd):
			name, value := line[:eq], line[eq+1:]
			if name == "" {
				return nil, fmt.Errorf("parsing line %q: the name before \"=\" is empty", line)
			}
			values[name] = value
		case hd >= 0:
			name, delim := line[:hd], line[hd+2:]
			if name == "" || delim == "" {
				return nil, fmt.Errorf("parsing line %q: a heredoc needs a name before \"<<\" and a delimiter after it", line)
			}
			var value strings.Builder
			found := false
			for rest != "" {
				l, next := cutLine(rest)
				raw := rest[:len(rest)-len(next)]
				rest = next
				if l == delim {
					found = true
					break
				}
				value.WriteString(raw)
			}
			if !found {
				return nil, fmt.Errorf("parsing the value of %q: no line %q ends it", name, delim)
			}
			v := value.String()
			v = strings.TrimSuffix(v, "\n")
			v = strings.TrimSuffix(v, "\r")
			values[name] = v
		default:
			return nil, fmt.Errorf("parsing line %q: want name=value or name<<DELIMITER", line)
		}
	}
	return values, nil
}

// cutLine splits text after its first line, returning the line without its "\n" or "\r\n".
func cutLine(text string) (line, rest string) {
	line, rest, found := strings.Cut(text, "\n")
	if found {
		line = strings.TrimSuffix(line, "\r")
	}
	return line, rest
}

// Action is the part of action.yml a runner applies to a docker action's step.
type Action struct {
	Inputs map[string]struct {
		Default *string `yaml:"default"`
	} `yaml:"inputs"`
	Runs struct {
		Using      string            `yaml:"using"`
		Entrypoint string            `yaml:"entrypoint"`
		Args       []string          `yaml:"args"`
		Env        map[string]string `yaml:"env"`
	} `yaml:"runs"`
}

// ReadAction reads the action.yml at path.
func ReadAction(path string) (Action, error) {
	var spec Action
	data, err := os.ReadFile(path)
	if err != nil {
		return spec, fmt.Errorf("reading action %q: %w", path, err)
	}
	if err := yaml.Unmarshal(data, &spec); err != nil {
		return spec, fmt.Errorf("parsing action %q: %w", path, err)
	}
	if spec.Runs.Using != "docker" {
		return spec, fmt.Errorf("action %q: runs.using is %q, want docker", path, spec.Runs.Using)
	}
	for _, a := range spec.Runs.Args {
		if strings.Contains(a, "${{") {
			return spec, fmt.Errorf("action %q: runs.args %q holds an expression RunAction cannot be evaluated here; pass the arguments", path, a)
		}
	}
	return spec, nil
}

var tokenExpr = regexp.MustCompile(`^\$\{\{\s*github\.token\s*\}\}$`)

// EvalDefault evaluates an input's default: literal text, or ${{ github.token }}.
func EvalDefault(def string, env map[string]string) (string, error) {
	if !strings.Contains(def, "${{") {
		return def, nil
	}
	if tokenExpr.MatchString(strings.TrimSpace(def)) {
		return env["GITHUB_TOKEN"], nil
	}
	return "", errors.New("its default " + fmt.Sprintf("%q", def) + " is an expression this runner cannot evaluate; give the input")
}

// InputVar returns the environment variable of the input name as the runner sets it:
// "INPUT_" and the name upper-cased with spaces replaced by "_" ("-" stays).
func InputVar(name string) string {
	return "INPUT_" + strings.ToUpper(strings.ReplaceAll(name, " ", "_"))
}

// StepInputs returns the inputs a step gets: those given, plus every other input's default from the
// action (a default of ${{ github.token }} takes env["GITHUB_TOKEN"]).
func (a Action) StepInputs(given, env map[string]string) (map[string]string, error) {
	inputs := map[string]string{}
	for name, in := range a.Inputs {
		if _, ok := given[name]; ok || in.Default == nil {
			continue
		}
		v, err := EvalDefault(*in.Default, env)
		if err != nil {
			return nil, fmt.Errorf("input %q: %w", name, err)
		}
		inputs[name] = v
	}
	for name, v := range given {
		inputs[name] = v
	}
	return inputs, nil
}
