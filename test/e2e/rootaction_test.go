package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/shipkit-dev/shipkit/test/actrun"
	"github.com/shipkit-dev/shipkit/test/containers"
	"github.com/shipkit-dev/shipkit/test/registry"
)

// TestRootActionDeploys runs the root action (uses: shipkit-dev/shipkit@main) in a workflow under
// act: the pushed image gets its sha tag and latest in the registry, and the dev overlay on the
// git server names the sha tag.
func TestRootActionDeploys(t *testing.T) {
	t.Parallel()
	actrun.Require(t)
	tagImage := containers.BuildActionImage(t, "sha-tag-image")
	manifestImage := containers.BuildActionImage(t, "update-manifest")
	reg := registry.InProcess(t)
	w := newWorld(t)
	w.pushExampleBump(t)

	// The example's overlays name ghcr.io; this test's registry stands in for it.
	image := reg.Host + "/acme/acme-app"
	const overlay = "infra/argocd/overlays/dev/kustomization.yaml"
	data, err := os.ReadFile(filepath.Join(w.dev.Dir, overlay))
	if err != nil {
		t.Fatal(err)
	}
	head := w.dev.Commit("chore: the dev overlay names the test registry", map[string]string{
		overlay: strings.ReplaceAll(string(data), "ghcr.io/acme/acme-app", image),
	})
	w.dev.Git("push", "-q", "origin", "main")

	img, err := registry.Image(head, 1, 1024, nil)
	if err != nil {
		t.Fatal(err)
	}
	digest, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	repo, err := name.NewRepository(image)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(repo.Digest(digest.String()), img, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}

	shipkit := stageShipkit(t, "sha-tag-image", tagImage)
	stageAction(t, shipkit, "update-manifest", manifestImage)
	root, err := os.ReadFile(filepath.Join(containers.RepoRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(shipkit, "action.yml"), root, 0o644); err != nil {
		t.Fatal(err)
	}
	workflow := `name: deploy
on: push
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    permissions:
      contents: write
      pull-requests: write
      issues: write
      packages: write
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - id: deploy
        uses: shipkit-dev/shipkit@main
        with:
          image: ` + image + `
          digest: ` + digest.String() + `
          environment: dev
      - env:
          RESULT: ${{ steps.deploy.outputs.result }}
          SHA_TAG: ${{ steps.deploy.outputs.sha-tag }}
        run: |
          echo "result=$RESULT sha-tag=$SHA_TAG"
          test "$RESULT" = pushed
`
	dir := filepath.Join(w.dev.Dir, ".github", "workflows")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "deploy-test.yml"), []byte(workflow), 0o644); err != nil {
		t.Fatal(err)
	}
	res := actrun.Run(t, actrun.Options{
		Dir:               w.dev.Dir,
		Event:             "push",
		EventJSON:         pushEvent(t, head, head),
		Workflow:          ".github/workflows/deploy-test.yml",
		Secrets:           map[string]string{"GITHUB_TOKEN": token},
		Env:               map[string]string{"GITHUB_REPOSITORY": "acme/mono", "GITHUB_API_URL": w.api.URL()},
		LocalRepositories: map[string]string{"shipkit-dev/shipkit@main": shipkit},
	})
	if res.ExitCode != 0 {
		t.Fatalf("act exit code %d\n%s", res.ExitCode, res.Output)
	}
	shaTag := "sha-" + head[:8]
	tags, err := remote.List(repo, remote.WithContext(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	if !containsAll(tags, shaTag, "latest") {
		t.Errorf("registry tags = %v, want %s and latest\nact output:\n%s", tags, shaTag, res.Output)
	}
	w.dev.Git("fetch", "-q", "origin")
	if got := w.dev.Git("show", "origin/main:"+overlay); !strings.Contains(got, "newTag: "+shaTag) {
		t.Errorf("dev overlay after the deploy:\n%s\nwant newTag %s\nact output:\n%s", got, shaTag, res.Output)
	}
}

func containsAll(list []string, want ...string) bool {
	have := map[string]bool{}
	for _, s := range list {
		have[s] = true
	}
	for _, s := range want {
		if !have[s] {
			return false
		}
	}
	return true
}
