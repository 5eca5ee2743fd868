package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/shipkit-dev/shipkit/internal/manifest"
	"github.com/shipkit-dev/shipkit/test/ghemu"
	"github.com/shipkit-dev/shipkit/test/hostrun"
)

// stepPromote is step 5 of the reference pipeline: the app image dev runs (the sha-<first 8>
// tag update-manifest wrote into the dev overlay on main) is promoted to prod by pull request
// (image mode): the prod overlay is edited on the branch promote/prod-sha-<first 8> and a pull
// request opened, with auto-merge asked for on a
// repository that allows it and whose main requires a "ci" check (so auto-merge is armed
// through GraphQL, not merged). A rerun shows the pull request is updated, never duplicated.
// verify-image is off: the overlay names ghcr.io/acme/acme-app, which no local registry holds.
func stepPromote(ctx context.Context, w *world, p *printer) error {
	head, err := w.API.Ref(owner, name, "refs/heads/main")
	if err != nil {
		return err
	}
	// What dev runs is what goes to prod: the tag update-manifest wrote into the dev overlay.
	devOverlay, err := git(w.tmp, "--git-dir", w.Git.GitDir(owner, name), "show", "main:infra/argocd/overlays/dev/kustomization.yaml")
	if err != nil {
		return err
	}
	tag, _, err := manifest.Current("infra/argocd/overlays/dev/kustomization.yaml", []byte(devOverlay), manifest.Target{Image: "ghcr.io/acme/acme-app"})
	if err != nil {
		return fmt.Errorf("reading the tag dev runs: %w", err)
	}
	env := w.Env(owner, name)
	env["GITHUB_SHA"], env["GITHUB_REF"] = head, "refs/heads/main"
	event := map[string]any{"ref": "refs/heads/main", "repository": map[string]any{"full_name": owner + "/" + name, "default_branch": "main"}}
	inputs := map[string]string{
		"mode":         "image",
		"image":        "ghcr.io/acme/acme-app",
		"tag":          tag,
		"environment":  "prod",
		"verify-image": "false",
		"auto-merge":   "true",
		"labels":       "promotion",
		"token":        token,
	}
	w.API.AllowAutoMerge(owner, name, true)
	w.API.Protect(owner, name, "main", ghemu.Protection{RequiredChecks: []string{"ci"}})
	defer w.API.Protect(owner, name, "main", ghemu.Protection{})

	run := func(what string) (hostrun.Result, error) {
		w.API.ResetCounts()
		res, err := hostrun.Run(ctx, hostrun.Step{Action: "promote-pr", Workspace: w.tmp, Inputs: inputs, Env: env, EventName: "workflow_dispatch", Event: event})
		if err != nil {
			return res, err
		}
		if res.ExitCode != 0 {
			return res, fmt.Errorf("promote-pr (%s) failed (exit %d):\n%s%s", what, res.ExitCode, res.Stdout, res.Stderr)
		}
		return res, nil
	}

	p.title("Step: promote-pr (promote the app's image to prod by pull request)")
	p.line("image ghcr.io/acme/acme-app:%s (what the dev overlay runs); main requires the check \"ci\"; the repository allows auto-merge", tag)
	res, err := run("promote")
	if err != nil {
		return err
	}
	p.outputs(res.Outputs, "result", "operation", "pull-request-number", "pull-request-url", "auto-merge", "previous-tag", "head-sha")
	gql := w.API.Count(ghemu.GraphQLOperation)
	p.line("GitHub API calls: %d REST, %d GraphQL (the auto-merge mutation, validated against GitHub's GraphQL schema)", w.API.Total()-gql, gql)
	if res.Outputs["result"] != "opened" || res.Outputs["auto-merge"] != "armed" {
		return fmt.Errorf("promote-pr = %q, auto-merge %q; want opened, armed", res.Outputs["result"], res.Outputs["auto-merge"])
	}

	p.line("-- a rerun of the same promotion")
	res, err = run("rerun")
	if err != nil {
		return err
	}
	p.outputs(res.Outputs, "result", "operation", "pull-request-number")
	p.line("the open pull request is found and left as it is (%d API calls)", w.API.Total())

	var promotion ghemu.PullRequest
	for _, pr := range w.API.PullRequests(owner, name) {
		if !strings.HasPrefix(pr.Head, "promote/") {
			continue
		}
		am := "auto-merge off"
		if a, ok := w.API.AutoMerge(owner, name, pr.Number); ok {
			am = "auto-merge armed (" + strings.ToLower(a.MergeMethod) + ")"
		}
		p.line("pull request #%d %s -> %s: %q (%s, %s, labels %s)", pr.Number, pr.Head, pr.Base, pr.Title, pr.State, am, strings.Join(pr.Labels, ","))
		promotion = pr
	}

	prodOverlay := func() (string, error) {
		return git(w.tmp, "--git-dir", w.Git.GitDir(owner, name), "show", "main:infra/argocd/overlays/prod/kustomization.yaml")
	}
	if before, err := prodOverlay(); err != nil {
		return err
	} else if strings.Contains(before, tag) {
		return fmt.Errorf("prod's overlay on main names %s before the promotion merged", tag)
	}
	p.line("-- the ci check passes on the pull request's head: GitHub's auto-merge merges it")
	prHead, err := w.API.Ref(owner, name, "refs/heads/"+promotion.Head)
	if err != nil {
		return err
	}
	if err := w.API.SetCheckRun(owner, name, prHead, ghemu.CheckRun{Name: "ci", Status: "completed", Conclusion: "success"}); err != nil {
		return err
	}
	for _, pr := range w.API.PullRequests(owner, name) {
		if pr.Number != promotion.Number {
			continue
		}
		if !pr.Merged {
			return fmt.Errorf("pull request #%d is %s after its required check passed, want merged by auto-merge", pr.Number, pr.State)
		}
		p.line("pull request #%d merged as %s", pr.Number, pr.MergeCommitSHA[:8])
	}
	overlay, err := prodOverlay()
	if err != nil {
		return err
	}
	if !strings.Contains(overlay, tag) {
		return fmt.Errorf("prod's overlay on main does not name %s after the merge:\n%s", tag, overlay)
	}
	p.line("prod's overlay on main now names %s: Argo CD deploys it", tag)
	return nil
}
