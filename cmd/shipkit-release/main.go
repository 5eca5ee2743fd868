// Command shipkit-release is how shipkit releases itself (see internal/release and the
// "shipkit release" workflow):
//
//	shipkit-release plan    [--version-file VERSION]                 (GITHUB_REPOSITORY, GITHUB_TOKEN, GITHUB_API_URL)
//	shipkit-release build   --prefix ghcr.io/shipkit-dev/shipkit [--version v1.2.3] [--push [--tag main]] [--sbom-dir DIR] [--platforms linux/amd64,linux/arm64]
//	shipkit-release pin     --commit SHA --version v1.2.3
//	shipkit-release changelog --version v1.2.3 [--head SHA] [--file CHANGELOG.md]
//	shipkit-release verify  [--platforms ...]
//	shipkit-release major   --version v1.2.3 --commit SHA   (GITHUB_REPOSITORY, GITHUB_TOKEN, GITHUB_API_URL)
//	shipkit-release publish --tag v1.2.3                    (same)
//
// It runs in the repository's root. In a workflow step, results are also step outputs.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/shipkit-dev/shipkit/internal/ghapi"
	"github.com/shipkit-dev/shipkit/internal/imagebuild"
	"github.com/shipkit-dev/shipkit/internal/release"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		stop()
		os.Exit(1)
	}
}

const usage = "usage: shipkit-release plan|build|pin|changelog|verify|major|publish [flags] (-h for a command's flags)"

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	gha := githubactions.New()
	fs := flag.NewFlagSet("shipkit-release "+args[0], flag.ContinueOnError)
	platforms := fs.String("platforms", "linux/amd64,linux/arm64", "the platforms of each image")
	switch args[0] {
	case "build":
		prefix := fs.String("prefix", "ghcr.io/shipkit-dev/shipkit", "the images' repository prefix; each action is <prefix>/<action>")
		version := fs.String("version", "", "the release, such as v1.2.3, for the images' version label; empty for none")
		push := fs.Bool("push", false, "push each image by digest")
		tags := fs.String("tag", "", "also point these tags (comma separated) at each pushed image, such as main")
		sbomDir := fs.String("sbom-dir", "", "write <action>.spdx.json SBOMs here")
		created := fs.String("created", "", "the SBOMs' creation date (RFC 3339); default the Unix epoch, so builds compare")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		ps, err := imagebuild.ParsePlatforms(*platforms)
		if err != nil {
			return err
		}
		var when time.Time
		if *created != "" {
			if when, err = time.Parse(time.RFC3339, *created); err != nil {
				return fmt.Errorf("--created: %w", err)
			}
		}
		images, err := release.Build(ctx, release.BuildOptions{Root: ".", Prefix: *prefix, Version: *version, Platforms: ps, SBOMDir: *sbomDir, Created: when, Push: *push, Tags: splitList(*tags)})
		if err != nil {
			return err
		}
		digests := map[string]string{}
		var actions []string
		for _, img := range images {
			verb := "built"
			if img.Pushed {
				verb = "pushed"
			}
			fmt.Fprintf(stdout, "%s %s (%s)\n", verb, img.Ref(), *platforms)
			digests[img.Action] = img.Digest
			actions = append(actions, img.Action)
		}
		return setJSONOutputs(gha, map[string]any{"images": images, "digests": digests, "actions": actions})
	case "pin":
		commit := fs.String("commit", "", "the release commit the references are pinned to")
		version := fs.String("version", "", "the release, such as v1.2.3, written as the pin's comment")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		changed, err := release.PinFiles(".", *commit, *version)
		if err != nil {
			return err
		}
		for _, f := range changed {
			fmt.Fprintf(stdout, "pinned %s to %s # %s\n", f, *commit, *version)
		}
		gha.SetOutput("files", strings.Join(changed, "\n"))
		return nil
	case "changelog":
		version := fs.String("version", "", "the release, such as v1.2.3")
		file := fs.String("file", "CHANGELOG.md", "the changelog")
		head := fs.String("head", "HEAD", "the release's last commit of its source (the commits after the previous release up to it are listed)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if err := release.CheckVersion(*version); err != nil {
			return err
		}
		notes, err := release.ReleaseNotes(ctx, ".", *version, *head)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(*file)
		if err != nil {
			return err
		}
		out, changed, err := release.Changelog(*file, data, *version, time.Now(), notes)
		if err != nil {
			return err
		}
		if !changed {
			fmt.Fprintf(stdout, "%s has a section for %s already\n", *file, *version)
			return nil
		}
		if err := os.WriteFile(*file, out, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: the Unreleased notes and the commits since the previous release are now %s's section\n", *file, *version)
		return nil
	case "verify":
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		ps, err := imagebuild.ParsePlatforms(*platforms)
		if err != nil {
			return err
		}
		pinned, err := release.Verify(ctx, ".", ps, "")
		if err != nil {
			return err
		}
		for _, p := range pinned {
			fmt.Fprintf(stdout, "ok actions/%s/action.yml: %s:%s@%s is the image its source builds\n", p.Action, p.Repository, p.Tag, p.Digest)
		}
		return nil
	case "plan":
		file := fs.String("version-file", "VERSION", "the file holding the version")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		data, err := os.ReadFile(*file)
		if err != nil {
			return err
		}
		repo, err := repoFromEnv()
		if err != nil {
			return err
		}
		repo.VersionFile = *file
		p, err := repo.Plan(ctx, data)
		if err != nil {
			return err
		}
		if p.Release {
			fmt.Fprintf(stdout, "%s names %s, which has no tag yet: this push releases it\n", *file, p.Tag)
		} else {
			fmt.Fprintf(stdout, "%s is released already: nothing to release\n", p.Tag)
		}
		gha.SetOutput("version", p.Version)
		gha.SetOutput("tag", p.Tag)
		gha.SetOutput("release", fmt.Sprint(p.Release))
		return nil
	case "major", "publish":
		version := fs.String("version", "", "major: the release, such as v1.2.3")
		commit := fs.String("commit", "", "major: the release commit")
		tag := fs.String("tag", "", "publish: the release's tag")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		repo, err := repoFromEnv()
		if err != nil {
			return err
		}
		if args[0] == "major" {
			res, err := repo.MoveMajor(ctx, *version, *commit)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s %s: %s (was at %s)\n", res.Action, res.Tag, res.Commit, orNone(res.Previous))
			gha.SetOutput("major-tag", res.Tag)
			gha.SetOutput("major-result", res.Action)
			return nil
		}
		res, err := repo.Publish(ctx, *tag)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s %s: %s\n", res.Action, *tag, res.URL)
		gha.SetOutput("release-url", res.URL)
		gha.SetOutput("publish-result", res.Action)
		return nil
	}
	return fmt.Errorf("unknown command %q; %s", args[0], usage)
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}

// repoFromEnv is the workflow's repository, reached with GITHUB_TOKEN at GITHUB_API_URL.
func repoFromEnv() (release.Repo, error) {
	owner, name, ok := strings.Cut(os.Getenv("GITHUB_REPOSITORY"), "/")
	if !ok || owner == "" || name == "" {
		return release.Repo{}, fmt.Errorf("GITHUB_REPOSITORY %q: want owner/name", os.Getenv("GITHUB_REPOSITORY"))
	}
	token := os.Getenv("GITHUB_TOKEN")
	if token == "" {
		return release.Repo{}, errors.New("GITHUB_TOKEN is empty: pass the workflow's token (contents: write)")
	}
	c, err := ghapi.New(ghapi.FromEnv(os.Getenv, token))
	if err != nil {
		return release.Repo{}, err
	}
	return release.Repo{Client: c, Owner: owner, Name: name}, nil
}

// setJSONOutputs writes each value as a JSON step output when running in a workflow.
func setJSONOutputs(gha *githubactions.Action, outputs map[string]any) error {
	if os.Getenv("GITHUB_OUTPUT") == "" {
		return nil
	}
	for k, v := range outputs {
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		gha.SetOutput(k, string(data))
	}
	return nil
}
