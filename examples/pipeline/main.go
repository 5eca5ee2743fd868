// Command pipeline runs shipkit's reference pipeline on the example monorepo, locally: a git
// server and a GitHub API emulator start in-process, the example is pushed to them, and each
// shipkit step runs as a GitHub runner would run it, printing what it did and the final state.
// No account, network or container engine is needed.
//
//	go run ./examples/pipeline
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pipeline:", err)
		os.Exit(1)
	}
}
