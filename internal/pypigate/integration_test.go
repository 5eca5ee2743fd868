package pypigate_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shipkit-dev/shipkit/internal/gitrepo"
	"github.com/shipkit-dev/shipkit/internal/history"
	"github.com/shipkit-dev/shipkit/internal/pypigate"
	"github.com/shipkit-dev/shipkit/test/gitfixture"
	"github.com/shipkit-dev/shipkit/test/pypiindex"
)

func pyproject(version string) string {
	return "[project]\nname = \"acme-lib\"\nversion = \"" + version + "\"\n\n[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n"
}

const dynamicPyproject = "[project]\nname = \"acme-lib\"\ndynamic = [\"version\"]\n\n[build-system]\nrequires = [\"hatchling\", \"hatch-vcs\"]\nbuild-backend = \"hatchling.build\"\n"

// step is one commit of a scenario, optionally tagged.
type step struct {
	files map[string]string
	rm    []string // paths to git rm
	mv    [2]string
	tag   string
}

func config(t testing.TB, tag string) pypigate.Config {
	return pypigate.Config{
		Tag: tag, TagTemplate: mustTemplate(t, "{name}-v{version}"),
		PackagePath: "packages/{name}", Pyproject: "{package-path}/pyproject.toml",
		TestPyPI: true, CheckIndex: true, IndexURL: "https://pypi.org", TestPyPIIndexURL: "https://test.pypi.org",
	}
}

func build(t *testing.T, steps []step) *gitfixture.Repo {
	t.Helper()
	r := gitfixture.Init(t)
	for i, s := range steps {
		if s.mv[0] != "" {
			r.Git("mv", s.mv[0], s.mv[1])
		}
		for _, p := range s.rm {
			r.Git("rm", "-q", p)
		}
		if len(s.files) > 0 {
			r.Write(s.files)
		}
		r.Git("add", "-A")
		r.Git("commit", "-q", "--allow-empty", "-m", "step "+string(rune('a'+i)))
		if s.tag != "" {
			r.Git("tag", s.tag)
		}
	}
	return r
}

func TestRunOnRealRepositories(t *testing.T) {
	t.Parallel()
	lib := func(v string) map[string]string {
		return map[string]string{"packages/acme-lib/pyproject.toml": pyproject(v), "packages/acme-lib/src/acme_lib/__init__.py": "X = 1\n"}
	}
	merge := func(ms ...map[string]string) map[string]string {
		out := map[string]string{}
		for _, m := range ms {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}
	dyn := map[string]string{"packages/acme-lib/pyproject.toml": dynamicPyproject, "packages/acme-lib/src/acme_lib/__init__.py": "X = 1\n"}
	tests := []struct {
		name       string
		steps      []step
		tag        string
		published  []string // on PyPI
		onTest     []string // on TestPyPI
		indexDown  bool
		noCheck    bool
		devVersion bool
		want       map[string]string
		wantReason string
		wantErr    string
		wantFile   string // FileError position "file:line"
	}{
		{
			name:       "first release",
			steps:      []step{{files: lib("0.1.0"), tag: "acme-lib-v0.1.0"}},
			tag:        "acme-lib-v0.1.0",
			want:       map[string]string{"result": "publish", "publish-testpypi": "true", "publish-pypi": "true", "previous-tag": "", "version": "0.1.0"},
			wantReason: "first release of acme-lib",
		},
		{
			name: "changed",
			steps: []step{
				{files: lib("0.3.0"), tag: "acme-lib-v0.3.0"},
				{files: map[string]string{"packages/acme-lib/src/acme_lib/__init__.py": "X = 2\n"}},
				{files: lib("0.4.0"), tag: "acme-lib-v0.4.0"},
			},
			tag:        "acme-lib-v0.4.0",
			want:       map[string]string{"result": "publish", "publish": "true", "publish-testpypi": "true", "publish-pypi": "true", "previous-tag": "acme-lib-v0.3.0", "prerelease": "false"},
			wantReason: "packages/acme-lib/ changed since acme-lib-v0.3.0: publishing 0.4.0 to TestPyPI, then PyPI",
		},
		{
			name: "unchanged with commits elsewhere",
			steps: []step{
				{files: dyn, tag: "acme-lib-v1.0.0"},
				{files: map[string]string{"src/app/main.py": "print(1)\n", "packages/other/x.py": "y\n"}},
				{files: map[string]string{"README.md": "docs\n"}, tag: "acme-lib-v1.0.1"},
			},
			tag:        "acme-lib-v1.0.1",
			want:       map[string]string{"result": "skip", "publish": "false", "publish-testpypi": "false", "publish-pypi": "false", "previous-tag": "acme-lib-v1.0.0"},
			wantReason: "skipped: no changes under packages/acme-lib/ since acme-lib-v1.0.0",
		},
		{
			name: "change then revert",
			steps: []step{
				{files: dyn, tag: "acme-lib-v1.0.0"},
				{files: map[string]string{"packages/acme-lib/src/acme_lib/__init__.py": "X = 2\n"}},
				{files: map[string]string{"packages/acme-lib/src/acme_lib/__init__.py": "X = 1\n"}, tag: "acme-lib-v1.0.1"},
			},
			tag:  "acme-lib-v1.0.1",
			want: map[string]string{"result": "skip", "previous-tag": "acme-lib-v1.0.0"},
		},
		{
			name: "rename counts as a change",
			steps: []step{
				{files: dyn, tag: "acme-lib-v1.0.0"},
				{mv: [2]string{"packages/acme-lib/src/acme_lib/__init__.py", "packages/acme-lib/src/acme_lib/core.py"}, tag: "acme-lib-v1.1.0"},
			},
			tag:  "acme-lib-v1.1.0",
			want: map[string]string{"result": "publish", "publish-pypi": "true"},
		},
		{
			name: "deletion counts as a change",
			steps: []step{
				{files: merge(dyn, map[string]string{"packages/acme-lib/old.txt": "x"}), tag: "acme-lib-v1.0.0"},
				{rm: []string{"packages/acme-lib/old.txt"}, tag: "acme-lib-v1.1.0"},
			},
			tag:  "acme-lib-v1.1.0",
			want: map[string]string{"result": "publish"},
		},
		{
			name: "stable after an unchanged rc still goes to PyPI",
			steps: []step{
				{files: dyn, tag: "acme-lib-v1.0.0"},
				{files: map[string]string{"packages/acme-lib/src/acme_lib/__init__.py": "X = 2\n"}, tag: "acme-lib-v2.0.0rc1"},
				{files: map[string]string{"README.md": "x"}, tag: "acme-lib-v2.0.0"},
			},
			tag:  "acme-lib-v2.0.0",
			want: map[string]string{"result": "publish", "publish-pypi": "true", "previous-tag": "acme-lib-v1.0.0"},
		},
		{
			name: "rc2 unchanged since rc1 is skipped",
			steps: []step{
				{files: dyn, tag: "acme-lib-v1.0.0"},
				{files: map[string]string{"packages/acme-lib/src/acme_lib/__init__.py": "X = 2\n"}, tag: "acme-lib-v2.0.0rc1"},
				{files: map[string]string{"README.md": "x"}, tag: "acme-lib-v2.0.0rc2"},
			},
			tag:  "acme-lib-v2.0.0rc2",
			want: map[string]string{"result": "skip", "previous-tag": "acme-lib-v2.0.0rc1", "prerelease": "true"},
		},
		{
			name: "pre-release goes to TestPyPI only",
			steps: []step{
				{files: lib("1.0.0"), tag: "acme-lib-v1.0.0"},
				{files: lib("1.1.0rc1"), tag: "acme-lib-v1.1.0rc1"},
			},
			tag:        "acme-lib-v1.1.0rc1",
			want:       map[string]string{"result": "publish", "publish-testpypi": "true", "publish-pypi": "false", "prerelease": "true", "testpypi-version": "1.1.0rc1"},
			wantReason: "1.1.0rc1 is a pre-release, so it goes to TestPyPI only, never to PyPI",
		},
		{
			name:  "semver spelling in the tag and manifest",
			steps: []step{{files: lib("1.1.0-rc.1"), tag: "acme-lib-v1.1.0-rc.1"}},
			tag:   "acme-lib-v1.1.0-rc.1",
			want:  map[string]string{"version": "1.1.0rc1", "prerelease": "true"},
		},
		{
			name:  "other packages' tags are not baselines",
			steps: []step{{files: merge(lib("0.1.0"), map[string]string{"packages/acme/pyproject.toml": "x"}), tag: "acme-v0.0.9"}, {files: map[string]string{"packages/acme-lib/a": "1"}, tag: "acme-lib-extra-v0.0.5"}, {files: lib("0.2.0"), tag: "acme-lib-v0.2.0"}},
			tag:   "acme-lib-v0.2.0",
			want:  map[string]string{"previous-tag": "", "result": "publish"},
		},
		{
			name:       "already published",
			steps:      []step{{files: lib("0.4.0"), tag: "acme-lib-v0.4.0"}},
			tag:        "acme-lib-v0.4.0",
			published:  []string{"0.4.0"},
			onTest:     []string{"0.4.0"},
			want:       map[string]string{"result": "skip", "publish-pypi": "false", "publish-testpypi": "false"},
			wantReason: "already published on PyPI",
		},
		{
			name:      "already published under another spelling",
			steps:     []step{{files: lib("1.0.0"), tag: "acme-lib-v1.0.0"}},
			tag:       "acme-lib-v1.0.0",
			published: []string{"1.0.0.0"},
			want:      map[string]string{"result": "skip", "publish-pypi": "false"},
		},
		{
			name:       "on TestPyPI only: a rerun after the TestPyPI job",
			steps:      []step{{files: lib("0.4.0"), tag: "acme-lib-v0.4.0"}},
			tag:        "acme-lib-v0.4.0",
			onTest:     []string{"0.4.0"},
			want:       map[string]string{"result": "publish", "publish-testpypi": "false", "publish-pypi": "true"},
			wantReason: "already published on TestPyPI, so it goes to PyPI only",
		},
		{
			name:       "dev version for TestPyPI",
			steps:      []step{{files: lib("0.4.0"), tag: "acme-lib-v0.4.0"}},
			tag:        "acme-lib-v0.4.0",
			onTest:     []string{"0.4.0"},
			devVersion: true,
			want:       map[string]string{"publish-testpypi": "true", "testpypi-version": "0.4.0.dev1202", "version": "0.4.0"},
		},
		{
			name:      "index down",
			steps:     []step{{files: lib("0.4.0"), tag: "acme-lib-v0.4.0"}},
			tag:       "acme-lib-v0.4.0",
			indexDown: true,
			wantErr:   "set check-index: false",
		},
		{
			name:      "index down but not checked",
			steps:     []step{{files: lib("0.4.0"), tag: "acme-lib-v0.4.0"}},
			tag:       "acme-lib-v0.4.0",
			indexDown: true,
			noCheck:   true,
			want:      map[string]string{"result": "publish", "publish-pypi": "true"},
		},
		{
			name:     "version mismatch",
			steps:    []step{{files: lib("0.3.0"), tag: "acme-lib-v0.4.0"}},
			tag:      "acme-lib-v0.4.0",
			wantErr:  "version 0.3.0 does not match tag acme-lib-v0.4.0",
			wantFile: "packages/acme-lib/pyproject.toml:3",
		},
		{
			name:     "missing pyproject",
			steps:    []step{{files: map[string]string{"packages/acme-lib/setup.py": "x"}, tag: "acme-lib-v0.4.0"}},
			tag:      "acme-lib-v0.4.0",
			wantErr:  "it is not in tag acme-lib-v0.4.0",
			wantFile: "packages/acme-lib/pyproject.toml:0",
		},
		{
			name:     "malformed pyproject",
			steps:    []step{{files: map[string]string{"packages/acme-lib/pyproject.toml": "[project]\nname = \"acme-lib\"\nversion = \"1.0\n"}, tag: "acme-lib-v1.0"}},
			tag:      "acme-lib-v1.0",
			wantErr:  "packages/acme-lib/pyproject.toml:3",
			wantFile: "packages/acme-lib/pyproject.toml:3",
		},
		{
			name:     "invalid version in the manifest",
			steps:    []step{{files: lib("0.4.x"), tag: "acme-lib-v0.4.0"}},
			tag:      "acme-lib-v0.4.0",
			wantErr:  `invalid PEP 440 version "0.4.x"`,
			wantFile: "packages/acme-lib/pyproject.toml:3",
		},
		{
			name:    "tag not matching the template",
			steps:   []step{{files: lib("0.4.0"), tag: "release-0.4.0"}},
			tag:     "release-0.4.0",
			wantErr: `does not fit tag-template`,
		},
		{
			name:    "invalid version in the tag",
			steps:   []step{{files: lib("0.4.0"), tag: "acme-lib-vlatest"}},
			tag:     "acme-lib-vlatest",
			wantErr: `not PEP 440`,
		},
		{
			name:    "unknown tag",
			steps:   []step{{files: lib("0.4.0")}},
			tag:     "acme-lib-v0.4.0",
			wantErr: `finding tag "acme-lib-v0.4.0"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := build(t, tt.steps)
			repo, err := gitrepo.Open(r.Dir, gitrepo.Options{})
			if err != nil {
				t.Fatal(err)
			}
			idx, test := pypiindex.Start(), pypiindex.Start()
			t.Cleanup(idx.Close)
			t.Cleanup(test.Close)
			idx.Publish("acme_lib", tt.published...)
			test.Publish("acme-lib", tt.onTest...)
			if tt.indexDown {
				idx.InjectFault(pypiindex.Fault{Status: 503})
			}
			cfg := config(t, tt.tag)
			cfg.IndexURL, cfg.TestPyPIIndexURL = idx.URL(), test.URL()
			cfg.CheckIndex = !tt.noCheck
			if tt.devVersion {
				cfg.TestPyPIDevVersion, cfg.RunNumber, cfg.RunAttempt = true, 12, 2
			}
			deps := pypigate.Deps{History: &history.Git{Repo: repo}}
			if cfg.CheckIndex {
				deps.PyPI = &pypigate.JSONIndex{URL: idx.URL(), Attempts: 2, Backoff: time.Millisecond}
				deps.TestPyPI = &pypigate.JSONIndex{URL: test.URL(), Attempts: 2, Backoff: time.Millisecond}
			}
			res, err := pypigate.Run(t.Context(), cfg, deps)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Run(%s) error = %v, want one containing %q", tt.tag, err, tt.wantErr)
				}
				if tt.wantFile != "" {
					var pos interface{ Position() (string, int) }
					if !errors.As(err, &pos) {
						t.Fatalf("Run(%s) error %v has no position, want %s", tt.tag, err, tt.wantFile)
					}
					f, l := pos.Position()
					if got := f + ":" + strconv.Itoa(l); got != tt.wantFile {
						t.Errorf("Run(%s) error position = %s, want %s", tt.tag, got, tt.wantFile)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Run(%s) error = %v", tt.tag, err)
			}
			outs := map[string]string{}
			for _, kv := range res.Outputs() {
				outs[kv[0]] = kv[1]
			}
			for k, v := range tt.want {
				if outs[k] != v {
					t.Errorf("Run(%s) output %s = %q, want %q (reason: %s)", tt.tag, k, outs[k], v, res.Reason)
				}
			}
			if !strings.Contains(res.Reason, tt.wantReason) {
				t.Errorf("Run(%s) reason = %q, want it to contain %q", tt.tag, res.Reason, tt.wantReason)
			}
			if outs["reason"] == "" || !strings.Contains(res.Summary(), res.Version) {
				t.Errorf("Run(%s): empty reason or summary without the version:\n%s", tt.tag, res.Summary())
			}
			if (res.Outcome() == pypigate.ResultSkip) != (res.Notice() != "") {
				t.Errorf("Run(%s) Notice() = %q with outcome %s, want a notice exactly when skipping", tt.tag, res.Notice(), res.Outcome())
			}
		})
	}
}
