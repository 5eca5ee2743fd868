package actionio

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    map[string]string // input -> String()
		wantErr string            // substring
	}{
		{name: "space and equals", args: []string{"--mode", "apply", "--base=main"}, want: map[string]string{"mode": "apply", "base": "main"}},
		{name: "single dash", args: []string{"-mode", "apply"}, want: map[string]string{"mode": "apply"}},
		{name: "value that looks like a flag", args: []string{"--base", "--x"}, want: map[string]string{"base": "--x"}},
		{name: "bool alone", args: []string{"--dry-run"}, want: map[string]string{"dry-run": "true"}},
		{name: "bool alone then flag", args: []string{"--dry-run", "--mode", "apply"}, want: map[string]string{"dry-run": "true", "mode": "apply"}},
		{name: "bool equals false", args: []string{"--dry-run=false"}, want: map[string]string{"dry-run": "false"}},
		{name: "bool space false", args: []string{"--dry-run", "FALSE"}, want: map[string]string{"dry-run": "FALSE"}},
		{name: "no args", args: nil, want: map[string]string{"dry-run": "false", "base": ""}},
		{name: "unknown flag", args: []string{"--tag-templte", "x"},
			wantErr: "unknown flag --tag-templte: did you mean --tag-template? the flags are --attempts, --base, --dry-run, --files, --mode, --old-option, --tag-template, --timeout, --token and --help"},
		{name: "unknown far flag", args: []string{"--zzzzzzzz"}, wantErr: "unknown flag --zzzzzzzz: the flags are --attempts"},
		{name: "missing value", args: []string{"--mode"}, wantErr: "flag --mode needs a value: --mode VALUE or --mode=VALUE"},
		{name: "positional", args: []string{"apply"}, wantErr: `unexpected argument "apply": inputs are given as flags`},
		{name: "bool then positional", args: []string{"--dry-run", "yes"}, wantErr: `unexpected argument "yes"`},
		{name: "double dash", args: []string{"--"}, wantErr: `unexpected argument "--"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := New(exampleYML, WithGetenv(mapEnv(nil)), WithArgs(tt.args), WithStdout(&bytes.Buffer{}))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New(%q) = %v, want error containing %q", tt.args, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New(%q) = %v", tt.args, err)
			}
			for name, want := range tt.want {
				if got := a.String(name); got != want {
					t.Errorf("New(%q).String(%q) = %q, want %q", tt.args, name, got, want)
				}
			}
		})
	}
}

func TestFlagName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"dry-run": "dry-run", "dry_run": "dry-run", "Dry Run": "dry-run"} {
		if got := flagName(in); got != want {
			t.Errorf("flagName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"--help", "-h", "-help"} {
		t.Run(arg, func(t *testing.T) {
			t.Parallel()
			var stdout bytes.Buffer
			a, err := New(exampleYML, WithGetenv(mapEnv(nil)), WithArgs([]string{"--mode", "x", arg}), WithStdout(&stdout))
			if !errors.Is(err, ErrHelp) || a != nil {
				t.Fatalf("New(%q) = %v, %v, want nil, ErrHelp", arg, a, err)
			}
			golden(t, filepath.Join("testdata", "help.golden"), stdout.String())
		})
	}
}

func TestNewBadSpec(t *testing.T) {
	t.Parallel()
	_, err := New([]byte("name: x\n"), WithArgs(nil))
	if err == nil || !strings.Contains(err.Error(), "embedded action.yml: action.yml:1:") {
		t.Errorf("New(bad spec) = %v, want a parse error with a line", err)
	}
}

func TestSetOutputGitHub(t *testing.T) {
	t.Parallel()
	env := githubEnv(t)
	h := newHarness(t, env)
	values := []outputEntry{
		{"result", "changed"},
		{"report", "line 1\nghadelimiter_0123\nEOF\n\nlast line"},
		{"path", ""},
		{"report", "trailing newline\n"},
		{"report", "\n"},
		{"result", "crlf\r\nvalue\r"},
		{"result", "name=value<<EOF"},
	}
	for _, v := range values {
		if err := h.a.SetOutput(v.Name, v.Value); err != nil {
			t.Fatalf("SetOutput(%q, %q) = %v", v.Name, v.Value, err)
		}
	}
	text := readFile(t, env["GITHUB_OUTPUT"])
	got, err := parseCommandFile(text)
	if err != nil {
		t.Fatalf("parsing GITHUB_OUTPUT %q: %v", text, err)
	}
	if fmt.Sprint(got) != fmt.Sprint(values) {
		t.Errorf("GITHUB_OUTPUT = %q, want %q", got, values)
	}
	if !strings.HasPrefix(text, "result<<ghadelimiter_") {
		t.Errorf("GITHUB_OUTPUT = %q, want heredoc entries with a random delimiter", text)
	}
	if h.stdout.String() != "" {
		t.Errorf("stdout = %q, want nothing: outputs go to the file", h.stdout.String())
	}
}

func TestSetOutputUnknown(t *testing.T) {
	t.Parallel()
	env := githubEnv(t)
	h := newHarness(t, env)
	err := h.a.SetOutput("reslt", "x")
	if err == nil || err.Error() != `setting output "reslt": action.yml declares no such output; the outputs are result, report, path` {
		t.Errorf("SetOutput(%q) = %v, want an error listing the outputs", "reslt", err)
	}
	if err := h.a.SetOutputFile("reslt", "f.txt", nil); err == nil {
		t.Errorf("SetOutputFile(%q) = nil, want an error", "reslt")
	}
	if _, err := os.Stat(env["GITHUB_OUTPUT"]); !os.IsNotExist(err) {
		t.Errorf("GITHUB_OUTPUT exists after failed SetOutput: %v", err)
	}
}

func TestSetOutputLocal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, output, value, want string
	}{
		{name: "single line", output: "result", value: "changed", want: "result=changed\n"},
		{name: "empty", output: "result", value: "", want: "result=\n"},
		{name: "multi-line", output: "report", value: "a\nb", want: "report<<EOF\na\nb\nEOF\n"},
		{name: "value with EOF line", output: "report", value: "a\nEOF\nEOF2", want: "report<<EOF3\na\nEOF\nEOF2\nEOF3\n"},
		{name: "carriage return", output: "report", value: "a\r", want: "report<<EOF\na\r\nEOF\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			if err := h.a.SetOutput(tt.output, tt.value); err != nil {
				t.Fatal(err)
			}
			if got := h.stdout.String(); got != tt.want {
				t.Errorf("SetOutput(%q, %q) printed %q, want %q", tt.output, tt.value, got, tt.want)
			}
			got, err := parseCommandFile(h.stdout.String())
			if err != nil || len(got) != 1 || got[0].Value != tt.value {
				t.Errorf("parsing the printed output = %q, %v, want value %q", got, err, tt.value)
			}
		})
	}
}

func TestSetOutputNoFileOnGitHub(t *testing.T) {
	t.Parallel()
	// On a runner without GITHUB_OUTPUT the value is printed; lines that look like workflow
	// commands must not run as commands.
	h := newHarness(t, map[string]string{"GITHUB_ACTIONS": "true"})
	if err := h.a.SetOutput("report", "x\n::add-mask::y"); err != nil {
		t.Fatal(err)
	}
	out := h.stdout.String()
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[0], "::stop-commands::ghadelimiter_") || lines[len(lines)-2] != "::"+strings.TrimPrefix(lines[0], "::stop-commands::")+"::" {
		t.Errorf("SetOutput() printed %q, want it framed by ::stop-commands::", out)
	}
}

func TestSetOutputFile(t *testing.T) {
	t.Parallel()
	env := githubEnv(t)
	h := newHarness(t, env)
	content := []byte("big\nreport\n")
	if err := h.a.SetOutputFile("path", "report.md", content); err != nil {
		t.Fatal(err)
	}
	got, err := parseCommandFile(readFile(t, env["GITHUB_OUTPUT"]))
	if err != nil || len(got) != 1 || got[0].Name != "path" {
		t.Fatalf("GITHUB_OUTPUT = %q, %v, want the path output", got, err)
	}
	path := got[0].Value
	if dir := filepath.Dir(filepath.Dir(path)); dir != env["RUNNER_TEMP"] || filepath.Base(path) != "report.md" {
		t.Errorf("SetOutputFile() path = %q, want RUNNER_TEMP/shipkit-*/report.md", path)
	}
	if data := readFile(t, path); data != string(content) {
		t.Errorf("file content = %q, want %q", data, content)
	}
	for p, want := range map[string]os.FileMode{path: 0o644, filepath.Dir(path): 0o755} {
		if info, err := os.Stat(p); err != nil || info.Mode().Perm() != want {
			t.Errorf("mode of %s = %v, %v, want %v", p, info.Mode().Perm(), err, want)
		}
	}
	for _, bad := range []string{"", ".", "..", "a/b", `a\b`} {
		if err := h.a.SetOutputFile("path", bad, content); err == nil {
			t.Errorf("SetOutputFile(%q) = nil, want an error", bad)
		}
	}
}

func TestAddSummary(t *testing.T) {
	t.Parallel()
	env := githubEnv(t)
	h := newHarness(t, env)
	if err := os.WriteFile(env["GITHUB_STEP_SUMMARY"], []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.a.Mask("s3cret")
	for _, md := range []string{"## one\n", "two with s3cret"} {
		if err := h.a.AddSummary(md); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := readFile(t, env["GITHUB_STEP_SUMMARY"]), "earlier step\n## one\ntwo with ***\n"; got != want {
		t.Errorf("GITHUB_STEP_SUMMARY = %q, want %q", got, want)
	}

	local := newHarness(t, nil)
	if err := local.a.AddSummary("## local"); err != nil {
		t.Fatal(err)
	}
	if got := local.stderr.String(); got != "## local\n" {
		t.Errorf("local AddSummary printed %q to stderr, want the markdown", got)
	}
}

func TestAnnotations(t *testing.T) {
	t.Parallel()
	at := Annotation{Title: "bad: version, again", File: "packages/a,b/pyproject.toml", Line: 12, EndLine: 13, Col: 5}
	tests := []struct {
		name    string
		github  bool
		emit    func(a *Action)
		stdout  string
		stderr  string
		comment string
	}{
		{
			name: "error on GitHub", github: true,
			emit:   func(a *Action) { a.Error("version went down: 100% wrong\nsecond line\r", at) },
			stdout: "::error col=5,endLine=13,file=packages/a%2Cb/pyproject.toml,line=12,title=bad%3A version%2C again::version went down: 100%25 wrong%0Asecond line%0D\n",
		},
		{
			name: "warning without place", github: true,
			emit:   func(a *Action) { a.Warning("careful", Annotation{}) },
			stdout: "::warning::careful\n",
		},
		{
			name: "notice with file only", github: true,
			emit:   func(a *Action) { a.Notice("fyi", Annotation{File: "a.txt"}) },
			stdout: "::notice file=a.txt::fyi\n",
		},
		{
			name:   "error locally",
			emit:   func(a *Action) { a.Error("version went down", Annotation{File: "pyproject.toml", Line: 3}) },
			stderr: "error: pyproject.toml:3: version went down\n",
		},
		{
			name:   "warning locally with col and title",
			emit:   func(a *Action) { a.Warning("w", Annotation{File: "f", Line: 1, Col: 2, Title: "T"}) },
			stderr: "warning: f:1:2: T: w\n",
		},
		{
			name:   "notice locally without place",
			emit:   func(a *Action) { a.Notice("n", Annotation{Line: 4}) },
			stderr: "notice: n\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{}
			if tt.github {
				env["GITHUB_ACTIONS"] = "true"
			}
			h := newHarness(t, env)
			tt.emit(h.a)
			if got := h.stdout.String(); got != tt.stdout {
				t.Errorf("stdout = %q, want %q", got, tt.stdout)
			}
			if got := h.stderr.String(); got != tt.stderr {
				t.Errorf("stderr = %q, want %q", got, tt.stderr)
			}
		})
	}
}

// positioned is an error at a file and line, as domain packages return them.
type positioned struct {
	file string
	line int
}

func (p *positioned) Error() string                     { return fmt.Sprintf("%s:%d: version went down", p.file, p.line) }
func (p *positioned) Position() (file string, line int) { return p.file, p.line }

func TestFail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		err    error
		code   int
		stdout string
	}{
		{name: "nil", err: nil, code: ExitOK},
		{name: "plain", err: errors.New("pushing: denied"), code: ExitFailure, stdout: "::error::pushing: denied\n"},
		{
			name: "position in chain", err: fmt.Errorf("checking %q: %w", "pkg", &positioned{"packages/a/pyproject.toml", 7}),
			code: ExitFailure, stdout: "::error file=packages/a/pyproject.toml,line=7::checking \"pkg\": packages/a/pyproject.toml:7: version went down\n",
		},
		{name: "input error", err: &InputError{Input: "mode", Err: errors.New(`"x" is not one of a, b`)}, code: ExitUsage, stdout: "::error::input \"mode\": \"x\" is not one of a, b\n"},
		{name: "wrapped input error", err: fmt.Errorf("reading inputs: %w", &InputError{Input: "mode", Err: errors.New("bad")}), code: ExitUsage, stdout: "::error::reading inputs: input \"mode\": bad\n"},
		{name: "masked", err: errors.New("auth failed for token ghp_abcdef"), code: ExitFailure, stdout: "::error::auth failed for token ***\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, map[string]string{"GITHUB_ACTIONS": "true"})
			h.a.Mask("ghp_abcdef")
			h.stdout = &syncBuffer{}
			h.a.stdout = h.stdout
			if got := h.a.Fail(tt.err); got != tt.code {
				t.Errorf("Fail(%v) = %d, want %d", tt.err, got, tt.code)
			}
			if got := h.stdout.String(); got != tt.stdout {
				t.Errorf("Fail(%v) printed %q, want %q", tt.err, got, tt.stdout)
			}
		})
	}
}

func TestMask(t *testing.T) {
	t.Parallel()
	t.Run("github", func(t *testing.T) {
		t.Parallel()
		env := githubEnv(t)
		h := newHarness(t, env)
		h.a.Mask("p@ss%word")
		h.a.Mask("-----BEGIN KEY-----\nAAAAsecretline\n}\n-----END KEY-----\n")
		h.a.Mask("")
		h.a.Mask("  \n ")
		h.a.Infof("using p@ss%%word and AAAAsecretline")
		h.a.Debugf("debug p@ss%%word")
		h.a.Error("error p@ss%word", Annotation{File: "p@ss%word"})
		end := h.a.Group("group p@ss%word")
		end()
		end()
		want := "::add-mask::p@ss%25word\n" +
			"::add-mask::-----BEGIN KEY-----\n::add-mask::AAAAsecretline\n::add-mask::-----END KEY-----\n" +
			"using *** and ***\n" +
			"::debug::debug ***\n" +
			"::error file=***::error ***\n" +
			"::group::group ***\n::endgroup::\n"
		if got := h.stdout.String(); got != want {
			t.Errorf("stdout =\n%s\nwant\n%s", got, want)
		}
	})
	t.Run("flag value locally", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, map[string]string{"RUNNER_DEBUG": "1"}, "--token", "ghp_fromflag", "--mode", "apply")
		h.a.Mask(h.a.String("token"))
		h.a.Infof("token is %s", h.a.String("token"))
		h.a.Debugf("Authorization: Bearer %s", h.a.String("token"))
		h.a.Warning("bad token ghp_fromflag", Annotation{File: "ghp_fromflag.txt", Line: 1})
		if err := h.a.SetOutput("result", "ghp_fromflag"); err != nil {
			t.Fatal(err)
		}
		h.a.Fail(errors.New("denied for ghp_fromflag"))
		all := h.stdout.String() + h.stderr.String()
		if strings.Contains(all, "fromflag") {
			t.Errorf("output shows the secret:\n%s", all)
		}
		if want := "token is ***\ndebug: Authorization: Bearer ***\nwarning: ***.txt:1: bad token ***\nerror: denied for ***\n"; h.stderr.String() != want {
			t.Errorf("stderr = %q, want %q", h.stderr.String(), want)
		}
		if want := "result=***\n"; h.stdout.String() != want {
			t.Errorf("stdout = %q, want %q", h.stdout.String(), want)
		}
	})
}

func TestMaskOverlapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		secrets []string
		in      string
		want    string
	}{
		{name: "none", in: "abc", want: "abc"},
		{name: "simple", secrets: []string{"abc"}, in: "xabcx abc", want: "x***x ***"},
		{name: "overlap", secrets: []string{"abc", "bcd"}, in: "abcd", want: "***"},
		{name: "contained", secrets: []string{"abcdef", "cd"}, in: "abcdef cd", want: "*** ***"},
		{name: "repeat overlap", secrets: []string{"aa"}, in: "aaa", want: "***"},
		{name: "adjacent", secrets: []string{"ab", "cd"}, in: "abcd", want: "***"},
		{name: "trimmed", secrets: []string{" tok "}, in: "[tok]", want: "[***]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			for _, s := range tt.secrets {
				h.a.Mask(s)
			}
			if got := h.a.mask(tt.in); got != tt.want {
				t.Errorf("mask(%q) with %q = %q, want %q", tt.in, tt.secrets, got, tt.want)
			}
		})
	}
}

func TestLogs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		env            map[string]string
		emit           func(a *Action)
		stdout, stderr string
	}{
		{name: "info github", env: map[string]string{"GITHUB_ACTIONS": "true"}, emit: func(a *Action) { a.Infof("n=%d", 3) }, stdout: "n=3\n"},
		{name: "info local", emit: func(a *Action) { a.Infof("n=%d\n", 3) }, stderr: "n=3\n"},
		{name: "debug github", env: map[string]string{"GITHUB_ACTIONS": "true"}, emit: func(a *Action) { a.Debugf("a\nb") }, stdout: "::debug::a%0Ab\n"},
		{name: "debug local off", emit: func(a *Action) { a.Debugf("x") }},
		{name: "debug local on", env: map[string]string{"RUNNER_DEBUG": "1"}, emit: func(a *Action) { a.Debugf("x") }, stderr: "debug: x\n"},
		{name: "group local", emit: func(a *Action) { a.Group(" fetch ")() }, stderr: "== fetch\n"},
		{name: "group github", env: map[string]string{"GITHUB_ACTIONS": "true"}, emit: func(a *Action) { a.Group("a::b")() }, stdout: "::group::a::b\n::endgroup::\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tt.env)
			tt.emit(h.a)
			if got := h.stdout.String(); got != tt.stdout {
				t.Errorf("stdout = %q, want %q", got, tt.stdout)
			}
			if got := h.stderr.String(); got != tt.stderr {
				t.Errorf("stderr = %q, want %q", got, tt.stderr)
			}
		})
	}
}

func TestInfofCommandInjection(t *testing.T) {
	t.Parallel()
	h := newHarness(t, map[string]string{"GITHUB_ACTIONS": "true"})
	h.a.Infof("commit message:\n  ::add-mask::x")
	lines := strings.Split(strings.TrimSuffix(h.stdout.String(), "\n"), "\n")
	token := strings.TrimPrefix(lines[0], "::stop-commands::")
	if len(lines) != 4 || token == lines[0] || lines[3] != "::"+token+"::" || lines[2] != "  ::add-mask::x" {
		t.Errorf("Infof printed %q, want the text framed by ::stop-commands::", lines)
	}
}

func TestContext(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	event := filepath.Join(dir, "event.json")
	if err := os.WriteFile(event, []byte(`{"before":"abc","after":"def"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": event,
		"GITHUB_REPOSITORY": "o/r", "GITHUB_SHA": "def", "GITHUB_RUN_ID": "12",
	})
	ctx, err := h.a.Context()
	if err != nil {
		t.Fatal(err)
	}
	if ctx.EventName != "push" || ctx.Repository != "o/r" || ctx.SHA != "def" || ctx.RunID != 12 || ctx.Event["before"] != "abc" || !ctx.Actions {
		t.Errorf("Context() = %+v, want the environment's values", ctx)
	}
	bad := newHarness(t, map[string]string{"GITHUB_RUN_ID": "x"})
	if _, err := bad.a.Context(); err == nil || !strings.Contains(err.Error(), "reading the GitHub Actions context") {
		t.Errorf("Context() with a bad GITHUB_RUN_ID = %v, want an error", err)
	}
	if got := h.a.Getenv("GITHUB_SHA"); got != "def" {
		t.Errorf("Getenv(%q) = %q, want %q", "GITHUB_SHA", got, "def")
	}
	if h.a.Local() {
		t.Errorf("Local() = true with GITHUB_ACTIONS=true")
	}
}

// TestConcurrent logs, masks and sets outputs from several goroutines (run with -race).
func TestConcurrent(t *testing.T) {
	t.Parallel()
	env := githubEnv(t)
	h := newHarness(t, env)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			secret := fmt.Sprintf("secret-%d", i)
			h.a.Mask(secret)
			h.a.Infof("line %d", i)
			if err := h.a.SetOutput("result", secret); err != nil {
				t.Error(err)
			}
			h.a.Infof("after %s", secret)
		})
	}
	wg.Wait()
	if strings.Contains(h.stdout.String(), "after secret-") {
		t.Errorf("stdout shows a secret:\n%s", h.stdout.String())
	}
	got, err := parseCommandFile(readFile(t, env["GITHUB_OUTPUT"]))
	if err != nil || len(got) != 8 {
		t.Errorf("GITHUB_OUTPUT = %q, %v, want 8 entries", got, err)
	}
}

func FuzzSetOutput(f *testing.F) {
	f.Add("result", "changed")
	f.Add("report", "a\nghadelimiter_\nEOF\n")
	f.Add("x_y-z", "\r\n\n")
	f.Add("bad=name", "v")
	f.Add("a<<b", "v")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, name, value string) {
		entry, err := formatOutput(name, value)
		if err != nil {
			if outputName.MatchString(name) {
				t.Fatalf("formatOutput(%q, %q) = %v", name, value, err)
			}
			return
		}
		got, err := parseCommandFile("prev=1\n" + entry + "next<<X\nv\nX\n")
		want := []outputEntry{{"prev", "1"}, {name, value}, {"next", "v"}}
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("parsing %q = %q, %v, want %q", entry, got, err, want)
		}
		local, err := parseCommandFile(formatLocalOutput(name, value))
		if err != nil || len(local) != 1 || local[0] != (outputEntry{name, value}) {
			t.Fatalf("parsing the local form %q = %q, %v", formatLocalOutput(name, value), local, err)
		}
	})
}

func TestDeprecatedFlagWarns(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, "--old-option", "x")
	if got, want := h.stderr.String(), "warning: input \"old-option\" is deprecated: Use mode instead.\n"; got != want {
		t.Errorf("New(--old-option) printed %q, want %q", got, want)
	}
}
