package containers

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

// actionSpec is the part of action.yml RunAction applies.
type actionSpec struct {
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

func readAction(path string) (actionSpec, error) {
	var spec actionSpec
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
			return spec, fmt.Errorf("action %q: runs.args %q holds an expression RunAction cannot evaluate; pass Args", path, a)
		}
	}
	return spec, nil
}

var tokenExpr = regexp.MustCompile(`^\$\{\{\s*github\.token\s*\}\}$`)

// evalDefault evaluates an input's default: literal text, or ${{ github.token }}.
func evalDefault(def string, env map[string]string) (string, error) {
	if !strings.Contains(def, "${{") {
		return def, nil
	}
	if tokenExpr.MatchString(strings.TrimSpace(def)) {
		return env["GITHUB_TOKEN"], nil
	}
	return "", errors.New("its default " + fmt.Sprintf("%q", def) + " is an expression RunAction cannot evaluate; give the input")
}
