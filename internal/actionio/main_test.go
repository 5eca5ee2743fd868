package actionio

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// fakeReport is a domain result with fixed outputs.
type fakeReport struct{ result string }

func (r fakeReport) Outputs() [][2]string {
	return [][2]string{{"result", r.result}, {"report", "a\nb"}}
}
func (r fakeReport) Summary() string { return "## done\n" }

func TestMainWritesReportAndOneAnnotation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		run        RunFunc
		wantCode   int
		wantResult string
		wantOut    string // in stdout, the workflow commands
		wantErr    string // in stderr
	}{
		{
			name: "report written", run: func(context.Context, *Action) (Report, error) { return fakeReport{"changed"}, nil },
			wantCode: ExitOK, wantResult: "changed",
		},
		{
			name: "failure without a report", run: func(context.Context, *Action) (Report, error) {
				return nil, &FileError{File: "pkg/pyproject.toml", Line: 3, Err: errors.New("version decreased")}
			},
			wantCode: ExitFailure, wantResult: "failed", wantOut: "::error file=pkg/pyproject.toml,line=3::pkg/pyproject.toml:3: version decreased",
		},
		{
			name: "partial report with an error keeps the report's result", run: func(context.Context, *Action) (Report, error) {
				return fakeReport{"unchanged"}, errors.New("registry down")
			},
			wantCode: ExitFailure, wantResult: "unchanged", wantOut: "::error::registry down",
		},
		{
			name: "input error is a usage error", run: func(context.Context, *Action) (Report, error) {
				return nil, &InputError{Input: "mode", Err: errors.New(`"x" is not one of a, b`)}
			},
			wantCode: ExitUsage, wantResult: "failed", wantOut: `::error::input "mode"`,
		},
		{
			name: "help", args: []string{"--help"}, run: func(context.Context, *Action) (Report, error) {
				t.Error("run called for --help")
				return nil, nil
			},
			wantCode: ExitOK,
		},
		{
			name: "unknown flag", args: []string{"--nope"}, run: func(context.Context, *Action) (Report, error) {
				t.Error("run called with a bad flag")
				return nil, nil
			},
			wantCode: ExitUsage, wantErr: "error: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := githubEnv(t)
			stdout, stderr := &syncBuffer{}, &syncBuffer{}
			code := Main(exampleYML, tt.run, WithGetenv(mapEnv(env)), WithArgs(tt.args), WithStdout(stdout), WithStderr(stderr))
			if code != tt.wantCode {
				t.Errorf("Main() = %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, stdout, stderr)
			}
			data, err := os.ReadFile(env["GITHUB_OUTPUT"])
			if err != nil && tt.wantResult != "" {
				t.Fatal(err)
			}
			entries, err := parseCommandFile(string(data))
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			for _, e := range entries {
				if e.Name == "result" {
					got = e.Value
				}
			}
			if got != tt.wantResult {
				t.Errorf("result output = %q, want %q", got, tt.wantResult)
			}
			if !strings.Contains(stdout.String(), tt.wantOut) {
				t.Errorf("stdout lacks %q:\n%s", tt.wantOut, stdout)
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, stderr)
			}
			if n := strings.Count(stdout.String(), "::error"); tt.wantCode != ExitOK && tt.wantErr == "" && n != 1 {
				t.Errorf("%d error annotations, want 1:\n%s", n, stdout)
			}
		})
	}
}
