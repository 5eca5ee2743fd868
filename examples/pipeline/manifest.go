package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/shipkit-dev/shipkit/test/ghemu"
	"github.com/shipkit-dev/shipkit/test/gitserver"
	"github.com/shipkit-dev/shipkit/test/hostrun"
)

// stepUpdateManifest is step 2's write-back: the image built from main's head, tagged
// sha-<first 8>, goes into the dev overlay through the API; then main is protected (on the git
// server and in the API emulator, as branch protection covers both) and the prod overlay's
// write falls back to a pull request, reported as pending manual approval. Main is unprotected
// again at the end, for the steps after it.
func stepUpdateManifest(ctx context.Context, w *world, p *printer) error {
	head, err := w.API.Ref(owner, name, "refs/heads/main")
	if err != nil {
		return err
	}
	if len(head) < 8 {
		return fmt.Errorf("main has no commit to tag")
	}
	tag := "sha-" + head[:8]
	env := w.Env(owner, name)
	env["GITHUB_SHA"], env["GITHUB_REF"] = head, "refs/heads/main"
	event := map[string]any{
		"ref": "refs/heads/main", "after": head,
		"repository": map[string]any{"full_name": owner + "/" + name, "default_branch": "main"},
	}
	run := func(environment string) (hostrun.Result, error) {
		inputs := map[string]string{
			"environment":  environment,
			"image":        "ghcr.io/acme/acme-app",
			"tag":          tag,
			"write-method": "api",
			"token":        token,
		}
		w.API.ResetCounts()
		res, err := hostrun.Run(ctx, hostrun.Step{Action: "update-manifest", Workspace: w.tmp, Inputs: inputs, Env: env, EventName: "push", Event: event})
		if err != nil {
			return res, err
		}
		if res.ExitCode != 0 {
			return res, fmt.Errorf("update-manifest (%s) failed (exit %d):\n%s%s", environment, res.ExitCode, res.Stdout, res.Stderr)
		}
		return res, nil
	}

	p.title("Step: update-manifest (write the dev overlay, api method)")
	p.line("image ghcr.io/acme/acme-app:%s, built from main at %s", tag, head[:8])
	res, err := run("dev")
	if err != nil {
		return err
	}
	p.outputs(res.Outputs, "result", "pending-approval", "previous-tag", "commit", "changed-files")
	p.line("GitHub API calls: %d (read the file, write it with its blob sha as the lock)", w.API.Total())
	if res.Outputs["result"] != "pushed" {
		return fmt.Errorf("update-manifest (dev) = %q, want pushed", res.Outputs["result"])
	}
	log, err := git(w.tmp, "--git-dir", w.Git.GitDir(owner, name), "show", "--format=commit %h %s%nauthor %an", "--unified=0", "main")
	if err != nil {
		return err
	}
	p.line("the commit on main:")
	for _, l := range strings.Split(log, "\n") {
		if l != "" && !strings.HasPrefix(l, "index ") && !strings.HasPrefix(l, "diff --git") {
			p.line("  %s", l)
		}
	}

	p.title("Step: update-manifest (prod overlay, main protected)")
	if err := w.Git.Protect(owner, name, "main", gitserver.RequirePullRequest); err != nil {
		return err
	}
	w.API.Protect(owner, name, "main", ghemu.Protection{RequirePullRequest: true})
	defer func() {
		_ = w.Git.Unprotect(owner, name, "main")
		w.API.Protect(owner, name, "main", ghemu.Protection{})
	}()
	p.line("main now requires a pull request (GH006 on push, 422/409 from the API)")
	res, err = run("prod")
	if err != nil {
		return err
	}
	p.outputs(res.Outputs, "result", "pending-approval", "pull-request-number", "pull-request-url", "commit")
	p.line("GitHub API calls: %d", w.API.Total())
	if res.Outputs["result"] != "pull-request" || res.Outputs["pending-approval"] != "true" {
		return fmt.Errorf("update-manifest (prod) = %q, pending %q; want pull-request, true", res.Outputs["result"], res.Outputs["pending-approval"])
	}
	for _, l := range strings.Split(res.Stdout, "\n") {
		if strings.HasPrefix(l, "::warning") {
			p.line("annotation: %s", l)
		}
	}
	for _, pr := range w.API.PullRequests(owner, name) {
		p.line("pull request #%d %s -> %s: %q (%s)", pr.Number, pr.Head, pr.Base, pr.Title, pr.State)
	}
	p.line("the deployment to prod is pending manual approval: main is unchanged until the pull request merges")
	return nil
}
