package actionio

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/sethvargo/go-githubactions"
)

// Annotation places a message at a file and line. File is relative to the repository root;
// zero fields are left out.
type Annotation struct {
	Title   string
	File    string
	Line    int
	EndLine int
	Col     int
}

// Error annotates msg as an error: "::error file=F,line=L::msg" on GitHub, "error: F:L: msg" on
// stderr locally.
func (a *Action) Error(msg string, at Annotation) { a.annotate("error", msg, at) }

// Warning annotates msg as a warning.
func (a *Action) Warning(msg string, at Annotation) { a.annotate("warning", msg, at) }

// Notice annotates msg as a notice.
func (a *Action) Notice(msg string, at Annotation) { a.annotate("notice", msg, at) }

func (a *Action) annotate(level, msg string, at Annotation) {
	if a.local {
		var b strings.Builder
		b.WriteString(level + ": ")
		if at.File != "" {
			b.WriteString(at.File)
			if at.Line > 0 {
				b.WriteString(":" + strconv.Itoa(at.Line))
				if at.Col > 0 {
					b.WriteString(":" + strconv.Itoa(at.Col))
				}
			}
			b.WriteString(": ")
		}
		if at.Title != "" {
			b.WriteString(at.Title + ": ")
		}
		b.WriteString(msg + "\n")
		a.write(a.stderr, b.String())
		return
	}
	props := githubactions.CommandProperties{}
	set := func(key, value string) {
		if value != "" {
			props[key] = a.mask(value)
		}
	}
	set("title", at.Title)
	set("file", at.File)
	if at.Line > 0 {
		set("line", strconv.Itoa(at.Line))
	}
	if at.EndLine > 0 {
		set("endLine", strconv.Itoa(at.EndLine))
	}
	if at.Col > 0 {
		set("col", strconv.Itoa(at.Col))
	}
	a.command(level, msg, props)
}

// command prints a workflow command. Message and properties are masked before they are escaped
// (by go-githubactions: %, CR and LF in both, and : and , in properties).
func (a *Action) command(name, msg string, props githubactions.CommandProperties) {
	cmd := &githubactions.Command{Name: name, Message: a.mask(msg), Properties: props}
	a.write(a.stdout, cmd.String()+"\n")
}

// Debugf prints a debug message: "::debug::" on GitHub (shown when debug logging is on), and on
// stderr locally when RUNNER_DEBUG is 1.
func (a *Action) Debugf(format string, args ...any) {
	msg := strings.TrimSuffix(fmt.Sprintf(format, args...), "\n")
	if !a.local {
		a.command("debug", msg, nil)
		return
	}
	if a.getenv("RUNNER_DEBUG") == "1" {
		a.write(a.stderr, "debug: "+msg+"\n")
	}
}

// Infof prints a log line: to stdout on GitHub, to stderr locally (where stdout carries the
// outputs).
func (a *Action) Infof(format string, args ...any) {
	msg := strings.TrimSuffix(fmt.Sprintf(format, args...), "\n") + "\n"
	if a.local {
		a.write(a.stderr, msg)
		return
	}
	a.printText(msg)
}

// printText prints text to stdout as text. On GitHub a line starting with "::" would run as a
// workflow command, so such text is framed by ::stop-commands:: with a one-time token.
func (a *Action) printText(text string) {
	if a.local || !hasCommandLine(text) {
		a.write(a.stdout, text)
		return
	}
	token, err := randomDelimiter()
	if err != nil {
		token = "shipkit-stop-commands"
	}
	a.write(a.stdout, "::stop-commands::"+token+"\n"+strings.TrimSuffix(text, "\n")+"\n::"+token+"::\n")
}

func hasCommandLine(text string) bool {
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "::") {
			return true
		}
	}
	return false
}

// Group starts a collapsible group of log lines ("::group::title" on GitHub, "== title" on stderr
// locally) and returns the function that ends it; calling that more than once is harmless.
func (a *Action) Group(title string) func() {
	if a.local {
		a.write(a.stderr, "== "+strings.TrimSpace(title)+"\n")
		return func() {}
	}
	a.command("group", title, nil)
	var once sync.Once
	return func() { once.Do(func() { a.command("endgroup", "", nil) }) }
}

// minLineSecret is the shortest line of a multi-line secret that is masked on its own: shorter
// lines are structure ("{", "}") whose masking would hide every brace of the log.
const minLineSecret = 4

// Mask hides secret in everything printed afterwards: on GitHub it issues "::add-mask::" (for a
// multi-line secret, one per line of at least 4 bytes, since the runner masks line by line), and
// this Action replaces the secret and those lines by *** in all it prints, locally and on GitHub.
// An empty secret is ignored.
func (a *Action) Mask(secret string) {
	if strings.TrimSpace(secret) == "" {
		return
	}
	parts := []string{strings.TrimSpace(secret)}
	if strings.ContainsAny(secret, "\r\n") {
		parts = nil
		for _, line := range strings.Split(secret, "\n") {
			if line = strings.TrimSpace(line); len(line) >= minLineSecret {
				parts = append(parts, line)
			}
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.secrets = append(a.secrets, parts...)
	if strings.ContainsAny(secret, "\r\n") {
		a.secrets = append(a.secrets, secret)
	}
	if a.local {
		return
	}
	for _, p := range parts {
		// Written past the masker, which would replace the very value to register.
		cmd := &githubactions.Command{Name: "add-mask", Message: p}
		_, _ = io.WriteString(a.stdout, cmd.String()+"\n")
	}
}

// mask replaces every occurrence of a secret in s by ***. Where secrets overlap, the union of
// their bytes is replaced, so no part of either shows.
func (a *Action) mask(s string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.maskLocked(s)
}

func (a *Action) maskLocked(s string) string {
	if len(a.secrets) == 0 {
		return s
	}
	var hidden []bool
	for _, secret := range a.secrets {
		for from := 0; from < len(s); {
			i := strings.Index(s[from:], secret)
			if i < 0 {
				break
			}
			if hidden == nil {
				hidden = make([]bool, len(s))
			}
			for k := from + i; k < from+i+len(secret); k++ {
				hidden[k] = true
			}
			from += i + 1
		}
	}
	if hidden == nil {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if !hidden[i] {
			b.WriteByte(s[i])
			continue
		}
		if i == 0 || !hidden[i-1] {
			b.WriteString("***")
		}
	}
	return b.String()
}

// write masks s and writes it to w in one call. Write errors are ignored, as fmt.Print's are: a
// program cannot report that it cannot print.
func (a *Action) write(w io.Writer, s string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, _ = io.WriteString(w, a.maskLocked(s))
}

// Fail reports err as the run's one error annotation, masked, at the file and line of the first
// error in its chain that has a Position() (file string, line int) method, and returns the exit
// code: ExitUsage for an *InputError, ExitFailure otherwise (ExitOK for nil).
func (a *Action) Fail(err error) int {
	if err == nil {
		return ExitOK
	}
	var at Annotation
	var pos interface {
		Position() (file string, line int)
	}
	if errors.As(err, &pos) {
		at.File, at.Line = pos.Position()
	}
	a.Error(err.Error(), at)
	var inErr *InputError
	if errors.As(err, &inErr) {
		return ExitUsage
	}
	return ExitFailure
}
