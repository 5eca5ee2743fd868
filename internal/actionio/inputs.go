package actionio

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// InputError is an input whose value is missing or not valid. Fail turns it into ExitUsage.
type InputError struct {
	Input string // the input's name, as in action.yml
	Err   error
}

// Error returns `input "NAME": ERR`.
func (e *InputError) Error() string { return fmt.Sprintf("input %q: %v", e.Input, e.Err) }

// Unwrap returns the cause.
func (e *InputError) Unwrap() error { return e.Err }

func inputErr(name, format string, args ...any) error {
	return &InputError{Input: name, Err: fmt.Errorf(format, args...)}
}

// value returns the raw value of the input name: the --flag when given, else INPUT_<NAME>, else
// (only when Local) the action.yml default. Locally a default that is an expression, such as
// "${{ github.token }}", counts as empty: only the runner can evaluate it.
//
// An input that action.yml does not declare is a bug in the program, not in its use: value
// panics, so that a misspelt name fails the program's first test.
func (a *Action) value(name string) string {
	in, ok := a.spec.Input(name)
	if !ok {
		panic(fmt.Sprintf("actionio: input %q is not declared in action.yml", name))
	}
	if v, ok := a.flags[name]; ok {
		return v
	}
	// GitHub's rule (actions/toolkit core.getInput): upper case, spaces to _, '-' kept.
	if v := a.getenv("INPUT_" + strings.ToUpper(strings.ReplaceAll(name, " ", "_"))); v != "" {
		return v
	}
	if a.local && !isExpression(in.Default) {
		return in.Default
	}
	return ""
}

// isExpression reports whether s holds a ${{ }} expression.
func isExpression(s string) bool { return strings.Contains(s, "${{") }

// String returns the input's value with surrounding white space trimmed ("" when not set).
func (a *Action) String(name string) string {
	return strings.TrimSpace(a.value(name))
}

// Required returns the input's trimmed value, or an *InputError when it is empty.
func (a *Action) Required(name string) (string, error) {
	v := a.String(name)
	if v == "" {
		return "", inputErr(name, "required: set it with `with: %s: ...` in the workflow, or --%s locally", name, flagName(name))
	}
	return v, nil
}

// parseBool accepts the values of GitHub's core.getBooleanInput (the YAML 1.2 core schema).
func parseBool(s string) (bool, error) {
	switch s {
	case "true", "True", "TRUE":
		return true, nil
	case "false", "False", "FALSE":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean: use true or false", s)
}

// Bool returns the input as a boolean: true, True, TRUE, false, False or FALSE, as GitHub's
// core.getBooleanInput accepts; empty is false. Anything else ("yes", "1") is an *InputError.
func (a *Action) Bool(name string) (bool, error) {
	v := a.String(name)
	if v == "" {
		return false, nil
	}
	b, err := parseBool(v)
	if err != nil {
		return false, &InputError{Input: name, Err: err}
	}
	return b, nil
}

// Int returns the input as a whole number from min to max; empty reads as 0, which must be in
// range too.
func (a *Action) Int(name string, min, max int) (int, error) {
	v := a.String(name)
	n := 0
	if v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			return 0, inputErr(name, "%q is not a whole number: use one from %d to %d", v, min, max)
		}
	}
	if n < min || n > max {
		if v == "" {
			return 0, inputErr(name, "empty: use a whole number from %d to %d", min, max)
		}
		return 0, inputErr(name, "%d is out of range: use a whole number from %d to %d", n, min, max)
	}
	return n, nil
}

// Duration returns the input as a duration: a Go duration ("90s", "1m30s") or a bare number of
// seconds ("90"). Empty is 0; negative durations are errors.
func (a *Action) Duration(name string) (time.Duration, error) {
	v := a.String(name)
	if v == "" {
		return 0, nil
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n > int64(time.Duration(1<<63-1)/time.Second) {
			return 0, inputErr(name, "%q seconds is too long", v)
		}
		d = time.Duration(n) * time.Second
	} else if d, err = time.ParseDuration(v); err != nil {
		return 0, inputErr(name, "%q is not a duration: use a number of seconds or a duration such as 90s, 5m or 1h30m", v)
	}
	if d < 0 {
		return 0, inputErr(name, "%q is negative: use a duration of 0 or more", v)
	}
	return d, nil
}

// Enum returns the input if it is exactly one of choices; empty is an error too, unless "" is
// one of the choices.
func (a *Action) Enum(name string, choices ...string) (string, error) {
	v := a.String(name)
	for _, c := range choices {
		if v == c {
			return v, nil
		}
	}
	return "", inputErr(name, "%q is not one of %s", v, strings.Join(choices, ", "))
}

// List returns the input's items: one a line or separated by commas, each trimmed; empty items
// and lines starting with # are skipped. It returns no error today; the error keeps the getters
// uniform for callers.
func (a *Action) List(name string) ([]string, error) {
	return splitList(a.value(name)), nil
}

// splitList splits s into its non-empty, non-comment, trimmed items.
func splitList(s string) []string {
	var items []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, item := range strings.Split(line, ",") {
			if item = strings.TrimSpace(item); item != "" {
				items = append(items, item)
			}
		}
	}
	return items
}

// Secret returns a secret input, masked before anything is logged. On a developer's machine an
// empty token input falls back to the variable env (for example GITHUB_TOKEN), as the action's
// `${{ github.token }}` default does on GitHub; env may be empty.
func (a *Action) Secret(name, env string) string {
	v := a.String(name)
	if v == "" && env != "" && a.Local() {
		v = a.Getenv(env)
	}
	a.Mask(v)
	return v
}
