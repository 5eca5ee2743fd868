package containers

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

const echoAction = "./test/containers/testdata/echoaction"

func echoImage(t *testing.T) string {
	t.Helper()
	return BuildImage(t, echoAction, "echoaction")
}

func TestRunAction(t *testing.T) {
	t.Parallel()
	Require(t)
	image := echoImage(t)
	ws := t.TempDir()
	if err := os.WriteFile(filepath.Join(ws, "kept.txt"), []byte("before\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := RunAction(t, image, RunOptions{
		Workspace: ws,
		Action:    filepath.Join("testdata", "echoaction", "action.yml"),
		Inputs:    map[string]string{"My Input-x": "two\nlines", "write-file": "kept.txt"},
		Env:       map[string]string{"GITHUB_TOKEN": "tok", "GITHUB_REPOSITORY": "octo/repo"},
		EventJSON: `{"ref":"refs/heads/main"}`,
	})
	if res.ExitCode != 0 {
		t.Fatalf("RunAction() exit code = %d, want 0\nstderr: %s", res.ExitCode, res.Stderr)
	}
	want := map[string]string{
		"my_input-x":        "two\nlines", // INPUT_MY_INPUT-X
		"greeting":          "hello",      // default from action.yml
		"token":             "tok",        // ${{ github.token }}
		"write-file":        "kept.txt",
		"workdir":           "/github/workspace",
		"github_workspace":  "/github/workspace",
		"github_event_path": "/github/workflow/event.json",
		"home":              "/github/home",
		"ci":                "true",
		"github_actions":    "true",
		"runner_temp":       RunnerTemp,
		"uid":               "0",
		"workspace-owner":   "1001",
		"event":             `{"ref":"refs/heads/main"}`,
		"tempdir":           "/tmp",
	}
	for k, v := range want {
		if got := res.Outputs[k]; got != v {
			t.Errorf("RunAction().Outputs[%q] = %q, want %q", k, got, v)
		}
	}
	if !strings.Contains(res.Summary, "### echoaction") {
		t.Errorf("RunAction().Summary = %q, want the action's summary", res.Summary)
	}
	data, err := os.ReadFile(filepath.Join(ws, "kept.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != "written by echoaction\n" {
		t.Errorf("kept.txt = %q, want the action's text", data)
	}
	for _, p := range []string{ws, filepath.Join(ws, "kept.txt")} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if uid := fi.Sys().(*syscall.Stat_t).Uid; uid != RunnerUID {
			t.Errorf("owner of %s after the run = %d, want %d", p, uid, RunnerUID)
		}
	}
}

func TestRunActionExitCode(t *testing.T) {
	t.Parallel()
	Require(t)
	res := RunAction(t, echoImage(t), RunOptions{Inputs: map[string]string{"exit-code": "3"}})
	if res.ExitCode != 3 {
		t.Errorf("RunAction(exit-code=3).ExitCode = %d, want 3", res.ExitCode)
	}
	if res.Outputs["exit-code"] != "3" {
		t.Errorf("RunAction(exit-code=3).Outputs = %v, want the outputs written before the exit", res.Outputs)
	}
}

// TestImageReproducible builds the same binary twice, from two build contexts made at different
// times, and wants one image.
func TestImageReproducible(t *testing.T) {
	t.Parallel()
	Require(t)
	root := RepoRoot(t)
	var ids, digests []string
	for i := range 2 {
		ctxDir := t.TempDir()
		sum, err := prepareContext(t.Context(), root, echoAction, "echoaction", ctxDir)
		if err != nil {
			t.Fatal(err)
		}
		ref := "localhost/shipkit/echoaction:repro-" + sum[:12] + "-" + string(rune('a'+i))
		if err := podmanBuild(t.Context(), root, ctxDir, "echoaction", ref); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { exec.Command("podman", "rmi", ref).Run() })
		out, err := exec.CommandContext(t.Context(), "podman", "image", "inspect", "--format", "{{.Id}}", ref).Output()
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, strings.TrimSpace(string(out)))
		digestFile := filepath.Join(t.TempDir(), "digest")
		push := exec.CommandContext(t.Context(), "podman", "push", "--quiet", "--digestfile", digestFile, ref, "oci:"+t.TempDir())
		if out, err := push.CombinedOutput(); err != nil {
			t.Fatalf("podman push %s oci:...: %v\n%s", ref, err, out)
		}
		d, err := os.ReadFile(digestFile)
		if err != nil {
			t.Fatal(err)
		}
		digests = append(digests, string(d))
	}
	if ids[0] != ids[1] {
		t.Errorf("image IDs of two builds = %s and %s, want equal", ids[0], ids[1])
	}
	if digests[0] != digests[1] {
		t.Errorf("manifest digests of two builds = %s and %s, want equal", digests[0], digests[1])
	}
}

// TestImageShape checks the image against the rules for an action image: one binary, an empty
// /tmp of mode 1777, no user, no working directory, OCI labels.
func TestImageShape(t *testing.T) {
	t.Parallel()
	Require(t)
	image := echoImage(t)
	out, err := exec.CommandContext(t.Context(), "podman", "image", "inspect", image).Output()
	if err != nil {
		t.Fatal(err)
	}
	var inspect []struct {
		Config struct {
			User       string
			WorkingDir string
			Entrypoint []string
			Labels     map[string]string
		}
		Created string
	}
	if err := json.Unmarshal(out, &inspect); err != nil || len(inspect) != 1 {
		t.Fatalf("parsing podman image inspect: %v", err)
	}
	c := inspect[0].Config
	if c.User != "" || c.WorkingDir != "" {
		t.Errorf("image user, workdir = %q, %q, want none", c.User, c.WorkingDir)
	}
	if strings.Join(c.Entrypoint, " ") != "/shipkit-action" {
		t.Errorf("image entrypoint = %q, want [/shipkit-action]", c.Entrypoint)
	}
	if c.Labels["org.opencontainers.image.source"] == "" || c.Labels["org.opencontainers.image.revision"] == "" {
		t.Errorf("image labels = %v, want org.opencontainers.image.source and .revision", c.Labels)
	}
	if !strings.HasPrefix(inspect[0].Created, "1970-01-01") {
		t.Errorf("image created = %s, want 1970-01-01 (podman build --timestamp 0)", inspect[0].Created)
	}

	// The file tree, from an exported container.
	cid, err := exec.CommandContext(t.Context(), "podman", "create", image).Output()
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSpace(string(cid))
	t.Cleanup(func() { exec.Command("podman", "rm", id).Run() })
	tar, err := exec.CommandContext(t.Context(), "sh", "-c", "podman export "+id+" | tar -tv").Output()
	if err != nil {
		t.Fatal(err)
	}
	var entries []string
	for _, l := range strings.Split(strings.TrimSpace(string(tar)), "\n") {
		f := strings.Fields(l)
		entries = append(entries, f[0]+" "+f[len(f)-1])
	}
	got := strings.Join(entries, "\n")
	for _, want := range []string{"drwxrwxrwt tmp/", "-rwxr-xr-x shipkit-action"} {
		if !strings.Contains(got, want) {
			t.Errorf("image files:\n%s\nwant %q", got, want)
		}
	}
}

func TestParseFileCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		text    string
		want    map[string]string
		wantErr string
	}{
		{name: "empty", text: "", want: map[string]string{}},
		{name: "simple", text: "a=1\nb=x=y\n", want: map[string]string{"a": "1", "b": "x=y"}},
		{name: "no final newline", text: "a=1", want: map[string]string{"a": "1"}},
		{name: "empty value", text: "a=\n", want: map[string]string{"a": ""}},
		{name: "heredoc", text: "a<<EOF\none\ntwo\nEOF\nb=2\n", want: map[string]string{"a": "one\ntwo", "b": "2"}},
		{name: "heredoc empty", text: "a<<EOF\nEOF\n", want: map[string]string{"a": ""}},
		{name: "heredoc blank line", text: "a<<EOF\n\nEOF\n", want: map[string]string{"a": ""}},
		{name: "heredoc keeps inner blank", text: "a<<EOF\nx\n\ny\nEOF\n", want: map[string]string{"a": "x\n\ny"}},
		{name: "crlf", text: "a=1\r\nb<<E\r\nx\r\ny\r\nE\r\n", want: map[string]string{"a": "1", "b": "x\r\ny"}},
		{name: "equals before heredoc", text: "a=b<<c\n", want: map[string]string{"a": "b<<c"}},
		{name: "heredoc before equals", text: "a<<D=\nv\nD=\n", want: map[string]string{"a": "v"}},
		{name: "later wins", text: "a=1\na=2\n", want: map[string]string{"a": "2"}},
		{name: "blank lines", text: "\n\na=1\n\n", want: map[string]string{"a": "1"}},
		{name: "no delimiter end", text: "a<<EOF\nx\n", wantErr: "no line"},
		{name: "empty name", text: "=1\n", wantErr: "name"},
		{name: "empty delimiter", text: "a<<\nx\n", wantErr: "delimiter"},
		{name: "bare word", text: "hello\n", wantErr: "want name=value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseFileCommand(tt.text)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseFileCommand(%q) error = %v, want one containing %q", tt.text, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFileCommand(%q) error = %v", tt.text, err)
			}
			if len(got) != len(tt.want) {
				t.Errorf("ParseFileCommand(%q) = %q, want %q", tt.text, got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("ParseFileCommand(%q)[%q] = %q, want %q", tt.text, k, got[k], v)
				}
			}
		})
	}
}

// FuzzParseFileCommand checks that a value written with a fresh heredoc delimiter reads back
// unchanged, whatever it holds, and that no input makes the parser panic.
func FuzzParseFileCommand(f *testing.F) {
	f.Add("name", "value")
	f.Add("multi", "one\ntwo\r\nthree")
	f.Add("x", "")
	f.Add("a=b", "EOF\n")
	f.Fuzz(func(t *testing.T, name, value string) {
		ParseFileCommand(name + "\n" + value) // must not panic
		// A writer cannot name an output with "=", "<" or a line break.
		if name == "" || strings.ContainsAny(name, "=<\r\n") {
			return
		}
		const delim = "ghadelimiter_5e4a0c1f"
		if strings.Contains(value, delim) || strings.HasSuffix(value, "\r") {
			return
		}
		text := name + "<<" + delim + "\n" + value + "\n" + delim + "\n"
		got, err := ParseFileCommand(text)
		if err != nil {
			t.Fatalf("ParseFileCommand(%q) error = %v", text, err)
		}
		if got[name] != value {
			t.Fatalf("ParseFileCommand(%q)[%q] = %q, want %q", text, name, got[name], value)
		}
	})
}

func TestInputVar(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, input, want string }{
		{name: "plain", input: "files", want: "INPUT_FILES"},
		{name: "dash kept", input: "tag-template", want: "INPUT_TAG-TEMPLATE"},
		{name: "space", input: "my input", want: "INPUT_MY_INPUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := InputVar(tt.input); got != tt.want {
				t.Errorf("InputVar(%q) = %q, want %q", tt.input, got, tt.want)
			}
		})
	}
}
