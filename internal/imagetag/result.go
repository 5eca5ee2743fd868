package imagetag

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Outcomes of a run, the `result` output.
const (
	ResultTagged    = "tagged"    // at least one tag was written, none refused
	ResultUnchanged = "unchanged" // every tag was already there (a rerun), or a dry run
	ResultStale     = "stale"     // a moving tag was left alone: this build is not newer
	ResultComputed  = "computed"  // compute mode: nothing was read or written
	ResultFailed    = "failed"    // the run failed; the program exits non-zero
)

// Outcomes of one tag.
const (
	OutcomeCreated     = "created"      // the tag did not exist; it does now
	OutcomeMoved       = "moved"        // the tag pointed at another image; it points at this one now
	OutcomeUnchanged   = "unchanged"    // the tag already pointed at this image
	OutcomeStale       = "stale"        // a moving tag left alone: this build is not newer
	OutcomeConflict    = "conflict"     // a sha tag at another image: the run fails
	OutcomeFailed      = "failed"       // writing the tag failed
	OutcomePlanned     = "planned"      // compute mode
	OutcomeWouldCreate = "would-create" // dry run
	OutcomeWouldMove   = "would-move"   // dry run
)

// TagResult is what happened to one tag. Its JSON form is an entry of the `json` output's
// "tags".
type TagResult struct {
	Tag  string `json:"tag"`
	Ref  string `json:"ref"`
	Kind string `json:"kind"`
	// Digest is the image's digest, the one the tag should point at.
	Digest string `json:"digest,omitempty"`
	// Previous is what the tag pointed at before the run ("" when it did not exist).
	Previous string `json:"previous,omitempty"`
	// Revision is the commit the previous image records, when it was compared.
	Revision string `json:"previous-revision,omitempty"`
	Outcome  string `json:"outcome"`
	Reason   string `json:"reason,omitempty"`
}

// Result is the outcome of a run; it renders the outputs and the step summary.
type Result struct {
	Image    string // the repository, lower case
	Digest   string // the image's digest ("" in compute mode)
	ImageRef string // repository@digest
	SHA      string
	SHATag   string
	Mode     string
	DryRun   bool
	Source   string // the source input, when the image was copied from it
	Copied   bool   // the image was copied from another repository or a local source
	Tags     []TagResult
	Labels   [][2]string
	Skipped  []string
	Lowered  string // the image input as given, when it was lowered
}

func newResult(cfg Config, p *Plan) *Result {
	r := &Result{Image: p.Repo.String(), SHA: p.SHA, SHATag: p.SHATag, Mode: cfg.Mode, DryRun: cfg.DryRun,
		Source: cfg.Source, Labels: p.Labels, Skipped: p.Skipped}
	if p.Lowered {
		r.Lowered = strings.TrimSpace(cfg.Image)
	}
	for _, t := range p.Tags {
		r.Tags = append(r.Tags, TagResult{Tag: t.Name, Ref: p.Repo.Tag(t.Name).String(), Kind: t.Kind})
	}
	return r
}

// writes counts the tags the run writes.
func (r *Result) writes() int {
	n := 0
	for _, t := range r.Tags {
		if t.Outcome == OutcomeCreated || t.Outcome == OutcomeMoved {
			n++
		}
	}
	return n
}

// Outcome is the `result` output of a run that did not fail.
func (r *Result) Outcome() string {
	if r.Mode == ModeCompute {
		return ResultComputed
	}
	for _, t := range r.Tags {
		if t.Outcome == OutcomeStale {
			return ResultStale
		}
	}
	if r.writes() > 0 {
		return ResultTagged
	}
	return ResultUnchanged
}

// Current lists the tags that point at the image after the run (or would, in compute mode and
// dry runs): all but stale, conflicting and failed ones.
func (r *Result) Current() []TagResult {
	var out []TagResult
	for _, t := range r.Tags {
		switch t.Outcome {
		case OutcomeStale, OutcomeConflict, OutcomeFailed:
			continue
		}
		out = append(out, t)
	}
	return out
}

// Annotations are the OCI annotations for a build, in docker/build-push-action's form
// (manifest:key=value).
func (r *Result) Annotations() []string {
	out := make([]string, len(r.Labels))
	for i, kv := range r.Labels {
		out[i] = "manifest:" + kv[0] + "=" + kv[1]
	}
	return out
}

// Warnings are the messages to annotate as warnings: stale moving tags and a lowered image.
func (r *Result) Warnings() []string {
	var out []string
	if r.Lowered != "" {
		out = append(out, fmt.Sprintf("image %q has upper case: registries accept only lower-case repository names, so %s is used", r.Lowered, r.Image))
	}
	for _, t := range r.Tags {
		if t.Outcome == OutcomeStale {
			out = append(out, fmt.Sprintf("tag %s was not moved: %s", t.Ref, t.Reason))
		}
	}
	return out
}

type jsonResult struct {
	Result      string      `json:"result"`
	Image       string      `json:"image"`
	Digest      string      `json:"digest,omitempty"`
	ImageRef    string      `json:"image-ref,omitempty"`
	SHA         string      `json:"sha"`
	SHATag      string      `json:"sha-tag"`
	DryRun      bool        `json:"dry-run"`
	Copied      bool        `json:"copied"`
	Tags        []TagResult `json:"tags"`
	Labels      []string    `json:"labels"`
	Annotations []string    `json:"annotations"`
	Skipped     []string    `json:"skipped,omitempty"`
}

// Outputs are the action's outputs, in a stable order. outcome is the `result` output (Outcome,
// or ResultFailed for a run that failed).
func (r *Result) Outputs(outcome string) [][2]string {
	cur := r.Current()
	refs := make([]string, len(cur))
	names := make([]string, len(cur))
	for i, t := range cur {
		refs[i], names[i] = t.Ref, t.Tag
	}
	labels := make([]string, len(r.Labels))
	for i, kv := range r.Labels {
		labels[i] = kv[0] + "=" + kv[1]
	}
	tags := r.Tags
	if tags == nil {
		tags = []TagResult{}
	}
	js, err := json.Marshal(jsonResult{Result: outcome, Image: r.Image, Digest: r.Digest, ImageRef: r.ImageRef, SHA: r.SHA,
		SHATag: r.SHATag, DryRun: r.DryRun, Copied: r.Copied, Tags: tags, Labels: labels, Annotations: r.Annotations(), Skipped: r.Skipped})
	if err != nil {
		panic(err) // only strings and bools
	}
	return [][2]string{
		{"result", outcome},
		{"tags", strings.Join(refs, "\n")},
		{"tag-names", strings.Join(names, "\n")},
		{"sha-tag", r.SHATag},
		{"digest", r.Digest},
		{"image-ref", r.ImageRef},
		{"labels", strings.Join(labels, "\n")},
		{"annotations", strings.Join(r.Annotations(), "\n")},
		{"json", string(js)},
	}
}

// Summary renders the Markdown step summary: every tag with its digest and what happened to it.
func (r *Result) Summary(outcome string) string {
	var b strings.Builder
	b.WriteString("## sha-tag-image\n\n")
	switch {
	case r.Mode == ModeCompute:
		fmt.Fprintf(&b, "Computed the tags and labels of `%s` for commit `%s`; nothing was read from or written to the registry.\n", r.Image, short(r.SHA))
	case r.Digest == "":
		fmt.Fprintf(&b, "Tagging `%s` for commit `%s` %s before the image was found.\n", r.Image, short(r.SHA), outcome)
	default:
		fmt.Fprintf(&b, "Image `%s` (commit `%s`).", r.ImageRef, short(r.SHA))
		if r.Copied {
			fmt.Fprintf(&b, " Copied from `%s`.", r.Source)
		}
		if r.DryRun {
			b.WriteString(" Dry run: nothing was written.")
		}
		fmt.Fprintf(&b, " Result: **%s**.\n", outcome)
	}
	b.WriteString("\n| tag | kind | digest | before | outcome |\n|---|---|---|---|---|\n")
	for _, t := range r.Tags {
		what := t.Outcome
		if what == "" {
			what = "not reached"
		}
		if t.Reason != "" {
			what += ": " + t.Reason
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", t.Ref, t.Kind, digestCell(t.Digest), digestCell(t.Previous), md(what))
	}
	if len(r.Skipped) > 0 {
		b.WriteString("\nNot applied to this event:\n\n")
		for _, s := range r.Skipped {
			fmt.Fprintf(&b, "- %s\n", md(s))
		}
	}
	for _, w := range r.Warnings() {
		fmt.Fprintf(&b, "\n> [!WARNING]\n> %s\n", md(w))
	}
	return b.String()
}

func digestCell(d string) string {
	if d == "" {
		return "-"
	}
	if alg, hex, ok := strings.Cut(d, ":"); ok && len(hex) > 12 {
		return "`" + alg + ":" + hex[:12] + "`"
	}
	return "`" + d + "`"
}

// md escapes table cell text.
func md(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
