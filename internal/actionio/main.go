package actionio

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// Report is what a program's domain result gives its step: the outputs, in order, and the
// Markdown step summary.
type Report interface {
	Outputs() [][2]string
	Summary() string
}

// RunFunc is the body of a shipkit program: read the inputs from a, do the work, and return its
// report. A report returned with an error is still written (a partial outcome), then the error.
type RunFunc func(ctx context.Context, a *Action) (Report, error)

// Main is the whole of every shipkit program's main: a context cancelled by SIGINT/SIGTERM, the
// inputs and flags of the embedded action.yml, run, then the report's outputs and summary. A
// failure becomes `result=failed` (when the action has a result output and run reported
// nothing) and one error annotation. It returns the exit code.
func Main(actionYML []byte, run RunFunc, opts ...Option) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := New(actionYML, opts...)
	if errors.Is(err, ErrHelp) {
		return ExitOK
	}
	if err != nil {
		c := config{stderr: os.Stderr}
		for _, opt := range opts {
			opt(&c)
		}
		fmt.Fprintln(c.stderr, "error:", err)
		return ExitUsage
	}
	rep, err := run(ctx, a)
	if rep != nil {
		for _, kv := range rep.Outputs() {
			if oerr := a.SetOutput(kv[0], kv[1]); oerr != nil && err == nil {
				err = oerr
			}
		}
		if serr := a.AddSummary(rep.Summary()); serr != nil && err == nil {
			err = serr
		}
	}
	if err != nil {
		if _, ok := a.spec.Output("result"); ok && rep == nil {
			_ = a.SetOutput("result", "failed")
		}
		return a.Fail(err)
	}
	return ExitOK
}

// FileError is a failure tied to a line of a file: Fail points the error annotation there.
type FileError struct {
	File string
	Line int // 1-based; 0 when only the file is known
	Err  error
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }

// Position reports where the error is.
func (e *FileError) Position() (string, int) { return e.File, e.Line }
