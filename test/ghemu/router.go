package ghemu

import (
	"net/http"
	"net/url"
	"strings"
)

// route is one emulated operation: its method, path pattern, octokit
// operationId and handler. In a pattern, {name} matches one path segment and
// {name...} one or more (or none), possibly followed by literal segments.
type route struct {
	method  string
	pattern []string
	op      string
	h       func(*call)
	repo    bool // the pattern starts with /repos/{owner}/{repo}
}

var routes []*route

func init() {
	add := func(method, pattern, op string, h func(*call)) {
		routes = append(routes, &route{
			method: method, pattern: strings.Split(strings.Trim(pattern, "/"), "/"), op: op, h: h,
			repo: strings.HasPrefix(pattern, "/repos/{owner}/{repo}"),
		})
	}
	const R = "/repos/{owner}/{repo}"
	add("GET", "/rate_limit", "rate-limit/get", (*call).rateLimit)
	add("GET", R, "repos/get", (*call).getRepo)
	add("GET", R+"/branches/{branch...}/protection", "repos/get-branch-protection", (*call).getBranchProtection)
	add("GET", R+"/branches/{branch...}", "repos/get-branch", (*call).getBranch)
	add("GET", R+"/rules/branches/{branch...}", "repos/get-branch-rules", (*call).getBranchRules)

	add("GET", R+"/git/ref/{ref...}", "git/get-ref", (*call).getRef)
	add("GET", R+"/git/matching-refs/{ref...}", "git/list-matching-refs", (*call).listMatchingRefs)
	add("POST", R+"/git/refs", "git/create-ref", (*call).createRef)
	add("PATCH", R+"/git/refs/{ref...}", "git/update-ref", (*call).updateRef)
	add("DELETE", R+"/git/refs/{ref...}", "git/delete-ref", (*call).deleteRef)
	add("GET", R+"/git/commits/{sha}", "git/get-commit", (*call).getGitCommit)
	add("POST", R+"/git/commits", "git/create-commit", (*call).createCommit)
	add("GET", R+"/git/trees/{sha}", "git/get-tree", (*call).getTree)
	add("POST", R+"/git/trees", "git/create-tree", (*call).createTree)
	add("GET", R+"/git/blobs/{sha}", "git/get-blob", (*call).getBlob)
	add("POST", R+"/git/blobs", "git/create-blob", (*call).createBlob)
	add("GET", R+"/git/tags/{sha}", "git/get-tag", (*call).getTag)
	add("POST", R+"/git/tags", "git/create-tag", (*call).createTag)

	add("GET", R+"/commits", "repos/list-commits", (*call).listCommits)
	add("GET", R+"/commits/{ref...}/status", "repos/get-combined-status-for-ref", (*call).combinedStatus)
	add("GET", R+"/commits/{ref...}/check-runs", "checks/list-for-ref", (*call).listCheckRuns)
	add("GET", R+"/commits/{ref}/pulls", "repos/list-pull-requests-associated-with-commit", (*call).pullsForCommit)
	add("GET", R+"/commits/{ref...}", "repos/get-commit", (*call).getCommit)
	add("GET", R+"/compare/{basehead...}", "repos/compare-commits-with-basehead", (*call).compare)
	add("GET", R+"/contents/{path...}", "repos/get-content", (*call).getContent)
	add("PUT", R+"/contents/{path...}", "repos/create-or-update-file-contents", (*call).putContent)

	add("GET", R+"/releases", "repos/list-releases", (*call).listReleases)
	add("POST", R+"/releases", "repos/create-release", (*call).createRelease)
	add("POST", R+"/releases/generate-notes", "repos/generate-release-notes", (*call).generateNotes)
	add("GET", R+"/releases/latest", "repos/get-latest-release", (*call).getLatestRelease)
	add("GET", R+"/releases/tags/{tag...}", "repos/get-release-by-tag", (*call).getReleaseByTag)
	add("GET", R+"/releases/{id}", "repos/get-release", (*call).getRelease)
	add("PATCH", R+"/releases/{id}", "repos/update-release", (*call).updateRelease)
	add("GET", R+"/tags", "repos/list-tags", (*call).listTags)

	add("GET", R+"/pulls", "pulls/list", (*call).listPulls)
	add("POST", R+"/pulls", "pulls/create", (*call).createPull)
	add("GET", R+"/pulls/{number}", "pulls/get", (*call).getPull)
	add("PATCH", R+"/pulls/{number}", "pulls/update", (*call).updatePull)
	add("PUT", R+"/pulls/{number}/merge", "pulls/merge", (*call).mergePull)
	add("POST", R+"/pulls/{number}/requested_reviewers", "pulls/request-reviewers", (*call).requestReviewers)

	add("GET", R+"/issues", "issues/list-for-repo", (*call).listIssues)
	add("POST", R+"/issues", "issues/create", (*call).createIssue)
	add("PATCH", R+"/issues/{number}", "issues/update", (*call).updateIssue)
	add("POST", R+"/issues/{number}/labels", "issues/add-labels", (*call).addLabels)
	add("POST", R+"/issues/{number}/comments", "issues/create-comment", (*call).createComment)

	add("GET", R+"/actions/runs", "actions/list-workflow-runs-for-repo", (*call).listWorkflowRuns)
}

// matchRoute finds the operation for a request and its path parameters.
func matchRoute(r *http.Request) (*route, map[string]string) {
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	// A trailing slash is kept as an empty last segment only where a
	// {name...} wildcard can take it (matching-refs/, contents/).
	for _, rt := range routes {
		if rt.method != r.Method {
			continue
		}
		if p, ok := matchSegments(rt.pattern, segs); ok {
			return rt, p
		}
	}
	return nil, nil
}

func matchSegments(pattern, segs []string) (map[string]string, bool) {
	p := map[string]string{}
	for i, ps := range pattern {
		if name, ok := strings.CutSuffix(strings.TrimPrefix(ps, "{"), "...}"); ok && strings.HasPrefix(ps, "{") {
			tail := pattern[i+1:]
			if len(segs)-i < len(tail) {
				return nil, false
			}
			rest := segs[i : len(segs)-len(tail)]
			if len(tail) > 0 && (len(rest) == 0 || rest[0] == "") {
				return nil, false
			}
			for j, lit := range tail {
				if segs[len(segs)-len(tail)+j] != lit {
					return nil, false
				}
			}
			parts := make([]string, len(rest))
			for j, s := range rest {
				u, err := url.PathUnescape(s)
				if err != nil {
					return nil, false
				}
				parts[j] = u
			}
			p[name] = strings.Join(parts, "/")
			return p, true
		}
		if i >= len(segs) {
			return nil, false
		}
		if strings.HasPrefix(ps, "{") {
			u, err := url.PathUnescape(segs[i])
			if err != nil || u == "" {
				return nil, false
			}
			p[strings.Trim(ps, "{}")] = u
			continue
		}
		if segs[i] != ps {
			return nil, false
		}
	}
	return p, len(segs) == len(pattern)
}
