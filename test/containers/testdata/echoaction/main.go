// Command echoaction is a throwaway Docker container action for the tests of package containers
// and actrun: it copies every INPUT_* variable to a step output of the same name (lower case),
// reports the environment it saw, writes a file into the workspace and a step summary.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

func main() {
	if err := run(); err != nil {
		fmt.Printf("::error::%v\n", err)
		os.Exit(1)
	}
}

func run() error {
	out := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if name, ok := strings.CutPrefix(k, "INPUT_"); ok {
			out[strings.ToLower(name)] = v
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return fmt.Errorf("getting the working directory: %w", err)
	}
	out["workdir"] = wd
	out["uid"] = fmt.Sprint(os.Getuid())
	for _, v := range []string{"GITHUB_WORKSPACE", "GITHUB_EVENT_PATH", "HOME", "CI", "GITHUB_ACTIONS", "RUNNER_TEMP"} {
		out[strings.ToLower(v)] = os.Getenv(v)
	}
	if fi, err := os.Stat(wd); err == nil {
		out["workspace-owner"] = fmt.Sprint(fi.Sys().(*syscall.Stat_t).Uid)
	}
	if event, err := os.ReadFile(os.Getenv("GITHUB_EVENT_PATH")); err == nil {
		out["event"] = string(event)
	}
	tmp, err := os.CreateTemp("", "echoaction-")
	if err != nil {
		return fmt.Errorf("creating a temporary file: %w", err)
	}
	tmp.Close()
	os.Remove(tmp.Name())
	out["tempdir"] = filepath.Dir(tmp.Name())

	if name := os.Getenv("INPUT_WRITE-FILE"); name != "" {
		if err := os.WriteFile(filepath.Join(wd, name), []byte("written by echoaction\n"), 0o644); err != nil {
			return fmt.Errorf("writing %q: %w", name, err)
		}
	}
	if code := os.Getenv("INPUT_EXIT-CODE"); code != "" && code != "0" {
		defer os.Exit(3)
	}

	names := make([]string, 0, len(out))
	for k := range out {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		d := delimiter()
		fmt.Fprintf(&b, "%s<<%s\n%s\n%s\n", k, d, out[k], d)
	}
	if err := appendFile(os.Getenv("GITHUB_OUTPUT"), b.String()); err != nil {
		return err
	}
	fmt.Println("echoaction: wrote", len(names), "outputs")
	return appendFile(os.Getenv("GITHUB_STEP_SUMMARY"), "### echoaction\n\nwrote "+fmt.Sprint(len(names))+" outputs\n")
}

func delimiter() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "ghadelimiter_" + hex.EncodeToString(b)
}

func appendFile(path, text string) error {
	if path == "" {
		fmt.Print(text)
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("opening %q: %w", path, err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return fmt.Errorf("writing %q: %w", path, err)
	}
	return f.Close()
}
