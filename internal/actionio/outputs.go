package actionio

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// outputName is GitHub's rule for output ids, and keeps "=", "<<" and newlines out of the
// GITHUB_OUTPUT file.
var outputName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// SetOutput sets the output name, which action.yml must declare (an undeclared name is an error:
// it catches typos). With GITHUB_OUTPUT set it appends "name<<DELIMITER\nvalue\nDELIMITER\n" to
// that file, with a random delimiter that does not occur in the value (go-githubactions uses a
// fixed one, which a value can end early). Without GITHUB_OUTPUT it prints "name=value" to stdout,
// or "name<<EOF" lines for a value with line breaks.
func (a *Action) SetOutput(name, value string) error {
	if _, ok := a.spec.Output(name); !ok {
		names := make([]string, 0, len(a.spec.Outputs))
		for _, out := range a.spec.Outputs {
			names = append(names, out.Name)
		}
		return fmt.Errorf("setting output %q: action.yml declares no such output; the outputs are %s", name, strings.Join(names, ", "))
	}
	path := a.getenv("GITHUB_OUTPUT")
	if path == "" {
		a.printText(formatLocalOutput(name, value))
		return nil
	}
	entry, err := formatOutput(name, value)
	if err != nil {
		return err
	}
	if err := appendFile(path, entry); err != nil {
		return fmt.Errorf("setting output %q: %w", name, err)
	}
	return nil
}

// formatOutput returns the GITHUB_OUTPUT entry that sets name to value. See
// https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/workflow-commands-for-github-actions#multiline-strings
func formatOutput(name, value string) (string, error) {
	if !outputName.MatchString(name) {
		return "", fmt.Errorf("setting output %q: the name is not valid: use letters, digits, - and _, starting with a letter or _", name)
	}
	for {
		delim, err := randomDelimiter()
		if err != nil {
			return "", fmt.Errorf("setting output %q: %w", name, err)
		}
		// Practically never true; checked because the value may come from anyone.
		if !strings.Contains(value, delim) {
			return name + "<<" + delim + "\n" + value + "\n" + delim + "\n", nil
		}
	}
}

func randomDelimiter() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("making a delimiter: %w", err)
	}
	return "ghadelimiter_" + hex.EncodeToString(b[:]), nil
}

// formatLocalOutput renders an output for a terminal: name=value, or a heredoc with a short
// delimiter that no line of the value equals.
func formatLocalOutput(name, value string) string {
	if !strings.ContainsAny(value, "\r\n") {
		return name + "=" + value + "\n"
	}
	delim := "EOF"
	lines := strings.Split(value, "\n")
	for i := 2; containsLine(lines, delim); i++ {
		delim = fmt.Sprintf("EOF%d", i)
	}
	return name + "<<" + delim + "\n" + value + "\n" + delim + "\n"
}

func containsLine(lines []string, s string) bool {
	for _, l := range lines {
		if strings.TrimRight(l, "\r") == s {
			return true
		}
	}
	return false
}

// appendFile appends text to the file at path, as the runner expects of its command files.
func appendFile(path, text string) (err error) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	_, err = f.WriteString(text)
	return err
}

// SetOutputFile writes content to fileName in a new folder under RUNNER_TEMP (os.TempDir() when
// unset) and sets the output name to the file's path: for values too large for an output. On a
// runner, RUNNER_TEMP is mounted at the same path in a container action and in later steps.
func (a *Action) SetOutputFile(name, fileName string, content []byte) error {
	if _, ok := a.spec.Output(name); !ok {
		return a.SetOutput(name, "") // the same error
	}
	if fileName == "" || fileName == "." || fileName == ".." || strings.ContainsAny(fileName, `/\`) {
		return fmt.Errorf("setting output %q: file name %q is not a plain file name", name, fileName)
	}
	root, runnerRoot := a.outputFileRoot()
	dir, err := os.MkdirTemp(root, "shipkit-")
	if err != nil {
		return fmt.Errorf("setting output %q: %w", name, err)
	}
	// The container runs as root; later steps run as the runner's user and must read the file.
	if err := os.Chmod(dir, 0o755); err != nil {
		return fmt.Errorf("setting output %q: %w", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, fileName), content, 0o644); err != nil {
		return fmt.Errorf("setting output %q: %w", name, err)
	}
	return a.SetOutput(name, filepath.Join(runnerRoot, filepath.Base(dir), fileName))
}

// outputFileRoot is where SetOutputFile writes (root) and how later steps on the runner name that
// folder (runnerRoot). In a container action RUNNER_TEMP is the runner's path and is not mounted,
// but RUNNER_TEMP/_github_home is, as HOME (/github/home; the runner's ContainerActionHandler):
// the file goes there and the output names its path on the runner.
func (a *Action) outputFileRoot() (root, runnerRoot string) {
	temp, home := a.getenv("RUNNER_TEMP"), a.getenv("HOME")
	if temp == "" {
		return os.TempDir(), os.TempDir()
	}
	if st, err := os.Stat(temp); (err != nil || !st.IsDir()) && home == "/github/home" {
		return home, filepath.Join(temp, "_github_home")
	}
	return temp, temp
}

// AddSummary appends markdown (masked) to the step summary, GITHUB_STEP_SUMMARY; without it the
// summary is printed to stderr.
func (a *Action) AddSummary(markdown string) error {
	if !strings.HasSuffix(markdown, "\n") {
		markdown += "\n"
	}
	path := a.getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		a.write(a.stderr, markdown)
		return nil
	}
	if err := appendFile(path, a.mask(markdown)); err != nil {
		return fmt.Errorf("adding to the step summary: %w", err)
	}
	return nil
}
