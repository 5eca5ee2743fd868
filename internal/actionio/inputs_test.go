package actionio

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestGetters(t *testing.T) {
	t.Parallel()
	type getter func(a *Action) (any, error)
	str := func(name string) getter {
		return func(a *Action) (any, error) { return a.String(name), nil }
	}
	required := func(name string) getter {
		return func(a *Action) (any, error) { return a.Required(name) }
	}
	boolean := func(name string) getter {
		return func(a *Action) (any, error) { return a.Bool(name) }
	}
	integer := func(name string, min, max int) getter {
		return func(a *Action) (any, error) { return a.Int(name, min, max) }
	}
	duration := func(name string) getter {
		return func(a *Action) (any, error) { return a.Duration(name) }
	}
	enum := func(name string, choices ...string) getter {
		return func(a *Action) (any, error) { return a.Enum(name, choices...) }
	}
	list := func(name string) getter {
		return func(a *Action) (any, error) { return a.List(name) }
	}
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		get     getter
		want    any
		wantErr string // the whole error text
	}{
		{name: "string trimmed", env: map[string]string{"INPUT_BASE": "  main \n"}, get: str("base"), want: "main"},
		{name: "string unset", get: str("base"), want: ""},
		{name: "string default locally", get: str("tag-template"), want: "v{version}"},
		{name: "string expression default is empty locally", get: str("token"), want: ""},

		{name: "required given", args: []string{"--mode", "apply"}, get: required("mode"), want: "apply"},
		{name: "required blank", env: map[string]string{"INPUT_MODE": "  "}, get: required("mode"),
			wantErr: "input \"mode\": required: set it with `with: mode: ...` in the workflow, or --mode locally"},

		{name: "bool true", env: map[string]string{"INPUT_DRY-RUN": "true"}, get: boolean("dry-run"), want: true},
		{name: "bool True", env: map[string]string{"INPUT_DRY-RUN": "True"}, get: boolean("dry-run"), want: true},
		{name: "bool TRUE", env: map[string]string{"INPUT_DRY-RUN": "TRUE"}, get: boolean("dry-run"), want: true},
		{name: "bool False", env: map[string]string{"INPUT_DRY-RUN": "False"}, get: boolean("dry-run"), want: false},
		{name: "bool FALSE spaced", env: map[string]string{"INPUT_DRY-RUN": " FALSE "}, get: boolean("dry-run"), want: false},
		{name: "bool default", get: boolean("dry-run"), want: false},
		{name: "bool empty", env: map[string]string{"GITHUB_ACTIONS": "true"}, get: boolean("dry-run"), want: false},
		{name: "bool yes", env: map[string]string{"INPUT_DRY-RUN": "yes"}, get: boolean("dry-run"),
			wantErr: `input "dry-run": "yes" is not a boolean: use true or false`},
		{name: "bool tRUE", env: map[string]string{"INPUT_DRY-RUN": "tRUE"}, get: boolean("dry-run"),
			wantErr: `input "dry-run": "tRUE" is not a boolean: use true or false`},
		{name: "bool 1", env: map[string]string{"INPUT_DRY-RUN": "1"}, get: boolean("dry-run"),
			wantErr: `input "dry-run": "1" is not a boolean: use true or false`},

		{name: "int", env: map[string]string{"INPUT_ATTEMPTS": "7"}, get: integer("attempts", 1, 10), want: 7},
		{name: "int default", get: integer("attempts", 1, 10), want: 3},
		{name: "int bounds", env: map[string]string{"INPUT_ATTEMPTS": "10"}, get: integer("attempts", 1, 10), want: 10},
		{name: "int too big", env: map[string]string{"INPUT_ATTEMPTS": "11"}, get: integer("attempts", 1, 10),
			wantErr: `input "attempts": 11 is out of range: use a whole number from 1 to 10`},
		{name: "int negative", env: map[string]string{"INPUT_ATTEMPTS": "-1"}, get: integer("attempts", 0, 10),
			wantErr: `input "attempts": -1 is out of range: use a whole number from 0 to 10`},
		{name: "int not a number", env: map[string]string{"INPUT_ATTEMPTS": "3.5"}, get: integer("attempts", 1, 10),
			wantErr: `input "attempts": "3.5" is not a whole number: use one from 1 to 10`},
		{name: "int empty out of range", env: map[string]string{"GITHUB_ACTIONS": "true"}, get: integer("attempts", 1, 10),
			wantErr: `input "attempts": empty: use a whole number from 1 to 10`},
		{name: "int empty in range", env: map[string]string{"GITHUB_ACTIONS": "true"}, get: integer("attempts", 0, 10), want: 0},

		{name: "duration go", env: map[string]string{"INPUT_TIMEOUT": "1m30s"}, get: duration("timeout"), want: 90 * time.Second},
		{name: "duration seconds", env: map[string]string{"INPUT_TIMEOUT": "45"}, get: duration("timeout"), want: 45 * time.Second},
		{name: "duration default", get: duration("timeout"), want: 5 * time.Minute},
		{name: "duration empty", env: map[string]string{"GITHUB_ACTIONS": "true"}, get: duration("timeout"), want: time.Duration(0)},
		{name: "duration bad", env: map[string]string{"INPUT_TIMEOUT": "5 minutes"}, get: duration("timeout"),
			wantErr: `input "timeout": "5 minutes" is not a duration: use a number of seconds or a duration such as 90s, 5m or 1h30m`},
		{name: "duration negative", env: map[string]string{"INPUT_TIMEOUT": "-5s"}, get: duration("timeout"),
			wantErr: `input "timeout": "-5s" is negative: use a duration of 0 or more`},
		{name: "duration huge", env: map[string]string{"INPUT_TIMEOUT": "99999999999999"}, get: duration("timeout"),
			wantErr: `input "timeout": "99999999999999" seconds is too long`},

		{name: "enum", env: map[string]string{"INPUT_MODE": "compute"}, get: enum("mode", "apply", "compute"), want: "compute"},
		{name: "enum bad", env: map[string]string{"INPUT_MODE": "foo"}, get: enum("mode", "apply", "compute"),
			wantErr: `input "mode": "foo" is not one of apply, compute`},
		{name: "enum case", env: map[string]string{"INPUT_MODE": "Apply"}, get: enum("mode", "apply", "compute"),
			wantErr: `input "mode": "Apply" is not one of apply, compute`},
		{name: "enum empty", get: enum("mode", "apply", "compute"),
			wantErr: `input "mode": "" is not one of apply, compute`},
		{name: "enum empty allowed", get: enum("mode", "", "apply"), want: ""},

		{name: "list lines and commas", env: map[string]string{"INPUT_FILES": "a.toml\n # comment, not items\n\n b/*.toml , c.toml,\n"},
			get: list("files"), want: []string{"a.toml", "b/*.toml", "c.toml"}},
		{name: "list default", get: list("files"), want: []string{"pyproject.toml"}},
		{name: "list empty", env: map[string]string{"GITHUB_ACTIONS": "true"}, get: list("files"), want: []string(nil)},
		{name: "list repeated flags", args: []string{"--files", "a", "--files=b,c"}, get: list("files"), want: []string{"a", "b", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tt.env, tt.args...)
			got, err := tt.get(h.a)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("getter = %v, %v, want error %q", got, err, tt.wantErr)
				}
				var inErr *InputError
				if !errors.As(err, &inErr) || !strings.Contains(tt.wantErr, `"`+inErr.Input+`"`) {
					t.Errorf("getter error = %#v, want an *InputError naming the input", err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("getter = %#v, %v, want %#v", got, err, tt.want)
			}
		})
	}
}

func TestInputPrecedence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{name: "flag over env", env: map[string]string{"INPUT_TAG-TEMPLATE": "env"}, args: []string{"--tag-template", "flag"}, want: "flag"},
		{name: "empty flag over env", env: map[string]string{"INPUT_TAG-TEMPLATE": "env"}, args: []string{"--tag-template="}, want: ""},
		{name: "env over default", env: map[string]string{"INPUT_TAG-TEMPLATE": "env"}, want: "env"},
		{name: "default locally", want: "v{version}"},
		{name: "no default on GitHub", env: map[string]string{"GITHUB_ACTIONS": "true"}, want: ""},
		{name: "env on GitHub", env: map[string]string{"GITHUB_ACTIONS": "true", "INPUT_TAG-TEMPLATE": "env"}, want: "env"},
		{name: "GITHUB_ACTIONS not true is local", env: map[string]string{"GITHUB_ACTIONS": "1"}, want: "v{version}"},
		{name: "env name keeps dashes", env: map[string]string{"INPUT_TAG_TEMPLATE": "underscored"}, want: "v{version}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tt.env, tt.args...)
			if got := h.a.String("tag-template"); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", "tag-template", got, tt.want)
			}
		})
	}
}

func TestUndeclaredInputPanics(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), `input "tag-templat" is not declared`) {
			t.Errorf("String(%q) panic = %v, want one naming the input", "tag-templat", r)
		}
	}()
	h.a.String("tag-templat")
}

func TestSplitList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     []string
	}{
		{name: "empty", in: "", want: nil},
		{name: "one", in: "a", want: []string{"a"}},
		{name: "crlf", in: "a\r\nb\r\n", want: []string{"a", "b"}},
		{name: "comment only", in: "# a, b\n  #c", want: nil},
		{name: "hash inside item", in: "a#b, c", want: []string{"a#b", "c"}},
		{name: "empty items", in: ",,a,,\n,", want: []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := splitList(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("splitList(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzList(f *testing.F) {
	for _, seed := range []string{"", "a", "a,b\nc", " # x\n y ,\r\n", ",,,", "#", "a#b"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		items := splitList(in)
		for _, item := range items {
			if item == "" || item != strings.TrimSpace(item) || strings.ContainsAny(item, ",\n") || !strings.Contains(in, item) {
				t.Fatalf("splitList(%q) has item %q", in, item)
			}
		}
		// Joining the items one a line and splitting again gives the same items.
		again := splitList(strings.Join(items, "\n"))
		if len(items) > 0 && !reflect.DeepEqual(again, items) {
			// An item that starts with # (after a comma) becomes a comment on its own line.
			for _, item := range items {
				if strings.HasPrefix(item, "#") {
					return
				}
			}
			t.Fatalf("splitList(join(%q)) = %q", items, again)
		}
		// The process env and getters agree with splitList.
		a, err := New(exampleYML, WithGetenv(mapEnv(map[string]string{"INPUT_FILES": in, "GITHUB_ACTIONS": "true"})), WithArgs(nil))
		if err != nil {
			t.Fatal(err)
		}
		got, err := a.List("files")
		if err != nil || !reflect.DeepEqual(got, items) {
			t.Fatalf("List() = %q, %v, want %q", got, err, items)
		}
	})
}

func TestSecret(t *testing.T) {
	t.Parallel()
	// Locally an empty token input falls back to the named variable, and the value is masked.
	h := newHarness(t, map[string]string{"GITHUB_TOKEN": "ghs_fromenv"})
	if got := h.a.Secret("token", "GITHUB_TOKEN"); got != "ghs_fromenv" {
		t.Errorf("Secret(token) locally = %q, want the GITHUB_TOKEN value", got)
	}
	h.a.Infof("token is %s", "ghs_fromenv")
	if strings.Contains(h.stderr.String()+h.stdout.String(), "ghs_fromenv") {
		t.Errorf("the secret was printed: %s%s", h.stdout, h.stderr)
	}
	// On GitHub the runner already applied the action.yml default: no fallback.
	env := githubEnv(t)
	env["GITHUB_TOKEN"] = "ghs_fromenv"
	g := newHarness(t, env)
	if got := g.a.Secret("token", "GITHUB_TOKEN"); got != "" {
		t.Errorf("Secret(token) on GitHub with no input = %q, want empty", got)
	}
}
