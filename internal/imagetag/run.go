package imagetag

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Ancestry answers whether one commit descends from another. *history.Layered implements it:
// the local clone first, GitHub's compare API when the clone is shallow.
type Ancestry interface {
	IsAncestor(ctx context.Context, ancestor, descendant string) (bool, error)
}

// Deps are what Run talks to.
type Deps struct {
	// History checks that a moving tag only goes forward; needed only when a moving tag points
	// at another image that records a revision. Nil fails such a run with a hint.
	History Ancestry
	// Keychain gives registry credentials (see Keychain); nil means Docker's config.json.
	Keychain authn.Keychain
	// Transport carries registry requests; nil means go-containerregistry's default.
	Transport http.RoundTripper
	// Backoff bounds retries; nil means DefaultBackoff.
	Backoff *remote.Backoff
	// Logf receives progress lines; nil discards.
	Logf func(format string, args ...any)
}

func (d Deps) logf(format string, args ...any) {
	if d.Logf != nil {
		d.Logf(format, args...)
	}
}

// ErrNoHistory is wrapped by Run when a moving tag needs an ancestry check and Deps.History is
// nil.
var ErrNoHistory = errors.New("checking that a moving tag goes forward needs the repository's history: run actions/checkout before this step (fetch-depth: 0, or give `token` so the compare API answers), or set monotonic: false")

// Run gives the image its tags (apply mode) or only works them out (compute mode). In apply
// mode it reads the source manifest once, checks each tag once, decides every tag before
// writing any (so a conflict on a sha tag writes nothing), copies the image when it lives in
// another repository, then writes each tag that is new or moves with one manifest PUT.
//
// The Result is non-nil whenever the plan could be computed, also with an error, so that the
// summary shows how far the run got.
func Run(ctx context.Context, cfg Config, deps Deps) (*Result, error) {
	plan, err := Compute(cfg)
	if err != nil {
		return nil, err
	}
	res := newResult(cfg, plan)
	if cfg.Mode == ModeCompute {
		for i := range res.Tags {
			res.Tags[i].Outcome = OutcomePlanned
		}
		return res, nil
	}
	c, err := newClient(ctx, deps)
	if err != nil {
		return res, err
	}
	im, err := c.resolve(cfg, plan.Repo)
	if err != nil {
		return res, err
	}
	res.Digest = im.digest.String()
	res.ImageRef = plan.Repo.Digest(res.Digest).String()
	sameRepo := im.remote && im.from.Name() == plan.Repo.Name()
	deps.logf("image %s (%s)", res.ImageRef, im.mediaType)

	for i := range res.Tags {
		t := &res.Tags[i]
		t.Digest = res.Digest
		if t.Previous, err = c.head(plan.Repo.Tag(t.Tag)); err != nil {
			return res, err
		}
	}
	if err := decide(ctx, c, cfg, plan, res, deps); err != nil {
		return res, err
	}
	if cfg.DryRun {
		for i := range res.Tags {
			switch t := &res.Tags[i]; t.Outcome {
			case OutcomeCreated:
				t.Outcome = OutcomeWouldCreate
			case OutcomeMoved:
				t.Outcome = OutcomeWouldMove
			}
		}
		return res, nil
	}
	if !sameRepo && res.writes() > 0 {
		dst := plan.Repo.Digest(res.Digest)
		there, err := c.head(dst)
		if err != nil {
			return res, err
		}
		if there == "" {
			deps.logf("copying %s from %s to %s", res.Digest, sourceName(cfg, im), plan.Repo)
			if err := c.copyTo(im, dst); err != nil {
				return res, err
			}
			res.Copied = true
		}
	}
	for i := range res.Tags {
		t := &res.Tags[i]
		if t.Outcome != OutcomeCreated && t.Outcome != OutcomeMoved {
			continue
		}
		if err := c.put(im, plan.Repo.Tag(t.Tag)); err != nil {
			t.Outcome, t.Reason = OutcomeFailed, err.Error()
			return res, err
		}
		deps.logf("%s %s -> %s", t.Outcome, t.Ref, res.Digest)
	}
	return res, nil
}

func sourceName(cfg Config, im *image) string {
	if cfg.Source != "" {
		return cfg.Source
	}
	return im.from.String()
}

// decide sets each tag's outcome from what it points at now. A sha tag at another digest is a
// conflict: Run then fails before writing anything.
func decide(ctx context.Context, c *client, cfg Config, plan *Plan, res *Result, deps Deps) error {
	revisions := map[string]string{} // digest -> revision, read once per digest
	var conflicts []error
	for i := range res.Tags {
		t := &res.Tags[i]
		switch {
		case t.Previous == "":
			t.Outcome = OutcomeCreated
		case t.Previous == res.Digest:
			t.Outcome, t.Reason = OutcomeUnchanged, "already at this digest"
		case t.Kind == KindSHA:
			t.Outcome = OutcomeConflict
			t.Reason = fmt.Sprintf("already at %s; sha tags are written once", t.Previous)
			conflicts = append(conflicts, fmt.Errorf("tag %s already points at %s, not at %s: sha tags are never overwritten; "+
				"rebuild reproducibly, or tag this build with another commit", t.Ref, t.Previous, res.Digest))
		case !cfg.Monotonic:
			t.Outcome, t.Reason = OutcomeMoved, "monotonic: false"
		default:
			rev, ok := revisions[t.Previous]
			if !ok {
				var err error
				if rev, err = c.revision(plan.Repo, t.Previous); err != nil {
					return err
				}
				revisions[t.Previous] = rev
			}
			if err := forward(ctx, t, rev, plan.SHA, deps); err != nil {
				return err
			}
		}
	}
	if len(conflicts) > 0 {
		return errors.Join(conflicts...)
	}
	return nil
}

// forward decides whether tag t, now at an image built from rev, may move to an image built
// from sha.
func forward(ctx context.Context, t *TagResult, rev, sha string, deps Deps) error {
	switch {
	case rev == "":
		t.Outcome = OutcomeMoved
		t.Reason = "the image it pointed at records no " + LabelRevision
		return nil
	case strings.EqualFold(rev, sha):
		t.Outcome, t.Reason = OutcomeMoved, "a new build of the same commit"
		return nil
	case deps.History == nil:
		return fmt.Errorf("tag %s is at a build of %s: %w", t.Ref, short(rev), ErrNoHistory)
	}
	ok, err := deps.History.IsAncestor(ctx, rev, sha)
	if err != nil {
		return fmt.Errorf("checking that %s descends from %s, the commit tag %s is at: %w", short(sha), short(rev), t.Ref, err)
	}
	t.Revision = rev
	if ok {
		t.Outcome, t.Reason = OutcomeMoved, fmt.Sprintf("%s descends from %s", short(sha), short(rev))
		return nil
	}
	t.Outcome = OutcomeStale
	t.Reason = fmt.Sprintf("left at %s (built from %s): %s does not descend from it, so this build is older or from another line of history", t.Previous, short(rev), short(sha))
	return nil
}

func short(sha string) string {
	if len(sha) > 8 {
		return sha[:8]
	}
	return sha
}
