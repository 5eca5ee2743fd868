package gitserver

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func pkt(s string) string { return fmt.Sprintf("%04x%s", len(s)+4, s) }

// TestProcReceiveProtocol drives the proc-receive hook without git, under
// every POSIX shell the machine has, since /bin/sh is dash on Debian but
// bash or busybox elsewhere.
func TestProcReceiveProtocol(t *testing.T) {
	t.Parallel()
	const (
		zero = "0000000000000000000000000000000000000000"
		a    = "1111111111111111111111111111111111111111"
		b    = "2222222222222222222222222222222222222222"
	)
	input := pkt("version=1\x00push-options atomic\n") + "0000" +
		pkt(a+" "+b+" refs/heads/main\n") +
		pkt(zero+" "+b+" refs/heads/feature\n") +
		pkt(a+" "+b+" refs/heads/release/v1\n") +
		"0000"
	conf := "url http://127.0.0.1:1/acme/app\nprotect main ruleset\nprotect release/* status-checks\n"
	wantOut := pkt("version=1\n") + "0000" +
		pkt("ng refs/heads/main push declined due to repository rule violations\n") +
		pkt("ok refs/heads/feature\n") + pkt("option fall-through\n") +
		pkt("ng refs/heads/release/v1 protected branch hook declined\n") +
		"0000"
	wantErr := "error: GH013: Repository rule violations found for refs/heads/main.\n" +
		"Review all repository rules at http://127.0.0.1:1/acme/app/rules?ref=refs%2Fheads%2Fmain\n" +
		"\n- Changes must be made through a pull request.\n\n" +
		"error: GH006: Protected branch update failed for refs/heads/release/v1.\n" +
		"\n- 1 of 1 required status checks are expected.\n"

	var shells []string
	for _, sh := range []string{"sh", "dash", "bash", "busybox"} {
		if _, err := exec.LookPath(sh); err == nil {
			shells = append(shells, sh)
		}
	}
	for _, sh := range shells {
		t.Run(sh, func(t *testing.T) {
			t.Parallel()
			gitDir := t.TempDir()
			if err := os.WriteFile(filepath.Join(gitDir, confFile), []byte(conf), 0o644); err != nil {
				t.Fatal(err)
			}
			args := []string{"-c", procReceiveHook, "proc-receive"}
			if sh == "busybox" {
				args = append([]string{"sh"}, args...)
			}
			cmd := exec.CommandContext(t.Context(), sh, args...)
			cmd.Env = append(os.Environ(), "GIT_DIR="+gitDir)
			cmd.Stdin = strings.NewReader(input)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("%s proc-receive = %v: %s", sh, err, stderr.String())
			}
			if got := stdout.String(); got != wantOut {
				t.Errorf("%s proc-receive stdout = %q, want %q", sh, got, wantOut)
			}
			if got := stderr.String(); got != wantErr {
				t.Errorf("%s proc-receive stderr = %q, want %q", sh, got, wantErr)
			}
		})
	}
}
