// Command build-push-action is the stand-in for docker/build-push-action in shipkit's act runs:
// no BuildKit runs offline, so it checks that the Dockerfile exists, packs the build context into
// one image layer, sets the labels and annotations, and pushes the image to every tag. The image
// is real and its digest is what later steps tag, scan and deploy; the Dockerfile's
// instructions are not executed.
package main

import (
	"context"
	_ "embed"
	"os"
	"strings"

	"github.com/shipkit-dev/shipkit/internal/actionio"
	"github.com/shipkit-dev/shipkit/test/standins"
)

//go:embed action.yml
var actionYML []byte

func main() { os.Exit(actionio.Main(actionYML, run)) }

func run(ctx context.Context, a *actionio.Action) (actionio.Report, error) {
	push, err := a.Bool("push")
	if err != nil {
		return nil, err
	}
	tags, err := a.List("tags")
	if err != nil {
		return nil, err
	}
	return standins.BuildPush(ctx, standins.BuildPushConfig{
		Context:     a.String("context"),
		Dockerfile:  a.String("file"),
		Tags:        tags,
		Labels:      lines(a.String("labels")), // a label's value may hold a comma
		Annotations: lines(a.String("annotations")),
		Push:        push,
		Logf:        a.Infof,
	})
}

// lines returns the non-empty, trimmed lines of s.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
